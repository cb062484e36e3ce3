// The buffers one evaluation of a tape needs: allocated once per tape and reused, so evaluating
// and differentiating allocate nothing after the first call. Not thread-safe: one per thread.
namespace Hybrid.Tape;

/// <summary>Reusable buffers for evaluating a <see cref="Tape"/>: values, adjoints and local partials.</summary>
public sealed class Workspace
{
    internal Workspace(Tape tape)
    {
        Tape = tape;
        Values = new double[tape.Length];
        Adjoints = new double[tape.Length];
        Tangents = new double[tape.Length];
        Partials = new double[tape.OperandCount];
    }

    /// <summary>The tape these buffers are sized for.</summary>
    public Tape Tape { get; }

    internal double[] Values { get; }
    internal double[] Adjoints { get; }
    internal double[] Tangents { get; }
    internal double[] Partials { get; }   // one per operand slot: d(instruction)/d(operand)
    internal double[] Arguments { get; } = new double[3];
}
