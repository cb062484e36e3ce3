// Fused elementwise work (tensor/Fusion.cs) against the same code run unfused (Fusion.Off): values, first
// and second derivatives over generated elementwise programs on long vectors, the strong zero, and the
// tensors whose own gradient is asked for (RetainGrad, Autograd.Grad) stopping a fused region.

namespace Hybrid.Tensors.Tests;

public class FusionTests
{
    private const int N = 5003;   // several chunks, the last one partial

    private static double[] Point(int seed, int n = N)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, n).Select(_ => random.NextDouble() * 2 - 1).ToArray();
    }

    // A random elementwise program over two views of x and a vector y, sharing intermediates, ending in sums.
    private static Tensor Program(int seed, Tensor x, Tensor y, Tensor s)
    {
        var random = new Random(seed);
        int n = x.Count;
        var values = new List<Tensor> { x.Slice(0, n - 1), x.Slice(1, n - 1), y };
        Tensor Pick() => values[random.Next(values.Count)];
        for (int k = random.Next(3, 12); k > 0; k--)
        {
            var (a, b) = (Pick(), Pick());
            values.Add(random.Next(14) switch
            {
                0 => a + b,
                1 => a - b,
                2 => a * b,
                3 => a / (b * b + 1),
                4 => 0.75 * a - 0.25,
                5 => -a,
                6 => Tensor.Pow(a, 2),
                7 => Tensor.Sqrt(a * a + 0.5),
                8 => Tensor.Tanh(a),
                9 => Tensor.Sin(a),
                10 => Tensor.Sigmoid(a),
                11 => a * s,
                12 => Tensor.Exp(Tensor.Tanh(a)),
                _ => a * a,
            });
        }
        return values[^1].Sum() + (values[random.Next(3, values.Count)] * values[random.Next(values.Count)]).Sum() * s;
    }

    // Lengths from just above Fusion.MinCount to several chunks.
    private static int Length(int seed) => seed % 2 == 0 ? N : Fusion.MinCount + 1 + seed % 1500;

    private static (double Value, double[] X, double[] Y, double S) Run(int seed, bool fused)
    {
        int n = Length(seed);
        var (x, y, s) = (Tensor.FromArray(Point(seed, n)).RequiresGrad(), Tensor.FromArray(Point(seed + 1, n - 1)).RequiresGrad(), Tensor.Scalar(0.3).RequiresGrad());
        using var scope = fused ? null : Fusion.Off();
        var value = Program(seed, x, y, s);
        value.Backward();
        return (value.Item(), x.Grad?.ToArray() ?? new double[n], y.Grad?.ToArray() ?? new double[n - 1], s.Grad?.Item() ?? 0);
    }

    private static bool Close(double a, double b) => Math.Abs(a - b) <= 1e-11 * (1 + Math.Abs(b));

    [Property(MaxTest = 60)]
    public Property FusedProgramsGiveTheUnfusedValuesAndGradients() =>
        Prop.ForAll(Gen.Choose(0, 1_000_000).ToArbitrary(), seed =>
        {
            var (fused, plain) = (Run(seed, fused: true), Run(seed, fused: false));
            return (Close(fused.Value, plain.Value) && Close(fused.S, plain.S)
                && fused.X.Zip(plain.X).All(p => Close(p.First, p.Second)) && fused.Y.Zip(plain.Y).All(p => Close(p.First, p.Second)))
                .Label($"seed {seed}: value {fused.Value} vs {plain.Value}");
        });

    [Fact]
    public void DeferredValuesAreTheEagerValuesBitForBit()
    {
        var x = Tensor.FromArray(Point(7));
        var fused = ((x * x - 0.5) / (x + 3)).ToArray();
        double[] eager;
        using (Fusion.Off()) eager = ((x * x - 0.5) / (x + 3)).ToArray();
        Assert.Equal(eager, fused);
        var t = x * x;
        Assert.NotNull(t.Recipe);       // deferred until read
        _ = (t + 1).Sum();
        Assert.NotNull(t.Recipe);       // a sum reads it in chunks
        _ = t * 2;
        _ = t * 3;                      // a second use computes it once
        Assert.Null(t.Recipe);
    }

    [Fact]
    public void TheStrongZeroHoldsInFusedRegions()
    {
        // √x at 0 has an infinite partial; where the upstream gradient is 0 the gradient is 0, not NaN, fused or not.
        var values = Point(3).Select((v, i) => i % 3 == 0 ? 0 : Math.Abs(v)).ToArray();
        var mask = Tensor.FromArray(values.Select(v => v == 0 ? 0.0 : 1).ToArray());
        double[] Gradient(bool fused)
        {
            var x = Tensor.FromArray(values).RequiresGrad();
            using var scope = fused ? null : Fusion.Off();
            (Tensor.Sqrt(x) * mask + x / (x + 1)).Sum().Backward();
            return x.Grad!.ToArray();
        }
        var g = Gradient(fused: true);
        Assert.All(g, v => Assert.True(double.IsFinite(v)));
        Assert.Equal(Gradient(fused: false), g);
    }

    [Fact]
    public void RetainedAndRequestedIntermediatesGetTheirGradients()
    {
        var x = Tensor.FromArray(Point(5)).RequiresGrad();
        var head = x.Slice(0, N - 1);
        var t = (head * head).RetainGrad();
        var tail = x.Slice(1, N - 1);
        (t * tail).Sum().Backward();
        Assert.Equal(tail.ToArray(), t.Grad!.ToArray());
        var u = x.Slice(0, N - 1) * 3;
        var v = Tensor.Sin(u) * tail.Detach();
        var du = Autograd.Grad([v.Sum()], [u])[0];
        Assert.Equal(u.ToArray().Zip(tail.ToArray()).Select(p => Math.Cos(p.First) * p.Second), du.ToArray(), (a, b) => Math.Abs(a - b) < 1e-15);
    }

    [Fact]
    public void SecondDerivativesThroughDeferredValues()
    {
        double[] HessianVector(bool fused)
        {
            var x = Tensor.FromArray(Point(9)).RequiresGrad();
            using var scope = fused ? null : Fusion.Off();
            var f = (Tensor.Tanh(x) * x * x).Sum();
            var g = Autograd.Grad([f], [x], createGraph: true)[0];
            return Autograd.Grad([(g * Tensor.FromArray(Point(10))).Sum()], [x])[0].ToArray();
        }
        Assert.Equal(HessianVector(fused: false), HessianVector(fused: true), (a, b) => Close(a, b));
    }

    [Fact]
    public void AWideTreeOfDeferredOpsTakesTheOrdinaryPath()
    {
        // 1024 leaves added pairwise: a region of 1023 tensors would need 2046 chunk buffers; past Fusion.MaxRegion the
        // backward pass runs op by op, with the same gradient.
        double[] Gradient(bool fused)
        {
            var x = Tensor.FromArray(Point(11)).RequiresGrad();
            using var scope = fused ? null : Fusion.Off();
            var level = Enumerable.Range(0, 1024).Select(k => x * (1 + k % 7)).ToList();
            while (level.Count > 1) level = Enumerable.Range(0, level.Count / 2).Select(k => level[2 * k] + level[2 * k + 1]).ToList();
            Tensor.Sin(level[0]).Sum().Backward();
            return x.Grad!.ToArray();
        }
        Assert.Equal(Gradient(fused: false), Gradient(fused: true), (a, b) => Close(a, b));
    }

    [Fact]
    public void TheVectorizedRosenbrockAllocatesNoLongArrays()
    {
        var x = Tensor.FromArray(Workloads.RosenbrockPoint(100_000)).RequiresGrad();
        for (int i = 0; i < 3; i++) { x.ZeroGrad(); Workloads.Rosenbrock(x).Backward(); }
        long before = GC.GetAllocatedBytesForCurrentThread();
        x.ZeroGrad();
        Workloads.Rosenbrock(x).Backward();
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(allocated < 32_000, $"{allocated} bytes for one value and gradient (the unfused ops allocate 16.8 MB)");
    }
}
