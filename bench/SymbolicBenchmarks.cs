// W5: parse + differentiate (+ Simplify) every antiderivative of the corpus; times are per
// expression (OperationsPerInvoke). The baseline is parsing alone, the floor any symbolic
// derivative pays; SymPy's figures for the same work are in WORKLOADS.md (diff ≈ 16 ms median).
using BenchmarkDotNet.Attributes;
using Hybrid.Symbolic;

namespace Hybrid.Bench;

[MemoryDiagnoser]
public class W5CorpusBenchmarks
{
    private const int Count = 593;
    private (string Text, Expr X)[] corpus = [];

    [GlobalSetup]
    public void Setup() => corpus = Corpus.Antiderivatives().Select(e => (e.Text, Expr.Symbol(e.X))).ToArray();

    [Benchmark(Baseline = true, OperationsPerInvoke = Count)]
    public int Parse()
    {
        int nodes = 0;
        foreach (var (text, _) in corpus) nodes += Expr.Parse(text).Depth;
        return nodes;
    }

    [Benchmark(OperationsPerInvoke = Count)]
    public int ParseDifferentiate()
    {
        int nodes = 0;
        foreach (var (text, x) in corpus) nodes += Expr.Parse(text).Differentiate(x).Depth;
        return nodes;
    }

    [Benchmark(OperationsPerInvoke = Count)]
    public int ParseDifferentiateSimplify()
    {
        int nodes = 0;
        foreach (var (text, x) in corpus) nodes += Expr.Parse(text).Differentiate(x).Simplify().Depth;
        return nodes;
    }
}

// W6: expression swell. Building and differentiating prod_sin_k and logistic_k exactly, against
// the hand-written C# derivative of the same function (forward mode by hand: value and slope
// carried through the loop), and evaluating the exact derivative once it exists.
[MemoryDiagnoser]
public class W6SwellBenchmarks
{
    [Params(5, 10, 20, 40)]
    public int K;

    private Expr logisticDerivative = null!;
    private readonly Dictionary<string, double> at = new() { ["x"] = 0.3, ["y"] = 0.7 };

    [GlobalSetup]
    public void Setup() => logisticDerivative = Swell.Logistic(K).Differentiate(Expr.Symbol("x"));

    [Benchmark(Baseline = true)]
    public double LogisticHandWrittenDerivative()
    {
        double value = 0.3, slope = 1;
        for (int i = 0; i < K; i++) (value, slope) = (4 * value * (1 - value), 4 * slope * (1 - 2 * value));
        return slope;
    }

    [Benchmark]
    public Expr LogisticBuildAndDifferentiate() => Swell.Logistic(K).Differentiate(Expr.Symbol("x"));

    [Benchmark]
    public double LogisticEvaluateExactDerivative() => logisticDerivative.Evaluate(at);

    [Benchmark]
    public Expr ProdSinBuildAndDifferentiate() => Swell.ProdSin(K).Differentiate(Expr.Symbol("x"));
}

public static class Swell
{
    /// <summary>x_k with x_0 = x, x_{n+1} = 4 x_n (1 - x_n).</summary>
    public static Expr Logistic(int k)
    {
        var f = Expr.Symbol("x");
        for (int i = 0; i < k; i++) f = 4 * f * (1 - f);
        return f;
    }

    /// <summary>Π_{i=1..k} sin(i·x + y).</summary>
    public static Expr ProdSin(int k)
    {
        var (x, y) = (Expr.Symbol("x"), Expr.Symbol("y"));
        return Expr.Product(Enumerable.Range(1, k).Select(i => Expr.Sin(i * x + y)));
    }
}
