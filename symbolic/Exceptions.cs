// The two exceptions of the symbolic core that a caller may want to catch by type; parse errors
// have their own (ParseException). Each message names the node and the way out.
namespace Hybrid.Symbolic;

/// <summary>A checked evaluation met a value outside the real domain (NaN or infinity from finite inputs).</summary>
public sealed class DomainException(string message, Expr node, IReadOnlyList<double> arguments) : ArithmeticException(message)
{
    /// <summary>The subexpression whose value left the domain.</summary>
    public Expr Node { get; } = node;
    /// <summary>The values of its children at that point.</summary>
    public IReadOnlyList<double> Arguments { get; } = arguments;
}

/// <summary>A strict evaluation met a point where a function is not differentiable (a kink or a jump).</summary>
public sealed class NotDifferentiableException(string message, Expr node, IReadOnlyList<double> arguments) : ArithmeticException(message)
{
    /// <summary>The subexpression evaluated at its kink.</summary>
    public Expr Node { get; } = node;
    /// <summary>The values of its arguments at that point.</summary>
    public IReadOnlyList<double> Arguments { get; } = arguments;
}
