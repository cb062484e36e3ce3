// The compiled tape (one method with locals, and chunks over arrays) agrees with the interpreter, to the last few bits.

namespace Hybrid.Tapes.Tests;

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
        // re-roll into loops (with long operand lists), and every number is the interpreter's, bit for bit — but where
        // the gradient fuses the sum's terms (W1 here; the other sums list their terms in another order than the loops), the adjoints sent to the inputs arrive in
        // another order: within 1e-13 there.
        var symbols = Enumerable.Range(0, 20_000).Select(i => Symbol("x" + i)).ToArray();
        var point = Enumerable.Range(0, symbols.Length).Select(i => 0.001 * i - 3).ToArray();
        foreach (var (f, fuses) in new[]
        {
            (Sum(Enumerable.Range(0, symbols.Length).Select(i => Sin(symbols[i]) * symbols[(i + 1) % symbols.Length] + Pow(symbols[i], 3))), false),
            (Workloads.Rosenbrock(symbols), true),
            (Sum(Enumerable.Range(0, symbols.Length - 2).Select(i => Atan2(symbols[i], 1 + Pow(symbols[i + 2], 2)) * symbols[i + 1] * Exp(symbols[i] / 100))), false),
        })
        {
            var tape = Tape.Lower(f, symbols);
            var (ws, expected, actual) = (tape.CreateWorkspace(), new double[symbols.Length], new double[symbols.Length]);
            double value = tape.Gradient(point, expected, ws);
            var compiled = tape.Compile();
            Assert.False(compiled.IsInterpreted);
            Assert.True(fuses == compiled.IsFused, $"{tape.Length} instructions: fused {compiled.IsFused}");
            Assert.True(compiled.InPlace);          // the point read and the gradient written in place: old contents must not leak in
            Array.Fill(actual, 1e300);
            Assert.Equal(value, compiled.Gradient(point, actual, ws));
            if (fuses) for (int i = 0; i < actual.Length; i++) Assert.True(Math.Abs(actual[i] - expected[i]) <= 1e-13 * Math.Max(1, Math.Abs(expected[i])), $"∂/∂x{i}: {actual[i]:R} vs {expected[i]:R}");
            else Assert.Equal(expected, actual);
            Assert.Equal(value, compiled.Evaluate(point, ws));
            // Past the limit of straight-line code the interpreter runs, with the same results.
            var interpreted = new CompiledTape(tape, compileLimit: 0);
            Assert.True(interpreted.IsInterpreted);
            Assert.Equal(value, interpreted.Gradient(point, actual, ws));
            Assert.Equal(expected, actual);
        }
    }

    [Fact]
    public void InPlaceAndWorkspaceFormsGiveTheSameNumbers()
    {
        // A long tape compiles in place (the point read, the result written directly) unless an output is an input; the
        // workspace form (point copied in, adjoints out) gives the same numbers as the interpreter too.
        var symbols = Enumerable.Range(0, 600).Select(i => Symbol("x" + i)).ToArray();
        var point = Enumerable.Range(0, symbols.Length).Select(i => 0.01 * i - 2).ToArray();
        foreach (var (tape, inPlace) in new[]
        {
            (Tape.Lower(Sum(symbols.Concat(symbols.Select(Sin))), symbols), true),
            (Tape.Lower([symbols[3], Sum(symbols.Select(v => Pow(v, 2)))], symbols), false),
        })
        {
            double[] seed = [.. Enumerable.Range(0, tape.OutputCount).Select(k => 1.0 + k)];
            var expected = new double[symbols.Length];
            tape.VectorJacobianProduct(point, seed, expected, tape.CreateWorkspace());
            foreach (var compiled in new[] { tape.Compile(), new CompiledTape(tape, allowInPlace: false) })
            {
                Assert.False(compiled.IsInterpreted);
                var actual = new double[symbols.Length];
                Array.Fill(actual, 1e300);
                compiled.VectorJacobianProduct(point, seed, actual, compiled.CreateWorkspace());
                Assert.Equal(expected, actual);
            }
            Assert.Equal(inPlace, tape.Compile().InPlace);
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

    // Compiled code calls a row through one helper per arity: every arity a row may have needs one.
    [Fact]
    public void EveryArityUpToMaxArityHasACallHelper()
    {
        for (int n = 1; n <= Primitive.MaxArity; n++)
            Assert.NotNull(typeof(Emitter).GetMethod("Invoke" + n));
        Assert.Throws<ArgumentException>(() => Primitives.Register(new FunctionDefinition("too_many", ["a", "b", "c", "d"], _ => 0, ["0", "0", "0", "0"])));
    }
}
