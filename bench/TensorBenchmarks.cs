// The define-by-run workloads (W1 vectorized, W2, W3, W4): recording the graph is part of each call,
// as is zeroing the reused gradient buffers; each next to its hand-written loop in the same run.
using BenchmarkDotNet.Attributes;
using Hybrid.Tapes;
using Hybrid.Tensors;
using Hybrid.Testing;

namespace Hybrid.Bench;

[MemoryDiagnoser]
public class W1RosenbrockVectorizedBenchmarks
{
    [Params(10, 1000, 100_000)]
    public int N;

    private double[] x = [], gradient = [];
    private Tensor leaf = null!;

    [GlobalSetup]
    public void Setup()
    {
        x = Workloads.RosenbrockPoint(N);
        gradient = new double[N];
        leaf = Tensor.FromArray(x).RequiresGrad();
    }

    [Benchmark(Baseline = true)]
    public double HandWritten() => Workloads.RosenbrockByHand(x, gradient);

    [Benchmark]
    public double Tensors()
    {
        leaf.ZeroGrad();
        var y = Workloads.Rosenbrock(leaf);
        y.Backward();
        return y.Item();
    }
}

[MemoryDiagnoser]
public class W2SeedBenchmarks
{
    [Params(4, 1_000_000)]
    public int N;

    private double[] x = [], gradient = [];
    private Tensor leaf = null!;

    [GlobalSetup]
    public void Setup()
    {
        leaf = Tensor.Arange(N).RequiresGrad();
        x = leaf.ToArray();
        gradient = new double[N];
    }

    [Benchmark(Baseline = true)]
    public double HandWritten() => Workloads.SeedByHand(x, gradient);

    [Benchmark]
    public double Tensors()
    {
        leaf.ZeroGrad();
        var y = 2 * Tensor.Dot(leaf, leaf);
        y.Backward();
        return y.Item();
    }
}

[MemoryDiagnoser]
public class W3MlpBenchmarks
{
    private double[] w1 = [], b1 = [], w2 = [], b2 = [], x = [], dw1 = [], db1 = [], dw2 = [], db2 = [];
    private Tensor W1 = null!, B1 = null!, W2 = null!, B2 = null!, X = null!;

    [GlobalSetup]
    public void Setup()
    {
        var (a, b, c, d, input) = Workloads.MlpData();
        (W1, B1, W2, B2, X) = (Tensor.FromArray(a).RequiresGrad(), Tensor.FromArray(b).RequiresGrad(), Tensor.FromArray(c).RequiresGrad(), Tensor.FromArray(d).RequiresGrad(), Tensor.FromArray(input));
        (w1, b1, w2, b2, x) = (W1.ToArray(), b, W2.ToArray(), d, input);
        (dw1, db1, dw2, db2) = (new double[w1.Length], new double[b1.Length], new double[w2.Length], new double[b2.Length]);
    }

    [Benchmark(Baseline = true)]
    public double HandWritten() => Workloads.MlpByHand(w1, b1, w2, b2, x, dw1, db1, dw2, db2);

    [Benchmark]
    public double Tensors()
    {
        W1.ZeroGrad(); B1.ZeroGrad(); W2.ZeroGrad(); B2.ZeroGrad();
        var loss = Workloads.Mlp(W1, B1, W2, B2, X);
        loss.Backward();
        return loss.Item();
    }
}

/// <summary>One operation = 10 000 repetitions of (zero grad, forward, backward), as WORKLOADS.md defines W4.</summary>
[MemoryDiagnoser]
public class W4ControlFlowBenchmarks
{
    private const int Repetitions = 10_000;
    private readonly Tensor a = Tensor.Scalar(0.37).RequiresGrad();

    [Benchmark(Baseline = true)]
    public double HandWritten()
    {
        double sum = 0;
        for (int i = 0; i < Repetitions; i++) sum += Workloads.ControlFlowByHand(0.37, out var slope) + slope;
        return sum;
    }

    [Benchmark]
    public double Tensors()
    {
        double sum = 0;
        for (int i = 0; i < Repetitions; i++)
        {
            a.ZeroGrad();
            var c = Workloads.ControlFlow(a);
            c.Backward();
            sum += c.Item();
        }
        return sum;
    }
}
