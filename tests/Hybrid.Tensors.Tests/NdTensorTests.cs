// N-dimensional tensors: shapes, views, broadcasting, reductions along dimensions, batched products,
// joining and splitting, indexing — values against plain loops, and every op's first and second
// derivatives against central differences over generated shapes (Autograd.GradCheck / GradGradCheck).

namespace Hybrid.Tensors.Tests;

public class NdTensorTests
{
    private static Tensor Seq(params int[] shape) => Tensor.Arange(Tensor.Zeros(shape).Count).Reshape(shape);

    private static Tensor Values(Random random, int[] shape, double low = -1, double high = 1)
    {
        var t = Tensor.Zeros(shape);
        return Tensor.FromArray(t.ToArray().Select(_ => low + (high - low) * random.NextDouble()).ToArray()).Reshape(shape);
    }

    [Fact]
    public void ReshapeSharesStorageAndViewsMoveData()
    {
        var x = Seq(2, 3, 4);
        Assert.Equal([2, 3, 4], x.Shape);
        Assert.Equal(3, x.Rank);
        var r = x.Reshape(4, -1);
        Assert.Equal([4, 6], r.Shape);
        Assert.Same(x.Data, r.Data);   // a view: no copy
        Assert.Equal([6, 4], x.View(-1, 4).Shape);
        Assert.Equal([24], x.Flatten().Shape);
        Assert.Equal([2, 12], x.Flatten(1).Shape);
        // permute: result[i, j, k] = x[k, i, j] for dims (1, 2, 0)
        var p = x.Permute(1, 2, 0);
        Assert.Equal([3, 4, 2], p.Shape);
        for (int i = 0; i < 3; i++) for (int j = 0; j < 4; j++) for (int k = 0; k < 2; k++)
            Assert.Equal(k * 12 + i * 4 + j, p.ToArray()[(i * 4 + j) * 2 + k]);
        Assert.True(Tensor.Equal(x.Transpose(0, 2), x.Permute(2, 1, 0)));
        Assert.True(Tensor.Equal(x.Transpose(-1, -2), x.Permute(0, 2, 1)));
        Assert.Equal([2, 1, 3, 4], x.Unsqueeze(1).Shape);
        Assert.Equal([2, 3, 4, 1], x.Unsqueeze(-1).Shape);
        Assert.Equal([2, 3], Tensor.Zeros(1, 2, 1, 3).Squeeze().Shape);
        Assert.Equal([2, 1, 3], Tensor.Zeros(1, 2, 1, 3).Squeeze(0).Shape);
        Assert.Equal([1, 2, 1, 3], Tensor.Zeros(1, 2, 1, 3).Squeeze(1).Shape);   // not of size 1: unchanged
        var e = Tensor.FromArray(1, 2, 3).Reshape(3, 1).Expand(2, 3, 4);
        Assert.Equal([2, 3, 4], e.Shape);
        Assert.Equal([1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3], e.ToArray()[..12]);
        Assert.Equal([3, 4], Tensor.Ones(3, 1).Expand(-1, 4).Shape);
    }

    [Fact]
    public void IndexingWithIntegersRangesStepsNewAxisAndEllipsis()
    {
        var x = Seq(3, 4, 5);
        Assert.Equal([4, 5], x[1].Shape);
        Assert.Equal(Enumerable.Range(20, 20).Select(i => (double)i), x[1].ToArray());
        Assert.Equal(59, x[-1, -1, -1].Item());
        Assert.Equal([5], x[2, 3].Shape);
        Assert.Equal([3, 2, 5], x[.., 1..3].Shape);
        Assert.Equal([3, 4], x[TensorIndex.Ellipsis, 0].Shape);
        Assert.Equal(Enumerable.Range(0, 12).Select(i => 5.0 * i), x[TensorIndex.Ellipsis, 0].ToArray());
        Assert.Equal([0, 2, 4], x[0, 0, TensorIndex.Slice(null, null, 2)].ToArray());
        Assert.Equal([3, 1, 4, 5], x[.., TensorIndex.NewAxis].Shape);
        Assert.Equal([56, 57, 58, 59], x[^1, ^1, 1..].ToArray());
        Assert.Equal([3, 0, 5], x[.., 4..].Shape);   // out-of-range bounds clamp, as in PyTorch
        Assert.Equal([2, 3], Seq(4, 5).Narrow(1, 1, 3)[1..3, ..].Shape);
        Assert.Equal([7, 12], Seq(4, 5).Select(1, 2)[1..3].ToArray());
        Assert.StartsWith("The index 4 is outside [-4, 4) for shape [3, 4, 5].", Assert.Throws<ArgumentOutOfRangeException>(() => x[0, 4]).Message);
        Assert.StartsWith("Indexing shape [3, 4, 5] with 4 indices", Assert.Throws<ArgumentException>(() => x[0, 0, 0, 0]).Message);
        Assert.StartsWith("A slice step must be positive", Assert.Throws<ArgumentOutOfRangeException>(() => TensorIndex.Slice(null, null, -1)).Message);
    }

    [Fact]
    public void BroadcastingFollowsNumPy()
    {
        var a = Seq(2, 1, 3);
        var b = Tensor.FromArray(10, 20).Reshape(2, 1);
        var c = a + b;   // [2, 1, 3] + [2, 1] → [2, 2, 3]
        Assert.Equal([2, 2, 3], c.Shape);
        for (int i = 0; i < 2; i++) for (int j = 0; j < 2; j++) for (int k = 0; k < 3; k++)
            Assert.Equal(i * 3 + k + 10 * (j + 1), c.ToArray()[(i * 2 + j) * 3 + k]);
        Assert.Equal([2, 3], (Seq(2, 3) * Tensor.FromArray(1, 2, 3)).Shape);
        Assert.Equal([3, 4], Tensor.Where(Tensor.Gt(Seq(3, 1), Tensor.Scalar(0)), Seq(1, 4), Tensor.Ones(3, 4)).Shape);
        Assert.Equal([2, 3], Tensor.Maximum(Seq(2, 1), Seq(3)).Shape);
        Assert.True(Tensor.AllClose(Seq(2, 3), Seq(3).Expand(2, 3) + Tensor.FromArray(0, 3).Reshape(2, 1)));
        Assert.StartsWith("Add: shapes [2, 3] and [2] do not match (elementwise operations broadcast",
            Assert.Throws<ArgumentException>(() => Seq(2, 3) + Seq(2)).Message);
        // The gradient of a broadcast operand is summed back to its shape.
        var row = Tensor.FromArray(1, 2, 3).RequiresGrad();
        var column = Tensor.FromArray(1, 10).Reshape(2, 1).RequiresGrad();
        (row * column).Sum().Backward();
        Assert.Equal([11, 11, 11], row.Grad!.ToArray());
        Assert.Equal([6, 6], column.Grad!.ToArray());
        Assert.Equal([2, 1], column.Grad.Shape);
    }

    [Fact]
    public void ReductionsAlongDimensions()
    {
        var x = Seq(2, 3, 4);
        Assert.Equal([3, 4], x.Sum(0).Shape);
        Assert.Equal([1, 3, 4], x.Sum(0, keepDim: true).Shape);
        Assert.Equal(Enumerable.Range(0, 12).Select(i => (double)(i + i + 12)), x.Sum(0).ToArray());
        Assert.Equal([6, 22, 38, 54, 70, 86], x.Sum(-1).ToArray());
        Assert.Equal([2], x.Sum([1, 2]).Shape);
        Assert.Equal([66, 210], x.Sum([1, 2]).ToArray());
        Assert.Equal(276, x.Sum([]).Item());
        Assert.Equal([1.5, 5.5, 9.5, 13.5, 17.5, 21.5], x.Mean(2).ToArray());
        Assert.Equal(Math.Sqrt(0 + 1 + 4 + 9), x.Norm(2).ToArray()[0], 1e-15);
        Assert.Equal([0 * 4 * 8, 1 * 5 * 9, 2 * 6 * 10, 3 * 7 * 11], x[0].Prod(0).ToArray());
        Assert.Equal(Enumerable.Range(1, 7).Aggregate(1.0, (p, i) => p * i), Tensor.Arange(1, 8).Prod().Item());
        var (values, indices) = Tensor.FromArray(new double[,] { { 1, 5, 5 }, { 7, -1, 2 } }).Max(1);
        Assert.Equal([5, 7], values.ToArray());
        Assert.Equal([1, 0], indices.ToArray());   // the first of equal maxima
        Assert.Equal([2, 1], Tensor.FromArray(new double[,] { { 1, 5, 5 }, { 7, -1, 2 } }).Min(1, keepDim: true).Indices.Shape);
        Assert.True(double.IsNaN(Tensor.FromArray(1, double.NaN, 3).Max().Item()));
        Assert.Equal(3, Tensor.FromArray(1, 9, 3, 9).Argmax().Item() + 2);
        Assert.StartsWith("Max: dimension 0 of shape [0] is empty", Assert.Throws<ArgumentException>(() => Tensor.Zeros(0).Max(0)).Message);
        Assert.StartsWith("Sum: dimension 3 is out of range for a tensor with 3 dimensions (expected one in [-3, 2]).",
            Assert.Throws<ArgumentOutOfRangeException>(() => x.Sum(3)).Message);
    }

    [Fact]
    public void ProductGradientsAreExactAtZeros()
    {
        // d/dx_i Π x = Π_{j≠i} x_j: with one zero, only that element's gradient is non-zero; with two, all are zero.
        var x = Tensor.FromArray(2, 0, 3, 5).RequiresGrad();
        x.Prod().Backward();
        Assert.Equal([0, 30, 0, 0], x.Grad!.ToArray());
        var y = Tensor.FromArray(0, 0, 3).RequiresGrad();
        y.Prod().Backward();
        Assert.Equal([0, 0, 0], y.Grad!.ToArray());
    }

    [Fact]
    public void MaxSendsTheGradientToTheReturnedIndex()
    {
        var x = Tensor.FromArray(new double[,] { { 1, 5, 5 }, { 7, -1, 2 } }).RequiresGrad();
        x.Max(1).Values.Sum().Backward();
        Assert.Equal([0, 1, 0, 1, 0, 0], x.Grad!.ToArray());
    }

    [Fact]
    public void BatchedMatMulBroadcastsTheBatchDimensions()
    {
        var random = new Random(3);
        var a = Values(random, [2, 1, 3, 4]);
        var b = Values(random, [5, 4, 2]);
        var c = Tensor.MatMul(a, b);
        Assert.Equal([2, 5, 3, 2], c.Shape);
        for (int p = 0; p < 2; p++) for (int q = 0; q < 5; q++)
        {
            var expected = a[p, 0].ToMatrix() * b[q].ToMatrix();
            Assert.True(Tensor.AllClose(c[p, q], Tensor.From(expected), 1e-14, 1e-14));
        }
        Assert.Equal([2, 1, 3], Tensor.MatMul(a, Tensor.Ones(4)).Shape);
        Assert.Equal([5, 2], Tensor.MatMul(Tensor.Ones(4), b).Shape);
        Assert.Equal([2], Tensor.MatMul(Tensor.Ones(3), Seq(3, 2)).Shape);
        Assert.Equal(14, Tensor.MatMul(Tensor.Arange(4), Tensor.Arange(4)).Item());
        Assert.StartsWith("MatMul: shapes [2, 1, 3, 4] and [5, 3, 2] do not fit", Assert.Throws<ArgumentException>(() => Tensor.MatMul(a, Tensor.Ones(5, 3, 2))).Message);
        Assert.StartsWith("MatMul: shapes [2, 3, 4] and [3, 4, 2] do not match", Assert.Throws<ArgumentException>(() => Tensor.MatMul(Tensor.Ones(2, 3, 4), Tensor.Ones(3, 4, 2))).Message);
    }

    [Fact]
    public void CatStackSplitAndChunk()
    {
        var a = Seq(2, 3);
        var b = Seq(2, 2) + 100;
        var c = Tensor.Cat([a, b], 1);
        Assert.Equal([2, 5], c.Shape);
        Assert.Equal([0, 1, 2, 100, 101, 3, 4, 5, 102, 103], c.ToArray());
        Assert.Equal([4, 3], Tensor.Cat([a, a]).Shape);
        var s = Tensor.Stack([a, a * 2, a * 3], 1);
        Assert.Equal([2, 3, 3], s.Shape);
        Assert.True(Tensor.Equal(s.Select(1, 2), a * 3));
        var pieces = Seq(7, 2).Split(3);
        Assert.Equal([[3, 2], [3, 2], [1, 2]], pieces.Select(p => p.Shape.ToArray()));
        Assert.True(Tensor.Equal(Tensor.Cat(pieces), Seq(7, 2)));
        Assert.Equal([[2, 1], [2, 4]], Seq(2, 5).Split([1, 4], 1).Select(p => p.Shape.ToArray()));
        Assert.Equal(3, Seq(6).Chunk(3).Length);
        Assert.StartsWith("Cat: shapes [2, 3], [3, 3] do not fit along dimension 1", Assert.Throws<ArgumentException>(() => Tensor.Cat([a, Seq(3, 3)], 1)).Message);
        Assert.StartsWith("Stack: shapes [2, 3], [2, 2] differ", Assert.Throws<ArgumentException>(() => Tensor.Stack([a, Seq(2, 2)])).Message);
        Assert.StartsWith("Split: sizes [1, 3] do not add up", Assert.Throws<ArgumentException>(() => Seq(2, 5).Split([1, 3], 1)).Message);
        // The gradient of each joined piece is its stretch of the result's.
        var x = Tensor.FromArray(1, 2).RequiresGrad();
        var y = Tensor.FromArray(3).RequiresGrad();
        (Tensor.Cat([x, y, x]) * Tensor.FromArray(1, 10, 100, 1000, 10000)).Sum().Backward();
        Assert.Equal([1001, 10010], x.Grad!.ToArray());
        Assert.Equal([100], y.Grad!.ToArray());
    }

    [Fact]
    public void GatherScatterIndexSelectAndMasks()
    {
        var x = Seq(3, 4);
        var index = Tensor.FromArray(new double[,] { { 0, 2 }, { 1, 1 }, { 3, 0 } });
        Assert.Equal([0, 2, 5, 5, 11, 8], x.Gather(1, index).ToArray());
        Assert.Equal([8, 1, 6, 3], x.Gather(0, Tensor.FromArray(2, 0, 1, 0).Reshape(1, 4)).ToArray());
        Assert.Equal([0, 2, 4, 6, 8, 10], x.IndexSelect(1, Tensor.FromArray(0, 2)).ToArray());
        Assert.Equal([2, 4], x.IndexSelect(0, Tensor.FromArray(2, 0)).Shape);
        var scattered = Tensor.Zeros(2, 3).Scatter(1, Tensor.FromArray(new double[,] { { 2 }, { 0 } }), Tensor.FromArray(new double[,] { { 7 }, { 9 } }));
        Assert.Equal([0, 0, 7, 9, 0, 0], scattered.ToArray());
        Assert.Equal([2, 0, 1], Tensor.Zeros(3).ScatterAdd(0, Tensor.FromArray(0, 2, 0), Tensor.Ones(3)).ToArray());
        Assert.StartsWith("Scatter: the index names the place 0 (flat) twice", Assert.Throws<ArgumentException>(() => Tensor.Zeros(3).Scatter(0, Tensor.FromArray(0, 0), Tensor.Ones(2))).Message);
        Assert.StartsWith("Gather: index 4 is not an integer in [0, 4).", Assert.Throws<ArgumentOutOfRangeException>(() => x.Gather(1, Tensor.FromArray(4).Reshape(1, 1))).Message);
        Assert.StartsWith("IndexSelect: index 0.5 is not an integer", Assert.Throws<ArgumentOutOfRangeException>(() => x.IndexSelect(0, Tensor.FromArray(0.5))).Message);
        var mask = Tensor.Gt(x, Tensor.Scalar(8));
        Assert.Equal([9, 10, 11], x.MaskedSelect(mask).ToArray());
        Assert.Equal([0, 4, 8], x.MaskedSelect(Tensor.FromArray(1, 0, 0, 0)).ToArray());   // a row mask broadcasts
        Assert.Equal(new double[] { 0, 1, 2, 3, 4, 5, 6, 7, 8, -1, -1, -1 }, x.MaskedFill(mask, -1).ToArray());
        // Scatter's overwritten elements get no gradient; the source gets the gradient at its places.
        var t = Tensor.FromArray(1, 2, 3).RequiresGrad();
        var src = Tensor.FromArray(5).RequiresGrad();
        (t.Scatter(0, Tensor.FromArray(1), src) * Tensor.FromArray(1, 10, 100)).Sum().Backward();
        Assert.Equal([1, 0, 100], t.Grad!.ToArray());
        Assert.Equal([10], src.Grad!.ToArray());
    }

    [Fact]
    public void HostileShapesEndInAnErrorNamingTheLimit()
    {
        const string tooMany = "has more than 268435456 elements (the limit of one tensor)";
        Assert.Contains(tooMany, Assert.Throws<ArgumentException>(() => Tensor.Ones(1, 1).Expand(65536, 65536)).Message);
        Assert.Contains(tooMany, Assert.Throws<ArgumentException>(() => Tensor.MatMul(Tensor.Ones(65536, 1), Tensor.Ones(1, 65536))).Message);
        Assert.Contains(tooMany, Assert.Throws<ArgumentException>(() => Tensor.MatMul(Tensor.Ones(4096, 2, 1), Tensor.Ones(4096, 1, 65536))).Message);
        Assert.Contains(tooMany, Assert.Throws<ArgumentException>(() => Tensor.Ones(16384, 1).IndexSelect(1, Tensor.Zeros(32768))).Message);
        Assert.StartsWith("Reshape: shape [4, -1] does not fit a tensor of shape [2, 3] (6 elements).", Assert.Throws<ArgumentException>(() => Tensor.Ones(2, 3).Reshape(4, -1)).Message);
        Assert.StartsWith("Reshape [-1, -1]: only one dimension can be inferred", Assert.Throws<ArgumentException>(() => Tensor.Ones(3).Reshape(-1, -1)).Message);
        Assert.StartsWith("Permute [0, 0]: needs each of the 2 dimensions", Assert.Throws<ArgumentException>(() => Tensor.Ones(2, 3).Permute(0, 0)).Message);
        Assert.StartsWith("Expand: shape [2, 3] cannot expand to [4, 3]", Assert.Throws<ArgumentException>(() => Tensor.Ones(2, 3).Expand(4, 3)).Message);
        Assert.StartsWith("Narrow(0, 1, 5) does not fit shape [3].", Assert.Throws<ArgumentOutOfRangeException>(() => Tensor.Ones(3).Narrow(0, 1, 5)).Message);
    }

    [Fact]
    public void PrintingNestsEveryDimension()
    {
        Assert.Equal("tensor([[[0, 1], [2, 3]], [[4, 5], [6, 7]]])", Seq(2, 2, 2).ToString());
        Assert.Equal("tensor([])", Tensor.Zeros(0).ToString());
        Assert.Equal("tensor([[], []])", Tensor.Zeros(2, 0).ToString());
    }

    [Fact]
    public void TraceLiftsNdOperations()
    {
        var random = new Random(5);
        var a = Values(random, [2, 3]);
        var w = Values(random, [2, 3, 2]);
        static Tensor F(Tensor[] t) =>
            (Tensor.MatMul(t[0].Unsqueeze(1), t[1]).Squeeze(1).Sum(0) * Tensor.Cat([t[0][.., 0], t[0][1, 1..]])[..2]).Sum()
            + t[1].Permute(2, 0, 1).Max(0).Values.Prod() + (t[0] * t[0].Sum(1, keepDim: true)).Gather(1, Tensor.Zeros(2, 1)).Sum();
        var trace = Trace.Record(F, ["a", "w"], a, w);
        Assert.Equal(18, trace.Symbols.Count);
        Assert.Equal("a_1_2", trace.Symbols[5].ToString());
        Assert.Equal("w_1_0_1", trace.Symbols[6 + 7].ToString());
        var point = trace.Symbols.Zip(a.ToArray().Concat(w.ToArray())).ToDictionary(p => p.First.ToString(), p => p.Second);
        var leaves = new[] { a.Detach().RequiresGrad(), w.Detach().RequiresGrad() };
        var value = F(leaves);
        value.Backward();
        Assert.Equal(value.Item(), trace.Output.Evaluate(point), 1e-13);
        var exact = trace.Output.Gradient([.. trace.Symbols]).Select(d => d.Evaluate(point)).ToArray();
        Assert.Equal(exact, leaves[0].Grad!.ToArray().Concat(leaves[1].Grad!.ToArray()), (x, y) => Math.Abs(x - y) < 1e-12);
    }

    [Fact]
    public void GradCheckFindsAWrongGradient()
    {
        // A function whose backward disagrees with its values: its values are x², but the recorded graph is of 3x.
        static Tensor Wrong(Tensor[] t)
        {
            var y = t[0] * 3;
            return y + (t[0] * t[0] - y).Detach();
        }
        var x = Tensor.FromArray(0.5, 1.5);
        var error = Assert.Throws<ArithmeticException>(() => Autograd.GradCheck(Wrong, [x]));
        Assert.StartsWith("GradCheck: d output[0] / d inputs[0][0] is 3 by backward but 1", error.Message);
        Assert.False(Autograd.GradCheck(Wrong, [x], raiseException: false));
        Assert.True(Autograd.GradCheck(t => t[0] * t[0], [x]));
        Assert.True(Autograd.GradGradCheck(t => Tensor.Sin(t[0]) * t[0], [x]));
    }

    // GradCheck's work is (outputs + 2·inputs) calls: a large input ends at the time budget, not in minutes (the watchdog
    // fails the test if the budget is not checked); a cancelled token stops it before any call.
    [Fact]
    public void GradCheckStopsAtItsTimeBudget()
    {
        var large = Tensor.Full(0.5, 200, 200);   // 40 000 elements: 80 000 calls of a function of 40 000 outputs
        var error = Watchdog.Within(TimeSpan.FromSeconds(30), "GradCheck with a time budget", () =>
            Assert.Throws<LimitExceededException>(() => Autograd.GradCheck(t => t[0] * t[0], [large], timeout: TimeSpan.FromMilliseconds(200))));
        Assert.Equal("Timeout", error.Limit);
        Assert.Contains("GradCheck ran out of its time budget of 0.2 s", error.Message);
        Watchdog.Within(TimeSpan.FromSeconds(30), "GradGradCheck with a time budget", () =>
            Assert.Throws<LimitExceededException>(() => Autograd.GradGradCheck(t => t[0] * t[0], [large], timeout: TimeSpan.FromMilliseconds(200))));
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        int calls = 0;
        Assert.ThrowsAny<OperationCanceledException>(() => Autograd.GradCheck(t => { calls++; return t[0] * 2; }, [Tensor.FromArray(1.0, 2.0)], cancellationToken: cancelled.Token));
        Assert.Equal(1, calls);   // the call at the point itself, before the first check
    }

    // One generated case: a function of tensors of random (broadcast-compatible) shapes and its inputs.
    public sealed record Case(string Name, Tensor[] Inputs, Func<Tensor[], Tensor> Function)
    {
        public override string ToString() => $"{Name} on {string.Join(", ", Inputs.Select(t => Tensor.ShapeText(t.Shape)))}";
    }

    // A shape of rank 0–3 with sizes 1–3, and a second that broadcasts with it (dimensions dropped in front or set to 1).
    private static (int[], int[]) BroadcastPair(Random random)
    {
        var shape = Enumerable.Range(0, random.Next(0, 4)).Select(_ => random.Next(1, 4)).ToArray();
        var other = shape.Skip(random.Next(0, shape.Length + 1)).Select(n => random.Next(3) == 0 ? 1 : n).ToArray();
        return random.Next(2) == 0 ? (shape, other) : (other, shape);
    }

    private static int[] Shape(Random random, int minRank = 1) => Enumerable.Range(0, random.Next(minRank, 4)).Select(_ => random.Next(1, 4)).ToArray();

    private static Case Generate(int which, int seed)
    {
        var random = new Random(seed);
        var (s, t) = BroadcastPair(random);
        var shape = Shape(random);
        int dim = random.Next(-shape.Length, shape.Length);
        bool keep = random.Next(2) == 0;
        Tensor V(int[] sh, double low = -1, double high = 1) => Values(random, sh, low, high);
        return (which % 24) switch
        {
            0 => new("add", [V(s), V(t)], x => x[0] + x[1]),
            1 => new("subtract", [V(s), V(t)], x => x[0] - x[1]),
            2 => new("multiply", [V(s), V(t)], x => x[0] * x[1]),
            3 => new("divide", [V(s), V(t, 1, 2)], x => x[0] / x[1]),
            4 => new("pow", [V(s, 0.5, 2), V(t)], x => Tensor.Pow(x[0], x[1])),
            5 => new("atan2", [V(s), V(t, 0.5, 1)], x => Tensor.Apply(Primitives.Atan2, x[0], x[1])),
            6 => new("where", [V(s), V(t)], x => Tensor.Where(Tensor.Gt(x[0], Tensor.Scalar(0)), x[0] * x[0], x[1])),
            7 => new("sum(dim)", [V(shape)], x => x[0].Sum(dim, keep)),
            8 => new("mean(dims)", [V(shape)], x => x[0].Mean(shape.Length > 1 ? [0, -1] : [0], keep)),
            9 => new("prod(dim)", [V(shape)], x => x[0].Prod(dim, keep)),
            10 => new("norm(dim)", [V(shape, 0.5, 1)], x => x[0].Norm(dim, keep)),
            11 => new("max(dim)", [V(shape)], x => x[0].Max(dim, keep).Values),
            12 => new("permute", [V(shape)], x => x[0].Permute(Enumerable.Range(0, shape.Length).OrderBy(_ => random.Next()).ToArray())),
            13 => new("transpose/reshape", [V(shape)], x => x[0].Transpose(0, -1).Reshape(-1).Unsqueeze(0)),
            14 => new("expand", [V(s)], x => x[0].Expand([2, .. s])),
            15 => new("index", [V([3, .. shape])], x => x[0][TensorIndex.Slice(null, null, 2), TensorIndex.Ellipsis, ..1]),
            16 => new("narrow/select", [V([3, .. shape])], x => x[0].Narrow(0, 1, 2).Select(-1, 0)),
            17 => new("cat/stack", [V(shape), V(shape)], x => Tensor.Cat([x[0], Tensor.Stack([x[1], x[0]]).Sum(0)], dim)),
            18 => new("split", [V([4, .. shape])], x => x[0].Split(3)[random.Next(2)] * x[0].Chunk(2)[0].Sum()),
            19 => new("gather", [V(shape)], x => x[0].Gather(dim, IndexTensor(random, shape, dim))),
            20 => new("scatter", [V(shape), V(shape)], x => x[0].ScatterAdd(dim, IndexTensor(random, shape, dim), x[1]) * x[0]),
            21 => new("index select/mask", [V([3, .. shape])], x => x[0].IndexSelect(0, Tensor.FromArray(2, 0, 2)).MaskedSelect(Tensor.Gt(x[0][0], Tensor.Scalar(-0.5)))),
            22 => new("matmul", [V([.. s, 2, 3]), V([.. t, 3, 2])], x => Tensor.MatMul(x[0], x[1])),
            _ => new("matmul vector", [V([.. s, 2, 3]), V([3])], x => Tensor.MatMul(x[0], x[1]) + Tensor.MatMul(x[1], x[0].Transpose(-1, -2))),
        };
    }

    // An index of the tensor's shape along dim: for each position a valid index into that dimension (fixed for the case).
    private static Tensor IndexTensor(Random random, int[] shape, int dim)
    {
        int n = shape[dim < 0 ? dim + shape.Length : dim];
        var seed = random.Next();
        var r = new Random(seed);
        return Tensor.FromArray(Tensor.Zeros(shape).ToArray().Select(_ => (double)r.Next(n)).ToArray()).Reshape(shape);
    }

    [Property(MaxTest = 150)]
    public Property EveryOpHasFirstAndSecondDerivativesOverGeneratedShapes() =>
        Prop.ForAll(Gen.Choose(0, 23).ToArbitrary(), Gen.Choose(0, 100_000).ToArbitrary(), (which, seed) =>
        {
            var c = Generate(which, seed);
            // The function is called once per perturbed element: generated again from the seed, it makes the same random choices every call.
            Func<Tensor[], Tensor> fixedFunction = x => Generate(which, seed).Function(x);
            bool ok = Autograd.GradCheck(fixedFunction, c.Inputs) && Autograd.GradGradCheck(fixedFunction, c.Inputs);
            return ok.Label(c.ToString());
        });
}

// Hostile arguments to every shape operation: random dimensions, sizes, indices and shapes (many invalid) either work
// or end in an argument error that says what was wrong — never an IndexOutOfRange, NullReference or Overflow exception.
public class NdTensorFuzzTests
{
    private static readonly Func<Random, Tensor, Tensor>[] operations =
    [
        (r, t) => t.Reshape(Sizes(r)),
        (r, t) => t.Permute(Sizes(r)),
        (r, t) => t.Transpose(r.Next(-5, 5), r.Next(-5, 5)),
        (r, t) => t.Unsqueeze(r.Next(-5, 5)),
        (r, t) => t.Squeeze(r.Next(-5, 5)),
        (r, t) => t.Expand(Sizes(r)),
        (r, t) => t.Flatten(r.Next(-5, 5), r.Next(-5, 5)),
        (r, t) => t.Narrow(r.Next(-5, 5), r.Next(-3, 5), r.Next(-3, 5)),
        (r, t) => t.Select(r.Next(-5, 5), r.Next(-5, 5)),
        (r, t) => t[r.Next(-5, 5), r.Next(-5, 5)],
        (r, t) => t[TensorIndex.Ellipsis, r.Next(-3, 3)..r.Next(0, 6), TensorIndex.NewAxis],
        (r, t) => t[TensorIndex.Slice(r.Next(-5, 5), r.Next(-5, 5), r.Next(-1, 3))],
        (r, t) => t.Sum(Sizes(r), r.Next(2) == 0),
        (r, t) => t.Prod(r.Next(-5, 5), r.Next(2) == 0),
        (r, t) => t.Max(r.Next(-5, 5)).Values,
        (r, t) => t.Norm(r.Next(-5, 5)),
        (r, t) => Tensor.Cat([t, Tensor.Ones(Sizes(r))], r.Next(-5, 5)),
        (r, t) => Tensor.Stack([t, Tensor.Ones(Sizes(r))], r.Next(-5, 5)),
        (r, t) => Tensor.Cat(t.Split(r.Next(-1, 4), r.Next(-5, 5))),
        (r, t) => Tensor.Cat(t.Chunk(r.Next(-1, 4), r.Next(-5, 5))),
        (r, t) => t.Gather(r.Next(-5, 5), Tensor.FromArray(Sizes(r).Select(v => (double)v).ToArray())),
        (r, t) => t.IndexSelect(r.Next(-5, 5), Tensor.FromArray(Sizes(r).Select(v => (double)v).ToArray())),
        (r, t) => t.MaskedSelect(Tensor.Ones(Sizes(r))),
        (r, t) => t.ScatterAdd(r.Next(-5, 5), Tensor.Zeros(Sizes(r)), Tensor.Ones(Sizes(r))),
        (r, t) => Tensor.MatMul(t, Tensor.Ones(Sizes(r))),
        (r, t) => t + Tensor.Ones(Sizes(r)),
        (r, t) => Tensor.Where(Tensor.Ones(Sizes(r)), t, Tensor.Zeros(Sizes(r))),
    ];

    // 0 to 4 sizes from −2 to 4 (negative, zero and mismatched ones included).
    private static int[] Sizes(Random r) => Enumerable.Range(0, r.Next(0, 5)).Select(_ => r.Next(-2, 5)).ToArray();

    [Property(MaxTest = 400)]
    public Property ShapeOperationsWorkOrNameTheirArgumentError() =>
        Prop.ForAll(Gen.Choose(0, int.MaxValue).ToArbitrary(), seed =>
        {
            var r = new Random(seed);
            var shape = Enumerable.Range(0, r.Next(0, 4)).Select(_ => r.Next(0, 4)).ToArray();
            // Values from this case's generator (Tensor.Rand's is shared with the ManualSeed test, which runs in parallel).
            var t = Tensor.FromArray(Enumerable.Range(0, shape.Aggregate(1, (p, n) => p * n)).Select(_ => r.NextDouble()).ToArray()).Reshape(shape).RequiresGrad();
            var operation = operations[r.Next(operations.Length)];
            try
            {
                var result = operation(r, t);
                if (result.RequiresGradient && result.Count > 0) result.Sum().Backward();
                return true.ToProperty();
            }
            catch (Exception e) when (e is ArgumentException or InvalidOperationException)
            {
                return (e.Message.Length > 20).Label(e.Message);
            }
        });
}
