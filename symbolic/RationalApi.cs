// The rational transforms of the public API (SymPy's together, cancel, factor, apart, collect,
// numer/denom, gcd, lcm, div). Each treats every non-rational subterm (a symbol, sin(x), exp(x),
// sqrt(1 - x)) as a variable, with the relations between them that RationalForm knows; each takes a
// time budget and a cancellation token, and names the limit it meets.
namespace Hybrid.Symbolic;

public abstract partial class Expr
{
    private Deadline RationalDeadline(string what, TimeSpan? timeout, CancellationToken cancellationToken) =>
        new(what, timeout ?? Limits.RationalTimeout, cancellationToken);

    /// <summary>
    /// Sums of fractions over their least common denominator, as SymPy's together: <c>1/x + 1/y</c> is
    /// <c>(x + y)/(x*y)</c>. Structural: nothing is expanded, and only equal factors (compared as
    /// expressions) cancel, so it is fast on any input; <see cref="Cancel"/> finds every common factor.
    /// Function arguments are left as they are.
    /// </summary>
    /// <param name="timeout">The time budget; <see cref="Limits.RationalTimeout"/> (10 s) when null, <see cref="Timeout.InfiniteTimeSpan"/> for none.</param>
    /// <param name="cancellationToken">Stops the transform early with <see cref="OperationCanceledException"/>.</param>
    /// <exception cref="LimitExceededException">A polynomial passed <see cref="Limits.MaxPolynomialTerms"/> or <see cref="Limits.MaxPolynomialDegree"/>, a coefficient <see cref="Limits.MaxBits"/>, or the time ran out.</exception>
    public Expr Together(TimeSpan? timeout = null, CancellationToken cancellationToken = default) =>
        RationalTransforms.Together(this, RationalDeadline("Together", timeout, cancellationToken));

    /// <summary>
    /// The canonical rational form N/D: numerator and denominator expanded, without a common factor,
    /// the denominator with integer coprime coefficients and a positive leading term:
    /// <c>(x^2 - 1)/(x - 1)</c> is <c>x + 1</c>. Equal rational functions get equal results.
    /// Valid wherever the input is defined (the cancelled factor may vanish elsewhere: at x = 1 above).
    /// </summary>
    /// <inheritdoc cref="Together" path="/param"/>
    /// <inheritdoc cref="Together" path="/exception"/>
    public Expr Cancel(TimeSpan? timeout = null, CancellationToken cancellationToken = default) =>
        RationalTransforms.Cancel(this, RationalDeadline("Cancel", timeout, cancellationToken));

    /// <summary>
    /// Numerator and denominator factored over Q: <c>x^3 - x</c> is <c>x*(x - 1)*(x + 1)</c>. Univariate
    /// polynomials factor completely (Zassenhaus); several variables factor by content, square-free
    /// parts and, when homogeneous, through one variable (<c>x^2 - y^2 = (x - y)*(x + y)</c>); other
    /// square-free factors of several variables are left as they are.
    /// </summary>
    /// <inheritdoc cref="Together" path="/param"/>
    /// <inheritdoc cref="Together" path="/exception"/>
    public Expr Factor(TimeSpan? timeout = null, CancellationToken cancellationToken = default) =>
        RationalTransforms.Factor(this, RationalDeadline("Factor", timeout, cancellationToken));

    /// <summary>The numerator of <see cref="Together"/>: <c>x + y</c> for <c>1/x + 1/y</c> (SymPy's numer).</summary>
    /// <inheritdoc cref="Together" path="/param"/>
    /// <inheritdoc cref="Together" path="/exception"/>
    public Expr Numerator(TimeSpan? timeout = null, CancellationToken cancellationToken = default) =>
        RationalTransforms.Fraction(this, RationalDeadline("Numerator", timeout, cancellationToken)).Numerator;

    /// <summary>The denominator of <see cref="Together"/>: <c>x*y</c> for <c>1/x + 1/y</c>; 1 for a polynomial (SymPy's denom).</summary>
    /// <inheritdoc cref="Together" path="/param"/>
    /// <inheritdoc cref="Together" path="/exception"/>
    public Expr Denominator(TimeSpan? timeout = null, CancellationToken cancellationToken = default) =>
        RationalTransforms.Fraction(this, RationalDeadline("Denominator", timeout, cancellationToken)).Denominator;

    /// <summary>Both parts of <see cref="Together"/> from one pass (SymPy's fraction): <c>(x + y, x*y)</c> for <c>1/x + 1/y</c>.</summary>
    /// <inheritdoc cref="Together" path="/param"/>
    /// <inheritdoc cref="Together" path="/exception"/>
    public (Expr Numerator, Expr Denominator) Fraction(TimeSpan? timeout = null, CancellationToken cancellationToken = default) =>
        RationalTransforms.Fraction(this, RationalDeadline("Fraction", timeout, cancellationToken));

    /// <summary>
    /// Partial fractions in <paramref name="x"/>: a polynomial plus a sum of <c>c(x)/q(x)^k</c> over
    /// the irreducible factors q of the denominator over Q, <c>1/(x^2 - 1)</c> is
    /// <c>1/(2*(x - 1)) - 1/(2*(x + 1))</c>. The expression must be a rational function of x alone
    /// with rational coefficients (no other symbols).
    /// </summary>
    /// <exception cref="ArgumentException">The expression has other variables or functions, or a float.</exception>
    /// <inheritdoc cref="Together" path="/param"/>
    public Expr Apart(Expr x, TimeSpan? timeout = null, CancellationToken cancellationToken = default) =>
        RationalTransforms.Apart(this, AsSymbol(x), RationalDeadline("Apart", timeout, cancellationToken));

    /// <summary>
    /// The terms of a sum grouped by powers of <paramref name="x"/> (a symbol or any subexpression):
    /// <c>a*x + b*x + x^2</c> is <c>(a + b)*x + x^2</c>. Like SymPy's collect it does not expand first
    /// (<c>Expand().Collect(x)</c> does).
    /// </summary>
    /// <exception cref="LimitExceededException">The time ran out.</exception>
    /// <inheritdoc cref="Together" path="/param"/>
    public Expr Collect(Expr x, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(x);
        return RationalTransforms.Collect(this, x, RationalDeadline("Collect", timeout, cancellationToken));
    }

    /// <summary>
    /// The greatest common divisor of two polynomials over Q (non-rational subterms as variables),
    /// normalized to integer coprime coefficients and a positive leading term: <c>Gcd(x^2 - 1, x^2 + 2x + 1)</c> is <c>x + 1</c>.
    /// </summary>
    /// <exception cref="ArgumentException">An argument is not a polynomial (it has a denominator) or holds a float.</exception>
    /// <inheritdoc cref="Together" path="/param"/>
    public static Expr Gcd(Expr a, Expr b, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        return RationalTransforms.Gcd(a, b, a.RationalDeadline("Gcd", timeout, cancellationToken));
    }

    /// <summary>The least common multiple of two polynomials, normalized as <see cref="Gcd"/>.</summary>
    /// <exception cref="ArgumentException">An argument is not a polynomial or holds a float.</exception>
    /// <inheritdoc cref="Together" path="/param"/>
    public static Expr Lcm(Expr a, Expr b, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        return RationalTransforms.Lcm(a, b, a.RationalDeadline("Lcm", timeout, cancellationToken));
    }

    /// <summary>
    /// Division with remainder, <c>a = q*b + r</c>, in the lexicographic order of the variables sorted as
    /// expressions (so for one variable, ordinary polynomial division: deg r &lt; deg b).
    /// </summary>
    /// <exception cref="ArgumentException">An argument is not a polynomial or holds a float.</exception>
    /// <exception cref="DivideByZeroException"><paramref name="b"/> is zero.</exception>
    /// <inheritdoc cref="Together" path="/param"/>
    public static (Expr Quotient, Expr Remainder) Divide(Expr a, Expr b, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        return RationalTransforms.Divide(a, b, a.RationalDeadline("Divide", timeout, cancellationToken));
    }
}
