// Fused gradients (Fusion.cs, in the IL compiler and the source export): where a tape's output is a long sum of
// re-rolled terms, each term is computed and swept back in one loop. The value is the interpreter's bit for bit; the
// gradient's adjoints sent to the inputs arrive in another order (term by term instead of instruction by instruction,
// last first), so each component may differ from the interpreter's by a few rounding errors of the contributions it
// adds up — bounded here against Σ|contribution| over the terms, for every opcode and row as the term, and for generated terms.
namespace Hybrid.Tapes.Tests;

public class FusionTests
{
    private static readonly Expr x = Symbol("x"), y = Symbol("y"), z = Symbol("z");
    private const int Terms = 150;   // the sum's terms: a tape longer than CompiledTape.LocalsLimit
    private static readonly Expr[] inputs = Enumerable.Range(0, Terms + 2).Select(i => Symbol("x" + i)).ToArray();

    // Σ_i term(x_i, x_{i+1}, x_{i+2}) + a prefix and suffix of other terms, and the tape of one term over (x, y, z).
    private static (Tape Sum, Tape Term) Lowered(Expr term) =>
        (Tape.Lower(Sum(Enumerable.Range(0, Terms).Select(i => term.Substitute(new Dictionary<Expr, Expr> { [x] = inputs[i], [y] = inputs[i + 1], [z] = inputs[i + 2] }))), inputs),
         Tape.Lower(term, x, y, z));

    // Null when it holds; else what differs. Scale: Σ over terms of |∂term/∂x_i| (each term's own gradient, interpreted).
    private static string? Violation(Tape sum, Tape term, double[] point)
    {
        var compiled = sum.Compile();
        if (!compiled.IsFused) return null;
        var (expected, actual) = (new double[sum.InputCount], new double[sum.InputCount]);
        double value = sum.Gradient(point, expected, sum.CreateWorkspace());
        double compiledValue = compiled.Gradient(point, actual, sum.CreateWorkspace());
        if (!value.Equals(compiledValue)) return $"value {compiledValue:R}, interpreted {value:R}";
        var scale = new double[sum.InputCount];
        var (g, ws) = (new double[3], term.CreateWorkspace());
        for (int i = 0; i < Terms; i++)
        {
            term.Gradient(point.AsSpan(i, 3), g, ws);
            for (int k = 0; k < 3; k++) scale[i + k] += Math.Abs(g[k]);
        }
        for (int i = 0; i < sum.InputCount; i++)
            if (!actual[i].Equals(expected[i]) && !(Math.Abs(actual[i] - expected[i]) <= 1e-14 * scale[i] + 1e-300))
                return $"∂/∂x{i}: fused {actual[i]:R}, interpreted {expected[i]:R} (scale {scale[i]:R})";
        return null;
    }

    private static double[] Point(int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, Terms + 2).Select(_ => random.NextDouble() * 1.6 - 0.8).ToArray();
    }

    // Every opcode's exercising expression and every table row as the term; how many fuse depends on how canonical order
    // lists the sum's terms (in the loops' order, or not): 55 of 56 do today, and at least 90% must; all must be right.
    [Fact]
    public void EveryOpcodeAndRowAsATermFusesWithinRoundingOfTheInterpreter()
    {
        var terms = Enum.GetValues<OpCode>().Select(OpCodeFacetTests.Exercising)
            .Concat(Primitives.All.Select(row => Call(row.Name, new Expr[] { Rational(3, 10) + x / 2, y / 3 + Rational(1, 5), z - Rational(1, 2) }[..row.Arity]) * (x + 2)))
            .ToList();
        int fused = 0;
        foreach (var term in terms)
        {
            var (sum, one) = Lowered(term);
            fused += sum.Compile().IsFused ? 1 : 0;
            foreach (int seed in new[] { 1, 2 })
                if (Violation(sum, one, Point(seed)) is { } problem) Assert.Fail($"{term}: {problem}");
        }
        Assert.True(fused >= terms.Count * 9 / 10, $"{fused} of {terms.Count} sums fused");
    }

    [Property(MaxTest = 25)]
    public Property GeneratedTermsFuseWithinRoundingOfTheInterpreter() =>
        Prop.ForAll(Generators.ArbitraryExpressions(new ExpressionShape { Variables = ["x", "y", "z"], MaxDepth = 3 }), Arb.From(Gen.Choose(0, 1000)), (term, seed) =>
        {
            var (sum, one) = Lowered(term);
            var problem = Violation(sum, one, Point(seed));
            return (problem is null).Label($"{term}: {problem}");
        });

    // A gradient folds its seed (1) into the fused code; any other seed (a vector-Jacobian product) runs pieces that read it.
    [Fact]
    public void AVectorJacobianProductWithAnotherSeedFusesToo()
    {
        var symbols = Enumerable.Range(0, 300).Select(i => Symbol("x" + i)).ToArray();
        var tape = Tape.Lower(Workloads.Rosenbrock(symbols), symbols);
        var compiled = tape.Compile();
        Assert.True(compiled.IsFused);
        var point = Workloads.RosenbrockPoint(300);
        foreach (double seed in new[] { 1.0, -1.75, 0.0 })
        {
            var (expected, actual) = (new double[300], new double[300]);
            tape.VectorJacobianProduct(point, [seed], expected, tape.CreateWorkspace());
            compiled.VectorJacobianProduct(point, [seed], actual, tape.CreateWorkspace());
            for (int i = 0; i < 300; i++)
                Assert.True(Math.Abs(actual[i] - expected[i]) <= 1e-13 * Math.Max(1, Math.Abs(expected[i])), $"seed {seed}, ∂/∂x{i}: {actual[i]:R} vs {expected[i]:R}");
        }
    }

    // The reverse sweeps' one test for their common case (Formulas.IsFiniteNonzero): exactly the finite nonzero numbers.
    [Fact]
    public void TheFastPathTestAcceptsExactlyTheFiniteNonzeroNumbers()
    {
        double[] accepted = [double.Epsilon, -double.Epsilon, double.MaxValue, double.MinValue, 1.5, -2e-308];
        double[] refused = [0.0, -0.0, double.PositiveInfinity, double.NegativeInfinity, double.NaN, -double.NaN];
        Assert.All(accepted, a => Assert.True(Formulas.IsFiniteNonzero(a), $"{a:R}"));
        Assert.All(refused, a => Assert.False(Formulas.IsFiniteNonzero(a), $"{a:R}"));
    }
}
