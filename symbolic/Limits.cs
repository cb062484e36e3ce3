// Every limit of the symbolic core in one place, with its default. Past a limit, work ends in a
// LimitExceededException naming it, or (where the docs say so) stays unevaluated or returns the best
// result found; never a hang, a crash or a silent switch to floating point.
namespace Hybrid.Symbolic;

/// <summary>The declared limits of Hybrid.Symbolic; docs/symbolic.md lists what happens past each.</summary>
public static class Limits
{
    /// <summary>
    /// The most bits of an exact number's numerator or denominator (65 536 bits, about 19 700 decimal digits).
    /// An exact operation whose result would be larger throws <see cref="LimitExceededException"/>; an exact
    /// power that would be larger stays unevaluated (<c>2^(10^9)</c>); a longer integer literal is a parse error.
    /// </summary>
    public const int MaxBits = 1 << 16;

    /// <summary>The most decimal digits of an integer literal: the digits that fit in <see cref="MaxBits"/> bits.</summary>
    public const int MaxLiteralDigits = 19_728;

    /// <summary>The most terms <see cref="Expr.Expand(TimeSpan?, CancellationToken)"/> may produce before it throws.</summary>
    public const int MaxExpandedTerms = 1_000_000;

    /// <summary>The most terms a polynomial may have in the rational transforms (Together, Cancel, Factor, Apart, Simplify's rational form).</summary>
    public const int MaxPolynomialTerms = 100_000;

    /// <summary>The highest degree in one variable a polynomial may reach in the rational transforms.</summary>
    public const int MaxPolynomialDegree = 10_000;

    /// <summary>The time <see cref="Expr.Simplify(int, TimeSpan?, CancellationToken)"/> takes at most by default; then it returns the best result found so far.</summary>
    public static readonly TimeSpan SimplifyTimeout = TimeSpan.FromSeconds(2);

    /// <summary>The time <see cref="Expr.Expand(TimeSpan?, CancellationToken)"/> takes at most by default; then it throws <see cref="LimitExceededException"/>.</summary>
    public static readonly TimeSpan ExpandTimeout = TimeSpan.FromSeconds(10);

    /// <summary>The time the rational transforms (Together, Cancel, Factor, Apart, Collect, Numerator, Denominator, Gcd, Lcm, Divide) take at most by default; then they throw <see cref="LimitExceededException"/>.</summary>
    public static readonly TimeSpan RationalTimeout = TimeSpan.FromSeconds(10);
}
