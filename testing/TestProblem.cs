// Classic minimization test problems as data (Moré, Garbow and Hillstrom, 1981): the function as an
// expression, its variables, the standard start and the known minimizer. Tests and benchmarks share them.
using Hybrid.Symbolic;

namespace Hybrid.Testing;

/// <summary>A minimization problem with a known minimizer.</summary>
public sealed record TestProblem(string Name, Expr Function, Expr[] Variables, double[] Start, double[] Minimizer)
{
    /// <summary>Extended Rosenbrock, Σ 100 (x_{i+1} − x_i²)² + (1 − x_i)², from (−1.2, 1, −1.2, 1, …); minimum 0 at (1, …, 1).</summary>
    public static TestProblem Rosenbrock(int n)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(n, 2);
        var x = Enumerable.Range(0, n).Select(i => Expr.Symbol($"x{i}")).ToArray();
        return new($"Rosenbrock (n = {n})", Workloads.Rosenbrock(x), x,
            Enumerable.Range(0, n).Select(i => i % 2 == 0 ? -1.2 : 1.0).ToArray(), Enumerable.Repeat(1.0, n).ToArray());
    }

    /// <summary>Beale: (1.5 − x + xy)² + (2.25 − x + xy²)² + (2.625 − x + xy³)², from (1, 1); minimum 0 at (3, 0.5).</summary>
    public static TestProblem Beale()
    {
        var (x, y) = (Expr.Symbol("x"), Expr.Symbol("y"));
        var f = Expr.Pow(Expr.Rational(3, 2) - x + x * y, 2) + Expr.Pow(Expr.Rational(9, 4) - x + x * Expr.Pow(y, 2), 2)
                + Expr.Pow(Expr.Rational(21, 8) - x + x * Expr.Pow(y, 3), 2);
        return new("Beale", f, [x, y], [1, 1], [3, 0.5]);
    }

    /// <summary>Helical valley: 100[(x₃ − 10θ)² + (√(x₁² + x₂²) − 1)²] + x₃², from (−1, 0, 0); minimum 0 at (1, 0, 0).</summary>
    public static TestProblem HelicalValley()
    {
        var x = Expr.Symbols("x1", "x2", "x3");
        var theta = Expr.Atan2(x[1], x[0]) / (2 * Expr.Pi);
        var f = 100 * (Expr.Pow(x[2] - 10 * theta, 2) + Expr.Pow(Expr.Sqrt(Expr.Pow(x[0], 2) + Expr.Pow(x[1], 2)) - 1, 2)) + Expr.Pow(x[2], 2);
        return new("helical valley", f, x, [-1, 0, 0], [1, 0, 0]);
    }

    /// <inheritdoc/>
    public override string ToString() => Name;
}
