// Cases recorded from PyTorch (data/pytorch_cases.json, made by data/pytorch_cases.py where python3-torch is
// installed; the tests need no Python): each function is written here as in the script, and its output, its
// gradients of (y ⊙ w).sum() and the second derivatives must match PyTorch's to rounding.
using System.Text.Json;

namespace Hybrid.Tensors.Tests;

public class PyTorchCaseTests
{
    private sealed record Recorded(int[] Shape, double[] Values);

    private sealed record Case(string Name, Recorded[] Inputs, Recorded Output, Recorded[] Gradients, Recorded[] Second);

    private sealed record File(string Torch, Case[] Cases);

    private static readonly JsonSerializerOptions options = new() { PropertyNameCaseInsensitive = true };

    private static readonly Lazy<Dictionary<string, Case>> cases = new(() =>
        JsonSerializer.Deserialize<File>(System.IO.File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "data", "pytorch_cases.json")), options)!
            .Cases.ToDictionary(c => c.Name));

    private static Tensor Idx(double[,] values) => Tensor.FromArray(values);

    private static Tensor ControlFlow(Tensor a)
    {
        var b = a * 2;
        while (b.Norm() < 1000) b = b * 2;
        return (double)b.Sum() > 0 ? b : 100 * b;
    }

    private static Tensor Flat(Tensor t) => t.Flatten();

    private static readonly Dictionary<string, Func<Tensor[], Tensor>> functions = new()
    {
        ["seed"] = x => 2 * Tensor.Dot(x[0], x[0]),
        ["broadcast_arithmetic"] = x => x[0] * x[1] + x[0] / (x[1] * x[1] + 1) - x[1],
        ["broadcast_where_maximum"] = x => Tensor.Where(Tensor.Gt(x[0], x[1]), x[0] * x[1], x[0] - x[1]) + Tensor.Maximum(x[0], x[1]),
        ["broadcast_pow_exp"] = x => Tensor.Pow(x[0] * x[0] + 1, x[1]) * Tensor.Exp(x[1] / 4),
        ["sum_mean_dims"] = x => x[0].Sum(1, keepDim: true) * x[0].Mean([0, 1]),
        ["prod_norm_dims"] = x => Tensor.Cat([x[0].Prod(1), x[0].Norm(0), x[0].Prod(0, keepDim: true).Flatten()]),
        ["max_min"] = x => Tensor.Cat([x[0].Max(1).Values, x[0].Min(0).Values, x[0].Max().Reshape(1), x[0].Min().Reshape(1)]),
        ["max_ties"] = x => Tensor.Pow(x[0][1..], 2).Max() * 2 + Tensor.Pow(x[0][1..], 2).Min(),
        ["matmul_batch"] = x => Tensor.MatMul(x[0], x[1]),
        ["matmul_vectors"] = x => Tensor.Cat([Flat(Tensor.MatMul(x[0], x[1])), Flat(Tensor.MatMul(x[2], x[0])), Flat(Tensor.MatMul(x[1], x[0].Transpose(-1, -2)))]),
        ["views"] = x => Tensor.Cat([
            x[0].Permute(2, 0, 1).Flatten() * Tensor.Arange(24.0),
            (x[0].Unsqueeze(0).Expand(3, 2, 3, 4).Sum(0) * x[0]).Flatten(),
            Tensor.Pow(x[0].Transpose(0, 2).Reshape(4, 6)[1..3].Flatten(), 2),
            x[0].Squeeze().View(6, 4)[.., 1]]),
        ["indexing"] = x => Tensor.Cat([
            x[0][.., 1..3].Flatten(),
            x[0][TensorIndex.Ellipsis, 0].Flatten() * 3,
            Tensor.Pow(x[0][TensorIndex.Slice(null, null, 2), TensorIndex.NewAxis, -1], 2).Flatten(),
            x[0][-1, 2.., TensorIndex.Slice(null, null, 3)].Flatten(),
            x[0][1].Flatten() * x[0][2].Flatten()]),
        ["cat_stack_split"] = x => Tensor.Cat([
            Tensor.Cat([x[0], x[1]], 1).Flatten(),
            Tensor.Stack([x[0], x[0] * 2], 1).Flatten(),
            x[0].Split(2, 1)[1].Flatten() * 3,
            Tensor.Pow(Tensor.Cat(x[1].Chunk(2, 0), 1).Flatten(), 2)]),
        ["gather_scatter_select"] = x =>
        {
            var idx = Idx(new double[,] { { 0, 2 }, { 1, 1 }, { 3, 0 } });
            return Tensor.Cat([
                x[0].Gather(1, idx).Flatten() * x[1].Flatten(),
                Tensor.Zeros(3, 4).ScatterAdd(1, idx, x[1]).Flatten() * x[0].Flatten(),
                x[0].IndexSelect(0, Tensor.FromArray(2, 0)).Flatten(),
                Tensor.Pow(x[0].MaskedSelect(Tensor.Gt(x[0], Tensor.Scalar(0))), 2),
                x[0].Scatter(1, Idx(new double[,] { { 1 }, { 3 }, { 0 } }), x[1][.., ..1]).Flatten() * x[0].Flatten()]);
        },
        ["log_softmax"] = x => x[0] - Tensor.Log(Tensor.Exp(x[0]).Sum(1, keepDim: true)),
        ["mlp_batch"] = x => Tensor.Tanh(Tensor.MatMul(x[0], x[1]) + x[2]),
        ["chapter_control_flow_vector"] = x => ControlFlow(x[0]),
        ["chapter_control_flow_matrix"] = x => ControlFlow(x[0]),
        ["detach"] = x => (x[0] * x[0]).Detach() * x[0],
    };

    public static TheoryData<string> Names => [.. functions.Keys];

    private static Tensor Of(Recorded r) => Tensor.FromArray(r.Values).Reshape(r.Shape);

    private static Tensor Weights(Tensor t) => Tensor.FromArray(Enumerable.Range(0, t.Count).Select(i => 1 + i % 5 / 4.0).ToArray()).Reshape([.. t.Shape]);

    private static void Same(Recorded expected, Tensor actual, string what)
    {
        Assert.True(expected.Shape.SequenceEqual(actual.Shape), $"{what}: shape {Tensor.ShapeText(actual.Shape)}, PyTorch {Tensor.ShapeText(expected.Shape)}");
        var values = actual.ToArray();
        for (int i = 0; i < values.Length; i++)
            Assert.True(Math.Abs(values[i] - expected.Values[i]) <= 1e-12 + 1e-12 * Math.Abs(expected.Values[i]),
                $"{what}[{i}]: {values[i]:R}, PyTorch {expected.Values[i]:R}");
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void MatchesPyTorch(string name)
    {
        var recorded = cases.Value[name];
        var inputs = recorded.Inputs.Select(r => Of(r).RequiresGrad()).ToArray();
        var y = functions[name](inputs);
        Same(recorded.Output, y, "output");
        var gradients = Autograd.Grad([(y * Weights(y)).Sum()], inputs, createGraph: true, allowUnused: true);
        for (int k = 0; k < inputs.Length; k++) Same(recorded.Gradients[k], gradients[k], $"gradient {k}");
        var s = gradients.Select(g => (g * Weights(g)).Sum()).Aggregate((a, b) => a + b);
        var second = s.RequiresGradient ? Autograd.Grad([s], inputs, allowUnused: true) : inputs.Select(Tensor.ZerosLike).ToArray();
        for (int k = 0; k < inputs.Length; k++) Same(recorded.Second[k], second[k], $"second derivative {k}");
    }

    [Fact]
    public void EveryRecordedCaseHasItsFunction() => Assert.Equal(cases.Value.Keys.Order(), functions.Keys.Order());
}
