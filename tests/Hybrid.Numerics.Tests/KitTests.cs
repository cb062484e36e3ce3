// The property-testing kit users reference: its assertions pass on right code, fail on wrong code with
// the shrunk counterexample, and its generators keep their promises.
using FsCheck.Fluent;
using Hybrid.Numerics;
using Hybrid.Testing;
using MathNet.Numerics.LinearAlgebra;

namespace Hybrid.Numerics.Tests;

public class KitTests
{
    private static readonly Expr x = Symbol("x");

    // A user's logistic loss log(1 + e^(−y·w·x)) over (w, b) with a hand-written gradient.
    private static double Loss(double[] p) => Math.Log(1 + Math.Exp(-(p[0] * 1.5 + p[1])));
    private static double[] LossGradient(double[] p, double chain)
    {
        double s = 1 / (1 + Math.Exp(p[0] * 1.5 + p[1]));   // σ(−z)
        return [-chain * s, -s];
    }

    [Fact]
    public void GradientsAgreeAcceptsARightHandWrittenGradient() =>
        Properties.GradientsAgree(Loss, p => LossGradient(p, 1.5), dimension: 2, low: -3, high: 3);

    [Fact]
    public void GradientsAgreeRejectsAMissingChainFactorWithTheShrunkPoint()
    {
        var e = Assert.Throws<PropertyFailedException>(() => Properties.GradientsAgree(Loss, p => LossGradient(p, 1), dimension: 2, low: -3, high: 3));
        // The point shrinks toward the centre of the box: (0, 0) already fails.
        Assert.StartsWith("the gradient disagrees with finite differences at (0, 0):", e.Message);
        Assert.Contains("∂f/∂x[0]", e.Message);
        Assert.Contains("FAIL", e.Message);
        Assert.Contains("Falsifiable", e.Message);
    }

    // A user's differentiator with a bug: its gradient is 1.5 times too large wherever exp appears.
    private static double[] MyDifferentiator(GradientCase c)
    {
        var d = c.Expression.Gradient(c.Symbols);
        bool usesExp = c.Expression.ToString().Contains("exp(");
        return d.Select(v => v.Evaluate(c.Bindings) * (usesExp ? 1.5 : 1)).ToArray();
    }

    [Fact]
    public void GradientsAgreeOnExpressionsShrinksToASmallCounterexample()
    {
        var shape = new ExpressionShape { Primitives = [Primitives.Exp, Primitives.Sin] };
        Properties.GradientsAgree(Gradients.Exact, Gradients.ReverseMode, shape, maxTest: 50);
        var e = Assert.Throws<PropertyFailedException>(() =>
        {
            // Seeded: how far FsCheck shrinks depends on the run (one CI run kept a 10-node case).
            Properties.GradientsAgree(Gradients.Exact, MyDifferentiator, shape, maxTest: 200, replay: (20261129, 1000003));
        });
        var first = e.Message.Split('\n')[0];
        Assert.StartsWith("gradients disagree for f = ", first);
        Assert.Contains("by Exact and", first);
        Assert.Contains("by MyDifferentiator", first);
        string shrunk = first["gradients disagree for f = ".Length..first.IndexOf(" at ")];
        var expression = Parse(shrunk);
        Assert.Contains("exp(", shrunk);
        Assert.True(expression.TreeSize() <= 6, $"not shrunk: {shrunk}");
    }

    [Fact]
    public void IsSoundRewriteComparesWhereTheOriginalIsDefined()
    {
        Properties.IsSoundRewrite(Pow(x + 1, 2), Pow(x, 2) + 2 * x + 1);
        Properties.IsSoundRewrite(2 * Log(x), Log(Pow(x, 2)));   // log x is undefined for x < 0: nothing to compare there
        var e = Assert.Throws<PropertyFailedException>(() => Properties.IsSoundRewrite(Log(Pow(x, 2)), 2 * Log(x)));
        Assert.StartsWith("the rewrite changes the value at x = -", e.Message);
        Assert.Contains("before: log(x^2) = ", e.Message);
        Assert.Contains("after:  2*log(x) = NaN", e.Message);
        var wrong = Assert.Throws<PropertyFailedException>(() => Properties.IsSoundRewrite(Pow(x + 1, 2), Pow(x, 2) + 1));
        Assert.StartsWith("the rewrite changes the value at x = ", wrong.Message);
        Assert.Contains("before: (x + 1)^2 = ", wrong.Message);
        Assert.Throws<PropertyFailedException>(() => Properties.IsSoundRewrite(Pi, Expr.Float(3.14)));
    }

    [Fact]
    public void IsSoundRewriteOnGeneratedExpressions()
    {
        Properties.IsSoundRewrite(e => e.Expand(), relative: 1e-6, maxTest: 50);
        // A wrong rewrite rule: sin → cos everywhere.
        Expr SinToCos(Expr e) => e.Substitute(Primitives.Sin.Apply(x), Cos(x));
        var shape = new ExpressionShape { Primitives = [Primitives.Sin, Primitives.Exp] };
        var error = Assert.Throws<PropertyFailedException>(() => Properties.IsSoundRewrite(SinToCos, shape, maxTest: 300));
        Assert.Matches(@"before: .*sin\(x\)", error.Message);
        Assert.Matches(@"after:  .*cos\(x\)", error.Message);
    }

    [FsCheck.Xunit.Property(MaxTest = 30)]
    public FsCheck.Property WellConditionedMatricesKeepTheirCondition() =>
        Prop.ForAll(Arb.From(Generators.WellConditionedMatrices(5, 50)), a =>
        {
            double condition = a.ConditionNumber();
            return condition <= 50 * (1 + 1e-9) && condition >= 50 * (1 - 1e-9);
        });

    [FsCheck.Xunit.Property(MaxTest = 30)]
    public FsCheck.Property SymmetricPositiveDefiniteMatricesAreSo() =>
        Prop.ForAll(Arb.From(Generators.SymmetricPositiveDefinite(4, 10)), a =>
            a.Equals(a.Transpose()) && a.Evd().EigenValues.All(l => l.Real >= 1 - 1e-9 && l.Real <= 10 + 1e-9));

    [FsCheck.Xunit.Property(MaxTest = 100)]
    public FsCheck.Property BoxPointsStayInTheBox() =>
        Prop.ForAll(Generators.BoxPoints(3, -1, 5), p => p.Length == 3 && p.All(v => v >= -1 && v <= 5)
            && Generators.BoxPoints(3, -1, 5).Shrinker(p).All(q => q.All(v => v >= -1 && v <= 5)));

    [Fact]
    public void VectorsHaveTheirLength() =>
        Assert.All(Gen.Sample(Generators.Vectors(7, -2, 2), 10), (Vector<double> v) => Assert.True(v.Count == 7 && v.AbsoluteMaximum() <= 2));

    [Fact]
    public void PointsInDomainAreWhereTheExpressionIsDefined()
    {
        var (u, v) = (Symbol("u"), Symbol("v"));
        var e = Log(u) * Sqrt(v - u);   // defined for 0 < u ≤ v
        var points = Gen.Sample(Generators.PointsInDomain(e, ["u", "v"]), 200);
        Assert.All(points, p => Assert.True(p["u"] > 0 && p["v"] >= p["u"] && p["u"] <= 2 && p["v"] <= 2, $"{p["u"]}, {p["v"]}"));
        var nowhere = Assert.Throws<InvalidOperationException>(() => Gen.Sample(Generators.PointsInDomain(Log(u), ["u"], -3, -1), 1));
        Assert.Contains("not defined at any of 1000 random points of [-3, -1]^1", nowhere.Message);
        Assert.Contains("uses v", Assert.Throws<ArgumentException>(() => Generators.PointsInDomain(e, ["u"])).Message);
    }

    [Fact]
    public void AFailureReplaysFromItsSeed()
    {
        var shape = new ExpressionShape { Primitives = [Primitives.Exp, Primitives.Sin] };
        var first = Assert.Throws<PropertyFailedException>(() => Properties.GradientsAgree(Gradients.Exact, MyDifferentiator, shape, maxTest: 200));
        var seed = System.Text.RegularExpressions.Regex.Match(first.Message, @"\((\d+),(\d+)\)");
        Assert.True(seed.Success, first.Message);
        (ulong, ulong) replay = (ulong.Parse(seed.Groups[1].Value), ulong.Parse(seed.Groups[2].Value));
        var again = Assert.Throws<PropertyFailedException>(() => Properties.GradientsAgree(Gradients.Exact, MyDifferentiator, shape, maxTest: 200, replay: replay));
        static string Original(string message) => message[message.IndexOf("Original:")..message.IndexOf("Shrunk:")];
        Assert.Equal(Original(first.Message), Original(again.Message));   // the same random case, found again
        Assert.Equal(first.Message.Split('\n')[0], again.Message.Split('\n')[0]);
    }
}
