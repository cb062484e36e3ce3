// The worked example of docs/property-testing.md, compiled and run: a user's hand-written gradient,
// tested with the kit. GuideTests checks that every code line of the guide is a line of this file.
using Hybrid.Numerics;
using Hybrid.Testing;

namespace Hybrid.Numerics.Tests;

// The user's code: a regularized logistic loss over weights w for three fixed samples, with a
// gradient written by hand.
public static class LogisticLoss
{
    static readonly double[][] Samples = [[1.0, 2.0, -1.0], [0.5, -1.0, 2.0], [-1.5, 0.3, 0.7]];
    static readonly double[] Labels = [1, -1, 1];

    public static double Value(double[] w)
    {
        double loss = 0.05 * w.Sum(v => v * v);
        for (int i = 0; i < Samples.Length; i++)
            loss += Math.Log(1 + Math.Exp(-Labels[i] * Dot(Samples[i], w)));
        return loss;
    }

    public static double[] Gradient(double[] w)
    {
        var g = w.Select(v => 0.1 * v).ToArray();
        for (int i = 0; i < Samples.Length; i++)
        {
            double s = 1 / (1 + Math.Exp(Labels[i] * Dot(Samples[i], w)));   // σ(−y·xᵀw)
            for (int j = 0; j < w.Length; j++) g[j] -= Labels[i] * s * Samples[i][j];
        }
        return g;
    }

    // The same gradient with a classic slip: the regularizer's factor 2 forgotten.
    public static double[] GradientWithASlip(double[] w)
    {
        var g = Gradient(w);
        for (int j = 0; j < w.Length; j++) g[j] -= 0.05 * w[j];
        return g;
    }

    static double Dot(double[] a, double[] b) => a.Zip(b, (p, q) => p * q).Sum();
}

public class LogisticLossTests
{
    [Fact]
    public void GradientAgreesWithFiniteDifferences() =>
        Properties.GradientsAgree(LogisticLoss.Value, LogisticLoss.Gradient, dimension: 3, low: -2, high: 2);

    [Fact]
    public void TheSlipIsCaught()
    {
        var failure = Assert.Throws<PropertyFailedException>(() =>
            Properties.GradientsAgree(LogisticLoss.Value, LogisticLoss.GradientWithASlip, dimension: 3, low: -2, high: 2));
        Assert.Contains("FAIL", failure.Message);
    }

    [Fact]
    public void OneReportAtChosenPoints()
    {
        var report = GradCheck.Run(LogisticLoss.Value, LogisticLoss.Gradient, [[0.1, -0.2, 0.3], [1.0, 1.0, 1.0]],
            new CheckOptions { Reference = DerivativeReference.Richardson, AbsoluteTolerance = 1e-9, RelativeTolerance = 1e-7 });
        Assert.True(report.Passed, report.ToString());
    }

    [Fact]
    public void TheSymbolicLossGivesAnExactReference()
    {
        var w = Expr.Symbols("w0", "w1", "w2");
        var loss = LossExpression(w);
        var report = GradCheck.Run(loss, w, [[0.1, -0.2, 0.3]]);   // our reverse mode vs the exact gradient
        Assert.True(report.Passed, report.ToString());
        Assert.Equal(LogisticLoss.Value([0.1, -0.2, 0.3]), loss.Evaluate(("w0", 0.1), ("w1", -0.2), ("w2", 0.3)), 12);
    }

    static Expr LossExpression(Expr[] w) =>
        Expr.Rational(1, 20) * Expr.Sum(w.Select(v => Expr.Pow(v, 2)))
        + Expr.Log(1 + Expr.Exp(-(w[0] + 2 * w[1] - w[2])))
        + Expr.Log(1 + Expr.Exp(Expr.Rational(1, 2) * w[0] - w[1] + 2 * w[2]))
        + Expr.Log(1 + Expr.Exp(-(Expr.Rational(-3, 2) * w[0] + Expr.Rational(3, 10) * w[1] + Expr.Rational(7, 10) * w[2])));
}
