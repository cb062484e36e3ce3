// W1 Rosenbrock, scalar form: the expression built term by term, lowered once, then value +
// gradient per call on the interpreted tape, against the hand-written loop in the same run.
using BenchmarkDotNet.Attributes;
using Hybrid.Symbolic;

namespace Hybrid.Bench;

[MemoryDiagnoser]
public class W1RosenbrockScalarBenchmarks
{
    [Params(10, 1000, 100_000)]
    public int N;

    private double[] x = [];
    private double[] gradient = [];
    private Tape.Tape tape = null!;
    private Tape.Workspace workspace = null!;

    [GlobalSetup]
    public void Setup()
    {
        x = Enumerable.Range(0, N).Select(i => 0.5 + 0.01 * (i % 7)).ToArray();
        gradient = new double[N];
        var symbols = Enumerable.Range(0, N).Select(i => Expr.Symbol("x" + i)).ToArray();
        tape = Tape.Tape.Lower(Rosenbrock(symbols), symbols);
        workspace = tape.CreateWorkspace();
    }

    /// <summary>Σ 100 (x_{i+1} − x_i²)² + (1 − x_i)², built as one sum.</summary>
    public static Expr Rosenbrock(Expr[] x) =>
        Expr.Sum(Enumerable.Range(0, x.Length - 1).SelectMany(i => new[] { 100 * Expr.Pow(x[i + 1] - Expr.Pow(x[i], 2), 2), Expr.Pow(1 - x[i], 2) }));

    [Benchmark(Baseline = true)]
    public double HandWritten()
    {
        double f = 0;
        Array.Clear(gradient);
        for (int i = 0; i < x.Length - 1; i++)
        {
            double t = x[i + 1] - x[i] * x[i], u = 1 - x[i];
            f += 100 * t * t + u * u;
            gradient[i] += -400 * t * x[i] - 2 * u;
            gradient[i + 1] += 200 * t;
        }
        return f;
    }

    [Benchmark]
    public double TapeInterpreted() => tape.Gradient(x, gradient, workspace);

    [Benchmark]
    public double TapeValueOnly() => tape.Evaluate(x, workspace);
}
