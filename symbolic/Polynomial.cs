// Dense univariate polynomials with exact rational coefficients: just enough algebra for
// Simplify's rational cancellation (Euclid's algorithm for the gcd, exact division).
namespace Hybrid.Symbolic;

internal sealed class Polynomial
{
    private const int MaxDegree = 256;
    private readonly Rational[] coefficients;   // coefficients[k] multiplies x^k; the last is non-zero

    private Polynomial(Rational[] coefficients)
    {
        int n = coefficients.Length;
        while (n > 0 && coefficients[n - 1].IsZero) n--;
        this.coefficients = coefficients[..n];
    }

    public int Degree => coefficients.Length - 1;
    public bool IsZero => coefficients.Length == 0;
    private Rational Leading => coefficients[^1];

    /// <summary>Reads an expanded expression as a polynomial in x, or null when it is not one.</summary>
    public static Polynomial? From(Expr expanded, Symbol x)
    {
        var terms = expanded is Sum s ? s.Args : [expanded];
        var result = new Rational[1];
        foreach (var term in terms)
        {
            var (coefficient, rest) = Build.SplitCoefficient(term);
            if (coefficient is not Number c) return null;
            int degree;
            if (rest is Number restNumber) { c = (Number)Build.Number(c.Value * restNumber.Value); degree = 0; }
            else if (rest.Equals(x)) degree = 1;
            else if (rest is Power { Exponent: Number { Value: { IsInteger: true, Sign: > 0 } k } } p && p.Base.Equals(x) && k.Numerator <= MaxDegree) degree = (int)k.Numerator;
            else return null;
            if (degree >= result.Length) Array.Resize(ref result, degree + 1);
            result[degree] += c.Value;
        }
        return new Polynomial(result);
    }

    public Expr ToExpr(Symbol x) => Build.Add(coefficients.Select((c, k) => Build.Multiply(Build.Number(c), Build.Pow(x, k))));

    public (Polynomial Quotient, Polynomial Remainder) DivideBy(Polynomial divisor)
    {
        var remainder = (Rational[])coefficients.Clone();
        var quotient = new Rational[Math.Max(1, Degree - divisor.Degree + 1)];
        for (int k = Degree; k >= divisor.Degree; k--)
        {
            var factor = remainder[k] / divisor.Leading;
            if (factor.IsZero) continue;
            quotient[k - divisor.Degree] = factor;
            for (int j = 0; j <= divisor.Degree; j++) remainder[k - divisor.Degree + j] -= factor * divisor.coefficients[j];
        }
        return (new Polynomial(quotient), new Polynomial(remainder));
    }

    /// <summary>The product, or null past the degree limit.</summary>
    public Polynomial? Times(Polynomial other)
    {
        if (IsZero || other.IsZero) return new Polynomial([]);
        if (Degree + other.Degree > MaxDegree) return null;
        var product = new Rational[Degree + other.Degree + 1];
        for (int i = 0; i <= Degree; i++)
            for (int j = 0; j <= other.Degree; j++) product[i + j] += coefficients[i] * other.coefficients[j];
        return new Polynomial(product);
    }

    public Polynomial Plus(Polynomial other)
    {
        var sum = new Rational[Math.Max(coefficients.Length, other.coefficients.Length)];
        for (int k = 0; k < sum.Length; k++)
            sum[k] = (k < coefficients.Length ? coefficients[k] : default) + (k < other.coefficients.Length ? other.coefficients[k] : default);
        return new Polynomial(sum);
    }

    public static Polynomial Gcd(Polynomial a, Polynomial b, Deadline deadline)
    {
        while (!b.IsZero)
        {
            deadline.Check();
            (a, b) = (b, a.DivideBy(b).Remainder);
        }
        return a.IsZero ? a : new Polynomial(a.coefficients.Select(c => c / a.Leading).ToArray());   // monic
    }
}
