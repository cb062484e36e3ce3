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

/// <summary>
/// Work stopped at one of the declared limits of <see cref="Limits"/>: an exact number past
/// <see cref="Limits.MaxBits"/>, an expansion past <see cref="Limits.MaxExpandedTerms"/>, or a transform past its time budget.
/// It derives from <see cref="InvalidOperationException"/>, so code that caught Expand's refusal before still does.
/// </summary>
public sealed class LimitExceededException(string message, string limit) : InvalidOperationException(message)
{
    /// <summary>The limit that was hit, as named in <see cref="Limits"/>: <c>MaxBits</c>, <c>MaxExpandedTerms</c>, <c>Timeout</c>, ...</summary>
    public string Limit { get; } = limit;
}
