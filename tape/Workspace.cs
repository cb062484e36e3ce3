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

    // Second order (Hessian-vector products), allocated on first use and grown to the largest block of directions asked:
    // tangents and adjoint tangents per instruction and direction, and one instruction's partial tangents.
    private double[]? tangentBlock, adjointTangentBlock, partialTangentBlock;

    internal (double[] Tangents, double[] AdjointTangents) TangentBlocks(int length)
    {
        if (tangentBlock is null || tangentBlock.Length < length) (tangentBlock, adjointTangentBlock) = (new double[length], new double[length]);
        return (tangentBlock, adjointTangentBlock!);
    }

    // A dense Hessian's unit directions and result rows, a block at a time.
    private double[]? units, rows;

    internal (double[] Units, double[] Rows) HessianBlocks(int length)
    {
        if (units is null || units.Length != length) (units, rows) = (new double[length], new double[length]);
        return (units, rows!);
    }

    internal double[] PartialTangentBlock(int length) =>
        partialTangentBlock is { } block && block.Length >= length ? block : partialTangentBlock = new double[length];

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
