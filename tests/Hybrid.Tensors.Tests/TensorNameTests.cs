// The names d2l readers type: double ranges, linspace, seeded random tensors, *_like, Equal/AllClose/IsClose,
// and == refused at compile time (it would compare references).
namespace Hybrid.Tensors.Tests;

public class TensorNameTests
{
    [Fact]
    public void RangesAndLinspaceAsInPyTorch()
    {
        Assert.Equal([0.0, 1, 2, 3], Tensor.Arange(4.0).ToArray());
        Assert.Equal([1.0, 1.25, 1.5, 1.75], Tensor.Arange(1, 2, 0.25).ToArray());
        Assert.Equal([3.0, 2, 1], Tensor.Arange(3, 0, -1).ToArray());
        Assert.Empty(Tensor.Arange(2, 1).ToArray());
        Assert.Throws<ArgumentException>(() => Tensor.Arange(0, 1, 0));
        Assert.Equal([0.0, 0.25, 0.5, 0.75, 1], Tensor.Linspace(0, 1, 5).ToArray());
        Assert.Equal([2.0], Tensor.Linspace(2, 3, 1).ToArray());
        Assert.Equal([7.0, 7], Tensor.FullLike(Tensor.Zeros(2), 7).ToArray());
    }

    [Fact]
    public void ManualSeedRepeatsTheRandomTensors()
    {
        Tensor.ManualSeed(42);
        var (a, u, k) = (Tensor.Randn(4000), Tensor.Rand(1000), Tensor.Randint(0, 3, 1000));
        Tensor.ManualSeed(42);
        Assert.True(Tensor.Equal(a, Tensor.Randn(4000)));
        var values = a.ToArray();
        double mean = values.Average(), sd = Math.Sqrt(values.Select(v => (v - mean) * (v - mean)).Average());
        Assert.InRange(mean, -0.05, 0.05);
        Assert.InRange(sd, 0.95, 1.05);
        Assert.All(u.ToArray(), v => Assert.InRange(v, 0, 1 - double.Epsilon));
        Assert.Equal([0.0, 1, 2], k.ToArray().Distinct().Order());
        Assert.Equal([2, 3], Tensor.Rand(2, 3).Shape);
    }

    [Fact]
    public void ValuesAreComparedByTheMethodsAndNeverByReference()
    {
        var x = Tensor.Arange(4.0).RequiresGrad();
        (2 * Tensor.Dot(x, x)).Backward();
        Assert.True(Tensor.AllClose(x.Grad!, 4 * x));              // the d2l check, without a loop over ToArray()
        Assert.False(Tensor.AllClose(x.Grad!, 4 * x + 1e-3));
        Assert.Equal([1.0, 0, 1], Tensor.IsClose(Tensor.FromArray(1, 2, double.PositiveInfinity), Tensor.FromArray(1 + 1e-9, 2.1, double.PositiveInfinity)).ToArray());
        Assert.False(Tensor.AllClose(Tensor.FromArray(double.NaN), Tensor.FromArray(double.NaN)));
        Assert.True(Tensor.AllClose(Tensor.FromArray(double.NaN), Tensor.FromArray(double.NaN), equalNaN: true));
        Assert.False(Tensor.Equal(Tensor.Zeros(2), Tensor.Zeros(2, 1)));
        Assert.True(Tensor.Equal(x.Grad!, 4 * x));
        // `x.Grad == 4 * x` does not compile: the operator is obsolete as an error, naming the methods to use.
        var equality = typeof(Tensor).GetMethod("op_Equality")!;
        var obsolete = Assert.Single(equality.GetCustomAttributes(typeof(ObsoleteAttribute), false).Cast<ObsoleteAttribute>());
        Assert.True(obsolete.IsError);
        Assert.Contains("Tensor.AllClose", obsolete.Message);
        Assert.False(x.Equals(Tensor.Arange(4.0)));                  // Equals is identity: a tensor is a buffer with a graph
    }

    [Fact]
    public void WholeNumbersPrintInFull()
    {
        Assert.Equal("tensor(1638400)", Tensor.Scalar(1638400).ToString());
        Assert.Equal("tensor([-3, 0.5, 1.23457E+20])", Tensor.FromArray(-3, 0.5, 123456789012345678901.0).ToString());
    }

    // Messages name the operation the user wrote: x * 2 is a Multiply, not the Affine op that computes it.
    [Fact]
    public void MessagesNameTheOperationAsWritten()
    {
        var x = Tensor.Arange(3.0).RequiresGrad();
        Assert.Contains("(Multiply)", Assert.Throws<InvalidOperationException>(() => (x * 2).RequiresGrad()).Message);
        Assert.Contains("(Add)", Assert.Throws<InvalidOperationException>(() => (x + 1).RequiresGrad()).Message);
        Assert.Contains("(Subtract)", Assert.Throws<InvalidOperationException>(() => (1 - x).RequiresGrad()).Message);
        Assert.Contains("(tanh)", Assert.Throws<InvalidOperationException>(() => Tensor.Tanh(x).RequiresGrad()).Message);
    }

    // Elementwise comparisons give tensors; Where takes its gradient from the branch taken only.
    [Fact]
    public void ComparisonsAndWhereAreElementwise()
    {
        var t = Tensor.FromArray(-1, 4).RequiresGrad();
        var zero = Tensor.Scalar(0);
        Assert.Equal([1.0, 0], Tensor.Lt(t, zero).ToArray());
        Assert.Equal([0.0, 1], Tensor.Ge(t, zero).ToArray());
        var y = Tensor.Where(Tensor.Lt(t, zero), 2 * t, Tensor.Sqrt(t));
        Assert.Equal([-2.0, 2], y.ToArray());
        y.Sum().Backward();
        Assert.Equal([2.0, 0.25], t.Grad!.ToArray());           // sqrt(-1) is NaN in the branch not taken: no NaN in the gradient
        Assert.Equal([0.0, 4], Tensor.Maximum(t, zero).ToArray());
        Assert.Equal([-1.0, 0], Tensor.Minimum(t, zero).ToArray());
    }
}
