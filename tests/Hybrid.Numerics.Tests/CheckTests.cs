// Every derivative check must fail for a wrong derivative (a flipped sign, a missing chain-rule
// factor, a transposed Jacobian) and pass for the right one, with every reference.
using Hybrid.Numerics;
using MathNet.Numerics.Differentiation;

namespace Hybrid.Numerics.Tests;

public class CheckTests
{
    private static readonly Expr x = Symbol("x"), y = Symbol("y");
    private static readonly double[][] points = [[0.3, -0.7], [1.5, 2.0], [-2.0, 0.25]];

    // f(x, y) = sin(x²)·y + exp(x·y); the right gradient and two classic mistakes.
    private static double F(double[] p) => Math.Sin(p[0] * p[0]) * p[1] + Math.Exp(p[0] * p[1]);
    private static double[] Right(double[] p) => [2 * p[0] * Math.Cos(p[0] * p[0]) * p[1] + p[1] * Math.Exp(p[0] * p[1]), Math.Sin(p[0] * p[0]) + p[0] * Math.Exp(p[0] * p[1])];
    private static double[] FlippedSign(double[] p) => [Right(p)[0], -Math.Sin(p[0] * p[0]) + p[0] * Math.Exp(p[0] * p[1])];
    private static double[] MissingChainFactor(double[] p) => [Math.Cos(p[0] * p[0]) * p[1] + p[1] * Math.Exp(p[0] * p[1]), Right(p)[1]];

    public static TheoryData<DerivativeReference> FiniteReferences => [DerivativeReference.CentralDifference, DerivativeReference.Richardson];

    [Theory, MemberData(nameof(FiniteReferences))]
    public void GradCheckPassesTheRightGradientAndFailsWrongOnes(DerivativeReference reference)
    {
        var options = new CheckOptions { Reference = reference };
        var right = GradCheck.Run(F, Right, points, options);
        Assert.True(right.Passed, right.ToString());
        Assert.Equal(reference, right.Reference);
        Assert.Equal(6, right.Entries.Count);
        foreach (var wrong in new Func<double[], double[]>[] { FlippedSign, MissingChainFactor })
        {
            var report = GradCheck.Run(F, wrong, points, options);
            Assert.False(report.Passed);
            Assert.Contains("FAIL", report.ToString());
            Assert.Throws<DerivativeCheckException>(() => report.ThrowIfFailed());
        }
    }

    [Fact]
    public void TheReportIsATableNamingEachComponent()
    {
        var report = GradCheck.Run(F, FlippedSign, [[1.0, 2.0]]);
        var lines = report.ToString().Split('\n').Select(l => l.TrimEnd()).ToArray();
        Assert.Equal("gradient of f", lines[0]);
        Assert.StartsWith("point", lines[1]);
        Assert.Contains("reference (central differences)", lines[1]);
        Assert.Matches(@"^\(1, 2\)\s+∂f/∂x\[0\]\s+\S+\s+\S+\s+\S+\s+\S+\s+ok$", lines[2]);
        Assert.Matches(@"^\(1, 2\)\s+∂f/∂x\[1\]\s+6.54759\s+\S+\s+\S+\s+\S+\s+FAIL$", lines[3]);
        Assert.StartsWith("FAILED: 1 of 2 within atol 1E-05 + rtol 0.001", lines[4]);
        Assert.Equal(report.Summary, lines[4]);
        var worst = report.Worst!;
        Assert.Equal("∂f/∂x[1]", worst.Component);
        Assert.Equal(Math.Abs(worst.Claimed - worst.Reference), worst.AbsoluteError);
    }

    [Fact]
    public void TolerancesAreAbsolutePlusRelative()
    {
        var options = new CheckOptions { AbsoluteTolerance = 1e-3, RelativeTolerance = 1e-2 };
        Assert.True(options.Accepts(101.0, 100));     // 1 ≤ 0.001 + 0.01·100
        Assert.False(options.Accepts(101.01, 100));
        Assert.True(options.Accepts(0.0009, 0));
        Assert.False(options.Accepts(0.0011, 0));
    }

    [Fact]
    public void ExpressionChecksUseTheExactGradientByDefault()
    {
        var f = Sin(Pow(x, 2)) * y + Exp(x * y);
        var right = GradCheck.Run(f, f.Gradient(x, y), [x, y], points);
        Assert.True(right.Passed, right.ToString());
        Assert.Equal(DerivativeReference.Exact, right.Reference);
        Assert.All(right.Entries, e => Assert.True(e.AbsoluteError <= 1e-12 * (1 + Math.Abs(e.Reference)), e.ToString()));
        Expr[] missingFactor = [Cos(Pow(x, 2)) * y + y * Exp(x * y), Sin(Pow(x, 2)) + x * Exp(x * y)];
        Expr[] flippedSign = [2 * x * Cos(Pow(x, 2)) * y + y * Exp(x * y), -Sin(Pow(x, 2)) + x * Exp(x * y)];
        foreach (var reference in new DerivativeReference?[] { null, DerivativeReference.CentralDifference, DerivativeReference.Richardson })
        {
            var options = new CheckOptions { Reference = reference };
            Assert.False(GradCheck.Run(f, missingFactor, [x, y], points, options).Passed);
            Assert.False(GradCheck.Run(f, flippedSign, [x, y], points, options).Passed);
            Assert.True(GradCheck.Run(f, f.Gradient(x, y), [x, y], points, options).Passed);
        }
        Assert.Contains("∂f/∂y", GradCheck.Run(f, flippedSign, [x, y], points).Failures.First().Component);
    }

    [Fact]
    public void HandWrittenGradientsOfExpressionsAndTapes()
    {
        // The function is known symbolically (or as a tape), the gradient is C# code under test.
        var f = Sin(Pow(x, 2)) * y + Exp(x * y);
        var exact = GradCheck.Run(f, [x, y], Right, points);
        Assert.True(exact.Passed, exact.ToString());
        Assert.Equal(DerivativeReference.Exact, exact.Reference);
        Assert.False(GradCheck.Run(f, [x, y], MissingChainFactor, points).Passed);
        Assert.False(GradCheck.Run(f, [x, y], FlippedSign, points).Passed);
        var tape = Tape.Lower(f, x, y);
        Assert.True(GradCheck.Run(tape, Right, points).Passed);
        var wrong = GradCheck.Run(tape, FlippedSign, points);
        Assert.False(wrong.Passed);
        Assert.Equal(DerivativeReference.CentralDifference, wrong.Reference);
    }

    [Fact]
    public void OurReverseModePassesOnExpressionsAndTapes()
    {
        var f = Log(1 + Pow(x, 2)) * Tanh(y) / (2 + Cos(x * y));
        var exact = GradCheck.Run(f, [x, y], points);
        Assert.True(exact.Passed, exact.ToString());
        Assert.Contains("reverse mode", exact.Title);
        var tape = Tape.Lower(f, x, y);
        var tight = new CheckOptions { Reference = DerivativeReference.Richardson, AbsoluteTolerance = 1e-9, RelativeTolerance = 1e-8 };
        Assert.True(GradCheck.Run(tape, points, tight).Passed);
        Assert.Equal("∂f/∂y", GradCheck.Run(tape, points).Entries[1].Component);
        var twoOutputs = Tape.Lower([f, x], [x, y]);
        Assert.Contains("has 2", Assert.ThrowsAny<ArgumentException>(() => GradCheck.Run(twoOutputs, points)).Message);
    }

    [Fact]
    public void TheExactReferenceNeedsAnExpression()
    {
        var e = Assert.ThrowsAny<ArgumentException>(() => GradCheck.Run(F, Right, points, new CheckOptions { Reference = DerivativeReference.Exact }));
        Assert.Contains("needs the function as an Expr", e.Message);
    }

    [Fact]
    public void JacobianChecksCatchATransposedJacobian()
    {
        // F(x, y) = (x²·y, sin x + y³): a non-symmetric Jacobian, so its transpose is wrong.
        double[] Fv(double[] p) => [p[0] * p[0] * p[1], Math.Sin(p[0]) + Math.Pow(p[1], 3)];
        double[,] J(double[] p) => new[,] { { 2 * p[0] * p[1], p[0] * p[0] }, { Math.Cos(p[0]), 3 * p[1] * p[1] } };
        double[,] Transposed(double[] p) { var j = J(p); return new[,] { { j[0, 0], j[1, 0] }, { j[0, 1], j[1, 1] } }; }
        Assert.True(JacobianCheck.Run(Fv, J, points).Passed);
        var wrong = JacobianCheck.Run(Fv, Transposed, points);
        Assert.False(wrong.Passed);
        Assert.Contains(wrong.Failures, e => e.Component == "∂f[0]/∂x[1]");

        Expr[] functions = [Pow(x, 2) * y, Sin(x) + Pow(y, 3)];
        var exact = Jacobian(functions, [x, y]);
        var transposed = new[,] { { exact[0, 0], exact[1, 0] }, { exact[0, 1], exact[1, 1] } };
        Assert.True(JacobianCheck.Run(functions, exact, [x, y], points).Passed);
        Assert.False(JacobianCheck.Run(functions, transposed, [x, y], points).Passed);
        Assert.False(JacobianCheck.Run(functions, transposed, [x, y], points, new CheckOptions { Reference = DerivativeReference.CentralDifference }).Passed);
        Assert.True(JacobianCheck.Run(functions, [x, y], points).Passed);
        Assert.True(JacobianCheck.Run(Tape.Lower(functions, [x, y]), points).Passed);
    }

    [Fact]
    public void ANonSquareTransposedJacobianIsAShapeErrorNamingBoth()
    {
        // Three outputs of two inputs: the Jacobian is 3×2; its transpose is 2×3.
        double[] Fv(double[] p) => [p[0], p[1], p[0] * p[1]];
        double[,] Transposed(double[] p) => new double[,] { { 1, 0, p[1] }, { 0, 1, p[0] } };
        var e = Assert.ThrowsAny<ArgumentException>(() => JacobianCheck.Run(Fv, Transposed, [[1.0, 2.0]]));
        Assert.Contains("The claimed Jacobian is 2×3 at (1, 2), but the function needs 3×2", e.Message);
        Expr[] functions = [x, y, x * y];
        var e2 = Assert.ThrowsAny<ArgumentException>(() => JacobianCheck.Run(functions, new Expr[2, 3], [x, y], points));
        Assert.Contains("is 2×3", e2.Message);
        Assert.Contains("must be 3×2", e2.Message);
    }

    [Fact]
    public void HessianChecksCatchAWrongMixedPartial()
    {
        // f = exp(x)·sin(y) + x²y: H = [[eˣ sin y + 2y, eˣ cos y + 2x], [same, −eˣ sin y]].
        double f(double[] p) => Math.Exp(p[0]) * Math.Sin(p[1]) + p[0] * p[0] * p[1];
        double[,] H(double[] p, double sign) => new[,]
        {
            { Math.Exp(p[0]) * Math.Sin(p[1]) + 2 * p[1], sign * (Math.Exp(p[0]) * Math.Cos(p[1]) + 2 * p[0]) },
            { sign * (Math.Exp(p[0]) * Math.Cos(p[1]) + 2 * p[0]), -Math.Exp(p[0]) * Math.Sin(p[1]) },
        };
        foreach (var reference in new[] { DerivativeReference.CentralDifference, DerivativeReference.Richardson })
        {
            var options = new CheckOptions { Reference = reference };
            var right = HessianCheck.Run(f, p => H(p, 1), points, options);
            Assert.True(right.Passed, right.ToString());
            Assert.False(HessianCheck.Run(f, p => H(p, -1), points, options).Passed);
        }
        var g = Exp(x) * Sin(y) + Pow(x, 2) * y;
        var exact = g.Hessian(x, y);
        Assert.True(HessianCheck.Run(g, exact, [x, y], points).Passed);
        var wrong = new[,] { { exact[0, 0], -exact[0, 1] }, { -exact[1, 0], exact[1, 1] } };
        var report = HessianCheck.Run(g, wrong, [x, y], points);
        Assert.False(report.Passed);
        Assert.Equal(["∂²f/∂x∂y", "∂²f/∂y∂x"], report.Failures.Select(e => e.Component).Distinct());
        Assert.False(HessianCheck.Run(g, wrong, [x, y], points, new CheckOptions { Reference = DerivativeReference.Richardson }).Passed);
        Assert.True(HessianCheck.Run(g, [x, y], points).Passed);
        Assert.True(HessianCheck.Run(Tape.Lower(g, x, y), points).Passed);
    }

    [Fact]
    public void DirectionalChecksAreCheapAtLargeDimension()
    {
        // Σ sin(xᵢ)·xᵢ₊₁ in 1000 dimensions: 4 directions cost 8 evaluations, not 2000.
        const int n = 1000;
        int evaluations = 0;
        double f(double[] p) { evaluations++; double s = 0; for (int i = 0; i < n - 1; i++) s += Math.Sin(p[i]) * p[i + 1]; return s; }
        double[] Gradient(double[] p, double chain)
        {
            var g = new double[n];
            for (int i = 0; i < n - 1; i++) { g[i] += chain * Math.Cos(p[i]) * p[i + 1]; g[i + 1] += Math.Sin(p[i]); }
            return g;
        }
        double[] point = Enumerable.Range(0, n).Select(i => Math.Sin(i)).ToArray();
        var right = DirectionalCheck.Run(f, p => Gradient(p, 1), [point]);
        Assert.True(right.Passed, right.ToString());
        Assert.Equal(8, evaluations);
        Assert.False(DirectionalCheck.Run(f, p => Gradient(p, -1), [point]).Passed);
        Assert.False(DirectionalCheck.Run(f, p => Gradient(p, 0), [point]).Passed);
    }

    [Fact]
    public void DirectionalChecksOnTapesTieForwardAndReverseMode()
    {
        var tape = Tape.Lower([Sin(x) * y, Exp(x - y), x / (1 + Pow(y, 2))], [x, y]);
        var report = DirectionalCheck.Run(tape, points, new CheckOptions { Directions = 3 });
        Assert.True(report.Passed, report.ToString());
        Assert.Equal(3 * 3 * (3 + 1), report.Entries.Count);
        Assert.Contains(report.Entries, e => e.Component.StartsWith("⟨Jᵀu2, v2⟩"));
        var f = Sin(Pow(x, 2)) * y;
        Assert.True(DirectionalCheck.Run(f, [x, y], points).Passed);
    }

    [Fact]
    public void ProbeFailuresAreReportedWithThePoint()
    {
        double Throws(double[] p) => p[0] > 0.99 ? throw new InvalidOperationException("no data past 0.99") : p[0] * p[0];
        var report = GradCheck.Run(Throws, p => [2 * p[0]], [[0.5], [0.99]]);
        Assert.False(report.Passed);
        var problem = Assert.Single(report.Failures);
        Assert.Equal([0.99], problem.Point);
        Assert.Contains("f threw InvalidOperationException at (0.99", problem.Problem);
        Assert.Contains("no data past 0.99", problem.Problem);
        Assert.Contains("FAIL: f threw", report.ToString());

        var nan = GradCheck.Run(p => Math.Log(p[0]), p => [1 / p[0]], [[1e-7]]);
        Assert.Contains("f returned NaN at (-", Assert.Single(nan.Failures).Problem);
        var claimedNaN = GradCheck.Run(p => p[0], p => [double.NaN], [[1.0]]);
        Assert.Contains("the claimed gradient returned NaN in component 0 at (1)", Assert.Single(claimedNaN.Failures).Problem);
    }

    [Fact]
    public void MismatchedDimensionsNameBoth()
    {
        var e = Assert.ThrowsAny<ArgumentException>(() => GradCheck.Run(F, Right, [[1.0, 2.0], [1.0, 2.0, 3.0]]));
        Assert.Contains("has 3 coordinates, but the function takes 2 inputs", e.Message);
        var e2 = Assert.ThrowsAny<ArgumentException>(() => GradCheck.Run(F, p => [1.0, 2.0, 3.0], [[1.0, 2.0]]));
        Assert.Contains("the claimed gradient returned 3 values at (1, 2), but 2 were expected", e2.Message);
        var e3 = Assert.ThrowsAny<ArgumentException>(() => GradCheck.Run(Sin(x) * y, [Cos(x) * y], [x, y], points));
        Assert.Contains("has 1 components, but there are 2 variables (x, y)", e3.Message);
        var e4 = Assert.ThrowsAny<ArgumentException>(() => GradCheck.Run(Sin(x), [x], [[1.0, 2.0]]));
        Assert.Contains("takes 1 inputs (x)", e4.Message);
        Assert.ThrowsAny<ArgumentException>(() => GradCheck.Run(F, Right, []));
    }

    [Fact]
    public void TheStepSizeStudyShowsTheV()
    {
        var study = StepSizeStudy.Run(Exp(Sin(x)), x, new Dictionary<string, double> { ["x"] = 0.7 });
        Assert.Equal(Math.Exp(Math.Sin(0.7)) * Math.Cos(0.7), study.Exact, 14);
        Assert.Equal(45, study.Samples.Count);
        Assert.Equal(0.1, study.Samples[0].Step, 1e-15);
        Assert.Equal(1e-12, study.Samples[^1].Step, 1e-25);
        // Truncation error on the left arm, rounding error on the right, the minimum in between.
        var (best, bestForward) = (study.BestCentral, study.BestForward);
        Assert.InRange(best.Step, 1e-7, 1e-4);
        Assert.InRange(bestForward.Step, 1e-10, 1e-6);
        Assert.True(study.Samples[0].CentralError > 1000 * best.CentralError);
        Assert.True(study.Samples[^1].CentralError > 1000 * best.CentralError);
        Assert.True(best.CentralError < bestForward.ForwardError);
        Assert.Contains("best step: forward", study.ToString());
    }

    [Fact]
    public void OurDifferencesAgreeWithMathNets()
    {
        var mathNet = new NumericalDerivative();
        foreach (var p in points)
            for (int i = 0; i < 2; i++)
            {
                double ours = FiniteDifference.Derivative(t => F(i == 0 ? [t, p[1]] : [p[0], t]), p[i]);
                double theirs = mathNet.EvaluatePartialDerivative(F, p, i, 1);
                Assert.True(FiniteDifference.Close(ours, Right(p)[i], 1e-10, 1e-10), $"{ours} vs {Right(p)[i]}");
                Assert.True(FiniteDifference.Close(theirs, ours, 1e-6, 1e-8), $"{theirs} vs {ours}");
            }
    }

    [Fact]
    public void HostileSizesAreRefusedBeforeAllocating()
    {
        // 20 000 inputs: a dense Hessian or Jacobian would be 4·10⁸ entries (3.2 GB).
        var xs = Enumerable.Range(0, 20_000).Select(i => Symbol($"x{i}")).ToArray();
        var tape = Tape.Lower(Sum(xs.Select(v => Pow(v, 2))), xs);
        var point = new double[xs.Length];
        var hessian = Assert.Throws<ArgumentOutOfRangeException>(() => HessianCheck.Run(tape, [point]));
        Assert.Contains("20000×20000 = 400000000 entries, more than the limit of 134217728", hessian.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => HessianCheck.Run(Sum(xs), xs, [point]));
        Assert.Contains("DirectionalCheck", Assert.Throws<ArgumentOutOfRangeException>(() => JacobianCheck.Run(p => p, p => new double[1, 1], [point])).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => Newton.FindRoot(Tape.Lower(xs, xs), point));
        var objective = TapeObjective.Of(tape);
        objective.EvaluateAt(MathNet.Numerics.LinearAlgebra.Vector<double>.Build.Dense(point));
        Assert.Contains("gradient-only minimizer", Assert.Throws<ArgumentOutOfRangeException>(() => objective.Hessian).Message);
        Assert.True(DirectionalCheck.Run(tape, [point]).Passed);   // the cheap check still works at this size
    }

    // The exact report also compares each claimed component everywhere: a claim right only at the points fails.
    [Fact]
    public void AClaimRightOnlyAtThePointsFailsWithAWitness()
    {
        var x = Hybrid.Symbolic.Expr.Symbol("x");
        var report = GradCheck.Run(Hybrid.Symbolic.Expr.Pow(x, 3) / 3, [2 * x - 1], [x], [[1.0]]);
        Assert.True(report.Entries.All(e => e.Passed));
        Assert.False(report.Passed);
        Assert.Equal(Hybrid.Symbolic.EquivalenceVerdict.NotEqual, report.Equivalences[0].Result.Verdict);
        Assert.Contains("∂f/∂x everywhere: NotEqual", report.ToString());
        Assert.True(GradCheck.Run(Hybrid.Symbolic.Expr.Pow(x, 3) / 3, [Hybrid.Symbolic.Expr.Pow(x, 2)], [x], [[1.0]]).Passed);
    }
}
