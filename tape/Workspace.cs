// The buffers one evaluation of a tape needs: allocated once per tape and reused, so evaluating
// and differentiating allocate nothing after the first call. Not thread-safe: one per thread.
using Hybrid.Symbolic;

namespace Hybrid.Tapes;

/// <summary>Reusable buffers for evaluating a <see cref="Tape"/>: values, adjoints, tangents and local partials.</summary>
public sealed class Workspace
{
    internal Workspace(Tape tape)
    {
        Tape = tape;
        Values = new double[tape.Length];
        Adjoints = new double[tape.Length];
        Tangents = new double[tape.Length];
        Partials = new double[tape.OperandCount];
        tape.Prefill(Values, Partials);
    }

    /// <summary>The tape these buffers are sized for.</summary>
    public Tape Tape { get; }

    internal double[] Values { get; }
    internal double[] Adjoints { get; }
    internal double[] Tangents { get; }
    internal double[] Partials { get; }   // one per operand slot: d(instruction)/d(operand)
    internal double[] Arguments { get; } = new double[Primitive.MaxArity];

    // Second order (Hessian-vector products), allocated on first use.
    internal double[]? AdjointTangents { get; set; }
    internal double[]? PartialTangents { get; set; }   // one per operand slot: the directional derivative of the partial

    private Dictionary<Primitive, (Tape, Workspace)>? secondPartials;

    // The second-partials tape of a primitive and this thread's buffers for it.
    internal (Tape Tape, Workspace Workspace) SecondPartials(Primitive row)
    {
        secondPartials ??= [];
        if (!secondPartials.TryGetValue(row, out var entry))
        {
            var tape = Tape.SecondPartialsOf(row);
            secondPartials[row] = entry = (tape, tape.CreateWorkspace());
        }
        return entry;
    }
}
