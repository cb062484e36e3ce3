// Differentiation: conventions at kinks, the where NaN trap, atan2, strict and checked modes,
// agreement with finite differences on generated expressions, the rules of calculus, and sharing.
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Hybrid.Numerics;
using Hybrid.Testing;
using static Hybrid.Symbolic.Expr;

namespace Hybrid.Symbolic.Tests;

public class CalculusTests
{
    private static readonly Expr x = Symbol("x"), y = Symbol("y");

    private static double At(Expr e, double xv, double yv = 0) => e.Evaluate(("x", xv), ("y", yv));

    [Fact]
    public void DerivativesOfElementaryForms()
    {
        Assert.Equal("x^2*cos(x) + 2*x*sin(x)", (Sin(x) * Pow(x, 2)).Differentiate(x).ToString());
        Assert.Equal("1/(2*sqrt(x))", Sqrt(x).Differentiate(x).ToString());
        Assert.Equal("x^x*(log(x) + 1)", Pow(x, x).Differentiate(x).ToString());
        Assert.Equal("2^x*log(2)", Pow(2, x).Differentiate(x).ToString());
        Assert.Equal("0", Sin(y).Differentiate(x).ToString());
        Assert.Equal("sign(x)", Abs(x).Differentiate(x).ToString());
    }

    [Fact]
    public void Atan2HasTheRightPartials()
    {
        var f = Atan2(y, x);
        Assert.Equal("x/(x^2 + y^2)", f.Differentiate(y).ToString());
        Assert.Equal("-y/(x^2 + y^2)", f.Differentiate(x).ToString());
        Assert.Equal(-2 / 5.0, At(f.Differentiate(x), 1, 2), 15);
        Assert.Equal(1 / 5.0, At(f.Differentiate(y), 1, 2), 15);
    }

    [Fact]
    public void KinksFollowTheOneConvention()
    {
        Assert.Equal(0, At(Abs(x).Differentiate(x), 0));
        Assert.Equal(0, At(Relu(x).Differentiate(x), 0));
        Assert.Equal(0, At(Sign(x).Differentiate(x), 0));
        Assert.Equal(double.PositiveInfinity, At(Sqrt(x).Differentiate(x), 0));
        Assert.Equal(0.5, At(Max(x, y).Differentiate(x), 1, 1));
        Assert.Equal(0.5, At(Min(x, y).Differentiate(y), 1, 1));
        Assert.Equal(1, At(Max(x, y).Differentiate(x), 2, 1));
        Assert.Equal(0, At(Max(x, y).Differentiate(x), 0, 1));
    }

    [Fact]
    public void WhereNeverLeaksTheUntakenBranch()
    {
        var f = Where(Greater(x, 0), Sqrt(x), 0);
        var df = f.Differentiate(x);
        Assert.Equal("where(x > 0, 1/(2*sqrt(x)), 0)", df.ToString());
        Assert.Equal(0, At(df, -1));
        Assert.Equal(0.25, At(df, 4));
        Assert.Equal(0, At(f, -1));
    }

    [Fact]
    public void StrictModeReportsTheKinkInsteadOfASubgradient()
    {
        var strict = new EvaluationOptions { Strict = true };
        var at0 = new Dictionary<string, double> { ["x"] = 0, ["y"] = 0 };
        var error = Assert.Throws<NotDifferentiableException>(() => (Abs(x) + 1).Evaluate(at0, strict));
        Assert.Equal("abs is not differentiable (abs'(0) = 0) at abs(x) with arguments (0); the strict mode reports it instead of using the convention.", error.Message);
        Assert.Equal(Abs(x), error.Node);
        Assert.Contains("relu is not differentiable", Assert.Throws<NotDifferentiableException>(() => Relu(x).Evaluate(at0, strict)).Message);
        Assert.Contains("max is not differentiable", Assert.Throws<NotDifferentiableException>(() => Max(x, y).Evaluate(at0, strict)).Message);
        Assert.Contains("x^(1/2) is not differentiable at x = 0", Assert.Throws<NotDifferentiableException>(() => Sqrt(x).Evaluate(at0, strict)).Message);
        Assert.Equal(1, Abs(x).Evaluate(new Dictionary<string, double> { ["x"] = -1 }, strict));
    }

    [Fact]
    public void CheckedModeNamesTheNodeAndValue()
    {
        var f = Sin(x) + Log(x - 2);
        Assert.True(double.IsNaN(At(f, 1)));
        var error = Assert.Throws<DomainException>(() => f.Evaluate(new Dictionary<string, double> { ["x"] = 1 }, new EvaluationOptions { Checked = true }));
        Assert.Equal("log(x - 2) is NaN at arguments (-1): outside its real domain.", error.Message);
        Assert.Equal(Log(x - 2), error.Node);
    }

    [Fact]
    public void AMissingVariableIsNamed()
    {
        var error = Assert.Throws<KeyNotFoundException>(() => (x + y).Evaluate(("x", 1)));
        Assert.Equal("No value for the variable 'y'; bind it (bound: x).", error.Message);
    }

    [Fact]
    public void HigherDerivatives()
    {
        Assert.Equal(Sin(x), Sin(x).Differentiate(x, 4));
        Assert.Equal(Number(120), Pow(x, 5).Differentiate(x, 5));
        Assert.Equal(Number(0), Pow(x, 5).Differentiate(x, 6));
        Assert.Throws<ArgumentException>(() => Sin(x).Differentiate(x + 1));
    }

    [Fact]
    public void GradientJacobianHessian()
    {
        var f = Pow(x, 2) * y + Sin(x * y);
        var g = f.Gradient(x, y);
        Assert.Equal(f.Differentiate(x), g[0]);
        Assert.Equal(f.Differentiate(y), g[1]);
        var h = f.Hessian(x, y);
        Assert.Equal("-y^2*sin(x*y) + 2*y", h[0, 0].ToString());
        Assert.Equal(At(h[0, 1], 0.3, 0.7), At(h[1, 0], 0.3, 0.7), 14);
        var j = Jacobian([x * y, x + y], [x, y]);
        Assert.Equal(new[] { y, x, 1, 1 }, new[] { j[0, 0], j[0, 1], j[1, 0], j[1, 1] });
    }

    private static readonly ExpressionShape smooth = new();

    private static Property Holds(Expr e, Dictionary<string, double> point, Func<double, double, bool> test, double exact, double reference, string what) =>
        Prop.When(double.IsFinite(exact) && double.IsFinite(reference) && Math.Abs(exact) < 1e4 && Math.Abs(e.Evaluate(point)) < 1e4,
            () => test(exact, reference)).Label($"{what}: {e} at {string.Join(", ", point)}: {exact} vs {reference}");

    [Property(MaxTest = 300)]
    public Property DerivativeAgreesWithFiniteDifferences() =>
        Prop.ForAll(Generators.ExpressionsAtPoints(smooth), pair =>
        {
            var (e, point) = pair;
            double exact = e.Differentiate(x).Evaluate(point);
            var (fd, error) = FiniteDifference.DerivativeWithError(t => e.Evaluate(new Dictionary<string, double>(point) { ["x"] = t }), point["x"]);
            // Where the oracle itself is unsure (a very steep function), the point says nothing.
            return Holds(e, point, (a, b) => error < 1e-6 * (1 + Math.Abs(fd)) && FiniteDifference.Close(a, b, 1e-6, 1e-6) || error >= 1e-6 * (1 + Math.Abs(fd)),
                exact, fd, $"d/dx vs finite differences (oracle error {error})");
        });

    [Property(MaxTest = 150)]
    public Property LinearityProductAndChainRules() =>
        Prop.ForAll(Generators.ExpressionsAtPoints(smooth), Generators.ArbitraryExpressions(smooth), (pair, g) =>
        {
            var (f, point) = pair;
            double F(Expr e) => e.Evaluate(point);
            var (df, dg) = (f.Differentiate(x), g.Differentiate(x));
            var composed = f.Substitute(x, g);   // f(g(x), y)
            double chain = F(df.Substitute(x, g)) * F(dg);
            bool ok(double a, double b) => FiniteDifference.Close(a, b, 1e-9, 1e-9);
            return Prop.When(new[] { F(f), F(g), F(df), F(dg), chain, F(composed) }.All(v => double.IsFinite(v) && Math.Abs(v) < 1e6), () =>
                ok(F((3 * f - g / 2).Differentiate(x)), 3 * F(df) - F(dg) / 2)
                && ok(F((f * g).Differentiate(x)), F(df) * F(g) + F(f) * F(dg))
                && ok(F(composed.Differentiate(x)), chain))
                .Label($"f = {f}, g = {g} at {string.Join(", ", point)}");
        });

    [Property(MaxTest = 100)]
    public Property HessiansAreSymmetric() =>
        Prop.ForAll(Generators.ExpressionsAtPoints(smooth), pair =>
        {
            var (f, point) = pair;
            var h = f.Hessian(x, y);
            var (a, b) = (h[0, 1].Evaluate(point), h[1, 0].Evaluate(point));
            return Holds(f, point, (u, v) => FiniteDifference.Close(u, v, 1e-9, 1e-9), a, b, "H[x,y] vs H[y,x]");
        });

    [Theory]
    [InlineData(5, -19.7768552627)]
    [InlineData(10, -455.412257322)]
    [InlineData(20, -535778.129273)]
    public void LogisticMapDerivativeIsSharedAndRight(int k, double reference)
    {
        var f = x;
        for (int i = 0; i < k; i++) f = 4 * f * (1 - f);
        var df = f.Differentiate(x);
        Assert.True(df.DagSize() <= 30 * k, $"derivative DAG has {df.DagSize()} nodes for k = {k}: not linear");
        Assert.True(FiniteDifference.Close(At(df, 0.3), reference, 1e-9, 0), $"{At(df, 0.3)} vs {reference}");
    }

    [Fact]
    public void DeepCompositionsDifferentiateLinearly()
    {
        var f = x;
        for (int i = 0; i < 40; i++) f = Sin(f + x);
        var df = f.Differentiate(x);
        Assert.True(df.DagSize() < 40 * 12, $"{df.DagSize()} nodes");
        double fd = FiniteDifference.Derivative(t => At(f, t), 0.3);
        Assert.True(FiniteDifference.Close(At(df, 0.3), fd, 1e-7, 1e-9));

        var logistic = x;
        for (int i = 0; i < 40; i++) logistic = 4 * logistic * (1 - logistic);
        var dLogistic = logistic.Differentiate(x);
        Assert.True(dLogistic.DagSize() < 40 * 30, $"{dLogistic.DagSize()} nodes");
        Assert.True(dLogistic.TreeSize() > 1_000_000_000_000, "as a tree the same derivative would be astronomically large; sharing keeps it small");
    }
}
