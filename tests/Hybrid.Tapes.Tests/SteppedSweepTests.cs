// The interpreter's sweeps by steps (Forward.cs): a run's copies go column by column where that keeps every number, so
// values, partials and gradients must equal the tape order's bit for bit — on sums of generated repeated terms, on W1,
// on a recurrence (copies that read earlier copies), and where an adjoint's contributions would be summed in another
// order if its run went backward by columns (that run must go in tape order).
namespace Hybrid.Tapes.Tests;

public class SteppedSweepTests
{
    private static readonly Expr x = Symbol("x"), y = Symbol("y"), z = Symbol("z");

    // Σ_i term(x_i, x_{i+1}, x_{i+2}) over n terms.
    private static (Expr Sum, Expr[] Inputs) RepeatedSum(Expr term, int n)
    {
        var inputs = Enumerable.Range(0, n + 2).Select(i => Symbol("x" + i)).ToArray();
        return (Sum(Enumerable.Range(0, n).Select(i => term.Substitute(new Dictionary<Expr, Expr> { [x] = inputs[i], [y] = inputs[i + 1], [z] = inputs[i + 2] }))), inputs);
    }

    // Null when the stepped tape and the same tape in tape order give the same bits; else what differs.
    private static string? Difference(Expr[] outputs, Expr[] inputs, double[] point)
    {
        var (stepped, ordered) = (Tape.Lower(outputs, inputs), Tape.Lower(outputs, inputs));
        ordered.SweepInTapeOrder();
        var (ws1, ws2) = (stepped.CreateWorkspace(), ordered.CreateWorkspace());
        var (v1, v2) = (new double[outputs.Length], new double[outputs.Length]);
        stepped.Evaluate(point, v1, ws1);   // the first sweep goes in tape order; the plan is used from the second on
        stepped.Evaluate(point, v1, ws1);
        ordered.Evaluate(point, v2, ws2);
        for (int k = 0; k < v1.Length; k++) if (!v1[k].Equals(v2[k])) return $"output {k}: {v1[k]:R} stepped, {v2[k]:R} in tape order";
        var seed = Enumerable.Range(0, outputs.Length).Select(k => 1.0 + k).ToArray();
        var (g1, g2) = (new double[inputs.Length], new double[inputs.Length]);
        stepped.VectorJacobianProduct(point, seed, g1, ws1);
        ordered.VectorJacobianProduct(point, seed, g2, ws2);
        for (int i = 0; i < g1.Length; i++) if (!g1[i].Equals(g2[i])) return $"∂/∂{inputs[i]}: {g1[i]:R} stepped, {g2[i]:R} in tape order";
        return null;
    }

    private static double[] Point(int length, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, length).Select(_ => random.NextDouble() * 1.6 - 0.8).ToArray();
    }

    [Property(MaxTest = 40)]
    public Property SumsOfGeneratedRepeatedTermsGiveTheTapeOrdersBits() =>
        Prop.ForAll(Generators.ArbitraryExpressions(new ExpressionShape { Variables = ["x", "y", "z"], MaxDepth = 3 }), Arb.From(Gen.Choose(0, 1000)), (term, seed) =>
        {
            var (sum, inputs) = RepeatedSum(term, 60);
            var problem = Difference([sum], inputs, Point(inputs.Length, seed));
            return (problem is null).Label($"{term}: {problem}");
        });

    [Fact]
    public void W1GoesByColumnsBothWaysAndKeepsTheBits()
    {
        var symbols = Enumerable.Range(0, 300).Select(i => Symbol("x" + i)).ToArray();
        var expression = Workloads.Rosenbrock(symbols);
        var tape = Tape.Lower(expression, symbols);
        Assert.Equal((3, 3), tape.ColumnSteps);   // (1 − x_i)², x_i², (x_{i+1} − x_i²)²
        Assert.Null(Difference([expression], symbols, Workloads.RosenbrockPoint(300)));
        Assert.Null(Difference([expression], symbols, Point(300, 7)));
    }

    // Planning costs about a hundred sweeps of a long tape: a tape evaluated once must not pay it.
    [Fact]
    public void TheFirstSweepMakesNoPlan()
    {
        var symbols = Enumerable.Range(0, 300).Select(i => Symbol("x" + i)).ToArray();
        var tape = Tape.Lower(Workloads.Rosenbrock(symbols), symbols);
        var (point, gradient, ws) = (Workloads.RosenbrockPoint(300), new double[300], tape.CreateWorkspace());
        tape.Gradient(point, gradient, ws);
        Assert.False(tape.Planned);
        tape.Gradient(point, gradient, ws);
        Assert.True(tape.Planned);
    }

    // x_{k+1} = 4·x_k·(1 − x_k) + c_k: each copy reads the previous copy's result.
    [Fact]
    public void ARecurrenceKeepsTheBits()
    {
        var c = Enumerable.Range(0, 40).Select(i => Symbol("c" + i)).ToArray();
        Expr state = x;
        var outputs = new List<Expr>();
        foreach (var ck in c)
        {
            state = 4 * state * (1 - state) / 3 + ck / 100;
            outputs.Add(state);
        }
        Expr[] inputs = [x, .. c];
        Assert.Null(Difference([.. outputs], inputs, [0.3, .. Point(40, 3)]));
        Assert.Null(Difference([outputs[^1]], inputs, [0.3, .. Point(40, 4)]));
    }

    // Σ_k x_k·x_{k+1}·x_{k+2} / (x_k + 2) and the like: an input receives contributions from several copies and columns,
    // in an order that column by column would change; such a run must go backward in tape order, and the bits stay.
    [Fact]
    public void ContributionsThatColumnsWouldReorderKeepTheBits()
    {
        foreach (var term in new[] { x * y * z, x * y + y * z + z * x, Sin(x + y) * Exp(z - x) + y * y, (x + 2) / (y * y + 1) + z })
        {
            var (sum, inputs) = RepeatedSum(term, 80);
            foreach (int seed in new[] { 1, 2, 3 })
                if (Difference([sum], inputs, Point(inputs.Length, seed)) is { } problem) Assert.Fail($"{term}: {problem}");
        }
    }
}
