// The polynomial kernels of issue 13: the classic gcd of two dense trivariate polynomials with a
// common factor (total degree 10, 13 and 20), and factoring x^n - 1 (cyclotomic, n up to 120) and a
// polynomial that splits modulo every prime (Swinnerton-Dyer's S3, degree 8: Zassenhaus's hard case)
// and a product of four random irreducible quartics. bench/sympy_kernels.py times the same in SymPy.
using BenchmarkDotNet.Attributes;
using Hybrid.Symbolic;

namespace Hybrid.Bench;

[MemoryDiagnoser]
public class PolynomialGcdBenchmarks
{
    private Expr a = Expr.Number(0), b = Expr.Number(0);

    /// <summary>The degrees of the common factor and of each cofactor.</summary>
    [Params("5+5", "5+8", "10+10")]
    public string Degrees { get; set; } = "5+5";

    [GlobalSetup]
    public void Setup() => (a, b) = GcdInputs(Degrees);

    /// <summary>g = (1 + x + y + z)^k + 1 times (x + 2y - z + 3)^m + 1, and g times (2x - y + z - 1)^m - x, expanded.</summary>
    public static (Expr A, Expr B) GcdInputs(string degrees)
    {
        var (k, m) = (int.Parse(degrees.Split('+')[0]), int.Parse(degrees.Split('+')[1]));
        var g = Expr.Parse($"(1 + x + y + z)^{k} + 1");
        return ((g * Expr.Parse($"(x + 2*y - z + 3)^{m} + 1")).Expand(), (g * Expr.Parse($"(2*x - y + z - 1)^{m} - x")).Expand());
    }

    [Benchmark]
    public Expr Gcd() => Expr.Gcd(a, b, Timeout.InfiniteTimeSpan);
}

[MemoryDiagnoser]
public class PolynomialFactorBenchmarks
{
    private Expr input = Expr.Number(0);

    [Params("x^30 - 1", "x^60 - 1", "x^120 - 1", "x^8 - 40*x^6 + 352*x^4 - 960*x^2 + 576",
            "(x^4 + 3*x + 1)*(x^4 - 2*x^3 + 5)*(3*x^4 + x^2 - 7)*(x^4 + x^3 + x^2 + x - 11)")]
    public string Polynomial { get; set; } = "x^30 - 1";

    [GlobalSetup]
    public void Setup() => input = Expr.Parse(Polynomial).Expand();

    [Benchmark]
    public Expr Factor() => input.Factor(Timeout.InfiniteTimeSpan);
}
