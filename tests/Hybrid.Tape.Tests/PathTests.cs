// Every numeric path through the tape agrees: the compiled tape (one method with locals, and chunks
// over arrays) with the interpreter, to the last few bits; Hessian-vector products and Hessians with
// the exact symbolic Hessian and with finite differences of the tape's own gradient.
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Hybrid.Numerics;
using Hybrid.Symbolic;
using Hybrid.Testing;
using static Hybrid.Symbolic.Expr;

namespace Hybrid.Tape.Tests;

public class CompiledTapeTests
{
    private static readonly Expr x = Symbol("x"), y = Symbol("y");
    private static readonly ExpressionShape smooth = new();
    private static readonly ExpressionShape everything = new() { Primitives = ExpressionShape.Everything, DomainSafe = false };

    // Every compiled form of a tape: one method with locals, chunks of three instructions over arrays, and the interpreter past the limit.
    private static CompiledTape[] BothForms(Tape tape) => [new(tape), new(tape, localsLimit: 0, chunkLength: 3), new(tape, compileLimit: 0)];

    [Property(MaxTest = 200)]
    public Property CompiledAgreesWithInterpreted() =>
        Prop.ForAll(Generators.ExpressionsAtPoints(everything), Generators.ArbitraryExpressions(everything), (pair, g) =>
        {
            var (f, point) = pair;
            double[] at = [point["x"], point["y"]];
            var tape = Tape.Lower(f * g + f, x, y);
            var ws = tape.CreateWorkspace();
            var expected = new double[2];
            double value = tape.Gradient(at, expected, ws);
            return BothForms(tape).Select(compiled =>
            {
                var actual = new double[2];
                double compiledValue = compiled.Gradient(at, actual, ws);
                bool ok = Same(compiledValue, value) && Same(actual[0], expected[0]) && Same(actual[1], expected[1])
                          && Same(compiled.Evaluate(at, ws), value);
                return ok.Label($"{f * g + f} at {at[0]}, {at[1]}: compiled {compiledValue} ({actual[0]}, {actual[1]}), interpreted {value} ({expected[0]}, {expected[1]})");
            }).Aggregate((a, b) => a.And(b));
        });

    [Fact]
    public void WithoutDynamicCodeTheInterpreterRunsWithTheSameNumbers()
    {
        // Native AOT (and .NET 10 file-based apps by default) cannot emit IL: Compile must still work.
        var tape = Tape.Lower(Sin(x * y) + Pow(x, 3) / (1 + Pow(y, 2)), x, y);
        var aot = new CompiledTape(tape, dynamicCode: false);
        Assert.True(aot.IsInterpreted);
        var (expected, actual) = (new double[2], new double[2]);
        double[] point = [0.7, -1.3];
        var ws = tape.CreateWorkspace();
        Assert.Equal(tape.Gradient(point, expected, ws), aot.Gradient(point, actual, ws));
        Assert.Equal(expected, actual);
        Assert.Equal(tape.Evaluate(point, ws), aot.Evaluate(point, ws));
    }

    [Fact]
    public void EveryGradientPathAgreesThroughTheUsersKit()
    {
        // The assertion users get from Hybrid.Testing, over the same generated expressions as the properties here.
        var tight = new CheckOptions { AbsoluteTolerance = 1e-9, RelativeTolerance = 1e-9 };
        Properties.GradientsAgree(Gradients.Exact, Gradients.ReverseMode, options: tight, maxTest: 150);
        var same = tight with { AbsoluteTolerance = 1e-300, RelativeTolerance = 1e-13 };
        Properties.GradientsAgree(Gradients.ReverseMode, Gradients.Compiled, options: same, maxTest: 100);
        Properties.GradientsAgree(Gradients.ReverseMode, Gradients.Batched, options: same, maxTest: 100);
        Properties.GradientsAgree(Gradients.Exact, Gradients.Tensors, options: tight, maxTest: 100);
    }

    // The same numbers, NaN where the interpreter has NaN; the order of operations is the interpreter's.
    private static bool Same(double a, double b) => a.Equals(b) || FiniteDifference.Close(a, b, 1e-13, 1e-300);

    [Fact]
    public void AnInfiniteWeightOnTheUntakenBranchSendsNothing()
    {
        var tape = Tape.Lower(Where(Greater(x, 0), Float(1e300) * Float(1e300) * x, 2 * x), x);
        foreach (var compiled in BothForms(tape))
        {
            var g = new double[1];
            compiled.Gradient([-1.0], g, compiled.CreateWorkspace());
            Assert.Equal(2, g[0]);
        }
    }

    [Fact]
    public void NaNPropagatesThroughKinkedPrimitives()
    {
        var tape = Tape.Lower(Abs(Log(x)) + Sign(Log(x)), x);
        foreach (var compiled in BothForms(tape))
        {
            var g = new double[1];
            Assert.True(double.IsNaN(compiled.Gradient([-1.0], g, compiled.CreateWorkspace())));
            Assert.True(double.IsNaN(g[0]));
        }
    }

    [Fact]
    public void SeveralOutputsAndSeeds()
    {
        var tape = Tape.Lower([Sin(x * y), x * Exp(y), Pow(x, 3) / y], [x, y]);
        var ws = tape.CreateWorkspace();
        double[] at = [0.7, 1.3], seed = [1.5, -2, 0.25];
        var (expected, values, expectedValues) = (new double[2], new double[3], new double[3]);
        tape.VectorJacobianProduct(at, seed, expected, ws);
        tape.Evaluate(at, expectedValues, ws);
        foreach (var compiled in BothForms(tape))
        {
            var actual = new double[2];
            compiled.VectorJacobianProduct(at, seed, actual, ws);
            compiled.Evaluate(at, values, ws);
            Assert.Equal(expected, actual);
            Assert.Equal(expectedValues, values);
        }
        Assert.StartsWith("Gradient needs a tape with one output; this one has 3.",
            Assert.Throws<InvalidOperationException>(() => tape.Compile().Gradient(at, new double[2], ws)).Message);
        Assert.Equal("The seed span has 2 entries; the tape needs 3.",
            Assert.Throws<ArgumentException>(() => tape.Compile().VectorJacobianProduct(at, [1.0, 2.0], new double[2], ws)).Message);
    }

    [Fact]
    public void WhereMasksTheUntakenBranchWhenCompiled()
    {
        foreach (var compiled in BothForms(Tape.Lower(Where(Greater(x, 0), Sqrt(x), 0) + Relu(x), x)))
        {
            var g = new double[1];
            var ws = compiled.CreateWorkspace();
            Assert.Equal(0, compiled.Gradient([-1.0], g, ws));
            Assert.Equal(0, g[0]);
            Assert.Equal(6, compiled.Gradient([4.0], g, ws));
            Assert.Equal(1.25, g[0]);
        }
    }

    [Fact]
    public void RosenbrockMatchesTheWorkloadFiguresOnEveryPath()
    {
        const int n = 1000;
        var symbols = Enumerable.Range(0, n).Select(i => Symbol("x" + i)).ToArray();
        var tape = Tape.Lower(Workloads.Rosenbrock(symbols), symbols);
        var point = Workloads.RosenbrockPoint(n);
        var ws = tape.CreateWorkspace();
        var compiled = tape.Compile();
        Assert.False(compiled.IsInterpreted);
        foreach (var gradientOf in new Func<double[], double>[] { g => tape.Gradient(point, g, ws), g => compiled.Gradient(point, g, ws) })
        {
            var g = new double[n];
            Assert.Equal(6467.2, gradientOf(g), 0.005);
            Assert.Equal(-3787.19, g.Sum(), 0.005);
            Assert.Equal(-53, g[0], 1e-12);
            Assert.Equal(51.68, g[^1], 1e-12);
        }
    }

    [Fact]
    public void CompiledCallsAllocateNothingAfterWarmUp()
    {
        var f = Sum(Enumerable.Range(0, 100).Select(i => Sin(i * x + y) * Exp(-Pow(x - i, 2)) + Atan2(y, x + i)));
        foreach (var compiled in new[] { Tape.Lower(Sin(x) * y + Atan2(y, x), x, y).Compile(), Tape.Lower(f, x, y).Compile() })
        {
            var ws = compiled.CreateWorkspace();
            double[] point = [0.3, 0.7], gradient = new double[2];
            Assert.Equal(0, Allocations.FewestBytes(() => { compiled.Gradient(point, gradient, ws); compiled.Evaluate(point, ws); }));
        }
    }

    [Fact]
    public void LargeRegularTapesCompileToLoopsWithTheInterpretersNumbers()
    {
        // 20 000 inputs and 100 000 instructions, as sums built term by term are: the repeated stretches
        // re-roll into loops (with long operand lists), and every number is the interpreter's, bit for bit.
        var symbols = Enumerable.Range(0, 20_000).Select(i => Symbol("x" + i)).ToArray();
        var point = Enumerable.Range(0, symbols.Length).Select(i => 0.001 * i - 3).ToArray();
        foreach (var f in new[]
        {
            Sum(Enumerable.Range(0, symbols.Length).Select(i => Sin(symbols[i]) * symbols[(i + 1) % symbols.Length] + Pow(symbols[i], 3))),
            Workloads.Rosenbrock(symbols),
            Sum(Enumerable.Range(0, symbols.Length - 2).Select(i => Atan2(symbols[i], 1 + Pow(symbols[i + 2], 2)) * symbols[i + 1] * Exp(symbols[i] / 100))),
        })
        {
            var tape = Tape.Lower(f, symbols);
            var (ws, expected, actual) = (tape.CreateWorkspace(), new double[symbols.Length], new double[symbols.Length]);
            double value = tape.Gradient(point, expected, ws);
            var compiled = tape.Compile();
            Assert.False(compiled.IsInterpreted);
            Assert.Equal(value, compiled.Gradient(point, actual, ws));
            Assert.Equal(expected, actual);
            Assert.Equal(value, compiled.Evaluate(point, ws));
            // Past the limit of straight-line code the interpreter runs, with the same results.
            var interpreted = new CompiledTape(tape, compileLimit: 0);
            Assert.True(interpreted.IsInterpreted);
            Assert.Equal(value, interpreted.Gradient(point, actual, ws));
            Assert.Equal(expected, actual);
        }
    }

    [Fact]
    public void ReRollingFindsTheRunsOfASumBuiltTermByTerm()
    {
        var symbols = Enumerable.Range(0, 1000).Select(i => Symbol("x" + i)).ToArray();
        var tape = Tape.Lower(Workloads.Rosenbrock(symbols), symbols);
        var segments = Segments.Plan(tape.Instructions, tape.InputCount, tape.Length);
        Assert.True(segments.Count < 20, $"{segments.Count} segments");
        Assert.True(segments.Sum(s => s.Period) < 40);
        Assert.Equal(tape.Length - tape.InputCount, segments.Sum(s => s.Period * s.Repeats));
        var sum = tape.Length - 1;
        Assert.True(Segments.Operands(tape.Instructions, sum).Count <= 4);
    }
}

public class SecondOrderTests
{
    private static readonly Expr x = Symbol("x"), y = Symbol("y");
    private static readonly ExpressionShape smooth = new();

    [Property(MaxTest = 150)]
    public Property HessianVectorProductIsTheSymbolicHessianTimesV() =>
        Prop.ForAll(Generators.ExpressionsAtPoints(smooth), pair =>
        {
            var (f, point) = pair;
            var tape = Tape.Lower(f, x, y);
            var ws = tape.CreateWorkspace();
            double[] at = [point["x"], point["y"]], v = [0.75, -1.25];
            var (hv, hessian) = (new double[2], new double[4]);
            tape.HessianVectorProduct(at, v, hv, ws);
            tape.Hessian(at, hessian, ws);
            var exact = f.Hessian(x, y);
            var h = new double[4];
            for (int i = 0; i < 2; i++) for (int j = 0; j < 2; j++) h[2 * i + j] = exact[i, j].Evaluate(point);
            if (!h.All(e => double.IsFinite(e) && Math.Abs(e) < 1e6)) return Prop.When(false, () => true);
            bool ok = Enumerable.Range(0, 4).All(k => FiniteDifference.Close(hessian[k], h[k], 1e-8, 1e-8))
                      && Enumerable.Range(0, 2).All(i => FiniteDifference.Close(hv[i], h[2 * i] * v[0] + h[2 * i + 1] * v[1], 1e-8, 1e-8));
            return Prop.When(true, () => ok).Label($"{f} at {at[0]}, {at[1]}: tape H = {string.Join(", ", hessian)}, Hv = {string.Join(", ", hv)}; exact H = {string.Join(", ", h)}");
        });

    [Fact]
    public void EveryPrimitiveHasSecondPartialsThatMatchFiniteDifferences()
    {
        var random = new Random(7);
        foreach (var row in Primitives.All)
        {
            var second = Tape.SecondPartialsOf(row);
            var ws = second.CreateWorkspace();
            for (int trial = 0; trial < 5; trial++)
            {
                var args = row.Sample(random);
                var h = new double[row.Arity * row.Arity];
                second.Evaluate(args, h, ws);
                for (int k = 0; k < row.Arity; k++)
                    for (int l = 0; l < row.Arity; l++)
                    {
                        var (kk, ll) = (k, l);
                        var (fd, error) = FiniteDifference.DerivativeWithError(t => { var a = (double[])args.Clone(); a[ll] = t; return row.NumericPartials[kk](a); }, args[l]);
                        Assert.True(error > 1e-6 * (1 + Math.Abs(fd)) || FiniteDifference.Close(h[k * row.Arity + l], fd, 1e-6, 1e-6),
                            $"{row.Name}: d²/d{row.Parameters[k]}d{row.Parameters[l]} at ({string.Join(", ", args)}) is {h[k * row.Arity + l]}, finite differences {fd}");
                    }
            }
        }
    }

    [Fact]
    public void SquaredResidualsAreOneInstructionOnEveryPath()
    {
        var symbols = Enumerable.Range(0, 6).Select(i => Symbol("x" + i)).ToArray();
        var f = Workloads.Rosenbrock(symbols);
        var tape = Tape.Lower(f, symbols);
        Assert.Contains("squared linear -%", tape.ToString());
        Assert.Equal(6 + 1 + 5 * 3 + 1, tape.Length);   // inputs, the constant 1, three instructions per term, the sum
        Assert.Equal(f, tape.Lift()[0]);
        var point = Workloads.RosenbrockPoint(6);
        var dictionary = symbols.Select((s, i) => (s.ToString(), point[i])).ToDictionary(p => p.Item1, p => p.Item2);
        var (hessian, exact) = (new double[36], f.Hessian(symbols));
        tape.Hessian(point, hessian, tape.CreateWorkspace());
        for (int i = 0; i < 6; i++)
            for (int j = 0; j < 6; j++)
                Assert.Equal(exact[i, j].Evaluate(dictionary), hessian[6 * i + j], 1e-12);
        var (interpreted, compiled) = (new double[6], new double[6]);
        tape.Gradient(point, interpreted, tape.CreateWorkspace());
        new CompiledTape(tape, localsLimit: 0, chunkLength: 3).Gradient(point, compiled, tape.CreateWorkspace());
        Assert.Equal(interpreted, compiled);
        var (_, batched) = tape.Batched(blockSize: 2).Gradient(MathNet.Numerics.LinearAlgebra.Matrix<double>.Build.Dense(3, 6, (r, c) => point[c]));
        Assert.Equal(interpreted, batched.Row(2).ToArray());
        // A sum used elsewhere too keeps its own instruction, squared by a plain square.
        Assert.DoesNotContain("squared", Tape.Lower(Pow(x + y, 2) + Sin(x + y), x, y).ToString());
    }

    [Fact]
    public void HessianOfAProductOfManyFactorsAndOfPowers()
    {
        var z = Symbol("z");
        var f = x * y * z * Sin(x) + Pow(x, y) + Pow(y, Rational(3, 2)) / z;
        var tape = Tape.Lower(f, x, y, z);
        double[] at = [1.3, 0.8, 2.1];
        var hessian = new double[9];
        tape.Hessian(at, hessian, tape.CreateWorkspace());
        var exact = f.Hessian(x, y, z);
        var point = new Dictionary<string, double> { ["x"] = at[0], ["y"] = at[1], ["z"] = at[2] };
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 3; j++)
                Assert.Equal(exact[i, j].Evaluate(point), hessian[3 * i + j], 1e-12);
    }

    [Fact]
    public void SecondOrderOfWhereIgnoresTheUntakenBranch()
    {
        var tape = Tape.Lower(Where(Greater(x, 0), Log(x), Pow(x, 2)), x);
        var h = new double[1];
        tape.Hessian([-2.0], h, tape.CreateWorkspace());
        Assert.Equal(2, h[0]);
        tape.Hessian([2.0], h, tape.CreateWorkspace());
        Assert.Equal(-0.25, h[0], 15);
    }
}

public class BatchedTapeTests
{
    private static readonly Expr x = Symbol("x"), y = Symbol("y");
    private static readonly ExpressionShape everything = new() { Primitives = ExpressionShape.Everything, DomainSafe = false };

    [Property(MaxTest = 100)]
    public Property BatchedEqualsInterpretedAtEveryPoint() =>
        Prop.ForAll(Generators.ArbitraryExpressions(everything), Generators.ArbitraryExpressions(everything), (f, g) =>
        {
            var tape = Tape.Lower(f * g + Sin(f), x, y);
            var points = MathNet.Numerics.LinearAlgebra.Matrix<double>.Build.Dense(37, 2, (i, j) => Math.Sin(3 * i + 7 * j) * 2.5);
            var (values, gradients) = tape.Batched(blockSize: 8).Gradient(points);
            var evaluated = tape.Batched(blockSize: 5).Evaluate(points);
            var ws = tape.CreateWorkspace();
            var expected = new double[2];
            var wrong = Enumerable.Range(0, points.RowCount).FirstOrDefault(i =>
            {
                double value = tape.Gradient([points[i, 0], points[i, 1]], expected, ws);
                return !(value.Equals(values[i]) && value.Equals(evaluated[i]) && expected[0].Equals(gradients[i, 0]) && expected[1].Equals(gradients[i, 1]));
            }, -1);
            return (wrong < 0).Label($"{f * g + Sin(f)} differs at point {wrong}");
        });

    [Fact]
    public void SizesAreChecked()
    {
        var batch = Tape.Lower(x * y, x, y).Batched();
        var build = MathNet.Numerics.LinearAlgebra.Matrix<double>.Build;
        Assert.StartsWith("The points matrix has 3 columns; the tape has 2 inputs (one column each, one row per point).",
            Assert.Throws<ArgumentException>(() => batch.Evaluate(build.Dense(4, 3))).Message);
        Assert.StartsWith("The gradients matrix is 4×3; 4 points of 2 inputs need 4×2.",
            Assert.Throws<ArgumentException>(() => batch.Gradient(build.Dense(4, 2), MathNet.Numerics.LinearAlgebra.Vector<double>.Build.Dense(4), build.Dense(4, 3))).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => Tape.Lower(x, x).Batched(blockSize: 0));
    }

    [Fact]
    public void ManyPointsOnAllCores()
    {
        var tape = Tape.Lower(Exp(-Pow(x, 2)) * Cos(3 * y) + x * y, x, y);
        var points = MathNet.Numerics.LinearAlgebra.Matrix<double>.Build.Dense(100_000, 2, (i, j) => (i % 1000) * 0.001 + j);
        var (values, gradients) = tape.Batched().Gradient(points);
        for (int i = 0; i < points.RowCount; i += 997)
        {
            double px = points[i, 0], py = points[i, 1];
            Assert.Equal(Math.Exp(-px * px) * Math.Cos(3 * py) + px * py, values[i], 1e-14);
            Assert.Equal(-2 * px * Math.Exp(-px * px) * Math.Cos(3 * py) + py, gradients[i, 0], 1e-13);
        }
    }
}

public class HostileTapeTests
{
    [Fact]
    public void ADeepCompositionLowersAndDifferentiatesOnEveryPath()
    {
        // 100 000 nested sines: lowering, the sweeps, the compiler's fallback and the lift are all free of recursion.
        var x = Symbol("x");
        var f = x;
        for (int i = 0; i < 100_000; i++) f = Sin(f);
        var tape = Tape.Lower(f, x);
        Assert.Equal(100_001, tape.Length);
        var (ws, g, hv) = (tape.CreateWorkspace(), new double[1], new double[1]);
        double value = tape.Gradient([1.0], g, ws);
        double expectedValue = 1, expectedSlope = 1;
        for (int i = 0; i < 100_000; i++) { expectedSlope *= Math.Cos(expectedValue); expectedValue = Math.Sin(expectedValue); }
        Assert.Equal(expectedValue, value, 1e-15);
        Assert.Equal(expectedSlope, g[0], 1e-12 * Math.Abs(expectedSlope));
        var compiled = tape.Compile();
        Assert.False(compiled.IsInterpreted);   // one instruction repeated: a loop
        Assert.Equal(value, compiled.Gradient([1.0], g, ws));
        Assert.Equal(expectedSlope, g[0], 1e-12 * Math.Abs(expectedSlope));
        tape.HessianVectorProduct([1.0], [1.0], hv, ws);
        Assert.True(double.IsFinite(hv[0]));
        Assert.Equal(f, tape.Lift()[0]);
    }

    [Fact]
    public void AProductOfManyFactorsRunsOnTheInterpreterAndHugeBlocksAreRefused()
    {
        var symbols = Enumerable.Range(0, 2000).Select(i => Symbol("x" + i)).ToArray();
        var tape = Tape.Lower(Product(symbols) + Sum(symbols), symbols);
        var compiled = tape.Compile();
        Assert.True(compiled.IsInterpreted);
        var point = Enumerable.Repeat(1.0, symbols.Length).ToArray();
        var g = new double[symbols.Length];
        Assert.Equal(2001, compiled.Gradient(point, g, compiled.CreateWorkspace()));
        Assert.All(g, v => Assert.Equal(2, v));
        Assert.StartsWith("Blocks of 100000 points over a tape of", Assert.Throws<ArgumentOutOfRangeException>(() => tape.Batched(blockSize: 100_000)).Message);
    }

    [Fact]
    public void SecondOrderAllocatesNothingAfterWarmUp()
    {
        var (x, y) = (Symbol("x"), Symbol("y"));
        var tape = Tape.Lower(Sin(x * y) * Exp(x) + Atan2(y, x) + x * y * Pow(x, 3), x, y);
        var ws = tape.CreateWorkspace();
        double[] point = [0.3, 0.7], v = [1, -2], hv = new double[2], hessian = new double[4];
        Assert.Equal(0, Allocations.FewestBytes(() => { tape.HessianVectorProduct(point, v, hv, ws); tape.Hessian(point, hessian, ws); }, calls: 200));
    }
}
