// The automatic-differentiation chapter of Dive into Deep Learning, step by step, in C#: the same
// numbers and the same errors.

namespace Hybrid.Tensors.Tests;

public class AutogradChapterTests
{
    [Fact]
    public void GradientOfTwiceTheSquaredNormIsFourX()
    {
        var x = Tensor.Arange(4).RequiresGrad();
        Assert.Null(x.Grad);
        var y = 2 * Tensor.Dot(x, x);
        Assert.Equal(28, y.Item());
        y.Backward();
        Assert.Equal([0, 4, 8, 12], x.Grad!.ToArray());
        Assert.Equal("tensor([0, 4, 8, 12])", x.Grad.ToString());
    }

    [Fact]
    public void GradientsAccumulateInOneBufferUntilZeroed()
    {
        var x = Tensor.Arange(4).RequiresGrad();
        (2 * Tensor.Dot(x, x)).Backward();
        var buffer = x.Grad!;
        x.Sum().Backward();
        Assert.Same(buffer, x.Grad);
        Assert.Equal([1, 5, 9, 13], x.Grad!.ToArray());
        x.ZeroGrad();
        Assert.Same(buffer, x.Grad);
        x.Sum().Backward();
        Assert.Equal([1, 1, 1, 1], x.Grad.ToArray());
    }

    [Fact]
    public void ZeroingIsDeferredButAlwaysReadsAsZeros()
    {
        // ZeroGrad marks the buffer; the next backward writes instead of adding, a read before that clears.
        var x = Tensor.Arange(4).RequiresGrad();
        var w = Tensor.FromArray(new double[,] { { 1, 2, 3, 4 }, { 5, 6, 7, 8 } }).RequiresGrad();
        Tensor.MatMul(w, x).Sum().Backward();
        var (gx, gw) = (x.Grad!, w.Grad!);
        foreach (var backward in new Action[]
                 {
                     () => (2 * Tensor.Dot(x, x)).Backward(),                  // scaled vector path
                     () => x.Sum().Backward(),                                 // broadcast of a scalar gradient
                     () => Tensor.MatMul(w, x).Sum().Backward(),               // outer-product path for w
                     () => (x * x).Backward(gradient: Tensor.OnesLike(x)),     // a given gradient
                 })
        {
            x.ZeroGrad();
            w.ZeroGrad();
            x.ZeroGrad();   // twice is still zero
            backward();
            var (fx, fw) = (x.Grad!.ToArray(), w.Grad!.ToArray());
            x.ZeroGrad();
            w.ZeroGrad();
            Assert.Same(gx, x.Grad);
            Assert.All(x.Grad!.ToArray(), v => Assert.Equal(0, v));
            Assert.All(w.Grad!.ToArray(), v => Assert.Equal(0, v));
            backward();
            backward();
            Assert.Equal(fx.Select(v => 2 * v), x.Grad!.ToArray());   // accumulates again after the first write
            Assert.Equal(fw.Select(v => 2 * v), w.Grad!.ToArray());
            Assert.Same(gx, x.Grad);
            Assert.Same(gw, w.Grad);
        }
        x.ZeroGrad();
        var y = Tensor.Sin(x).Sum();
        var first = Autograd.Grad([y], [x], createGraph: true)[0];
        Assert.Equal(Enumerable.Range(0, 4).Select(i => Math.Cos(i)), first.ToArray());
        Assert.All(x.Grad!.ToArray(), v => Assert.Equal(0, v));
    }

    [Fact]
    public void ANonScalarOutputNeedsAGradientOrASum()
    {
        var x = Tensor.Arange(4).RequiresGrad();
        var y = x * x;
        var error = Assert.Throws<InvalidOperationException>(() => y.Backward());
        Assert.Equal("grad can be implicitly created only for scalar outputs; this output has shape [4]. Pass a gradient of the same shape "
            + "(y.Backward(gradient: Tensor.OnesLike(y))) or reduce the output first (y.Sum().Backward()).", error.Message);
        y.Backward(gradient: Tensor.OnesLike(y));
        Assert.Equal([0, 2, 4, 6], x.Grad!.ToArray());
        x.ZeroGrad();
        (x * x).Sum().Backward();
        Assert.Equal([0, 2, 4, 6], x.Grad.ToArray());
        Assert.StartsWith("The gradient has shape [3]; the output has shape [4].", Assert.Throws<ArgumentException>(() => (x * x).Backward(Tensor.Ones(3))).Message);
    }

    [Fact]
    public void DetachCutsAValueOutOfTheGraph()
    {
        var x = Tensor.Arange(4).RequiresGrad();
        var y = x * x;
        var u = y.Detach();
        Assert.True(u.IsLeaf);
        Assert.False(u.RequiresGradient);
        var z = u * x;
        z.Sum().Backward();
        Assert.Equal(u.ToArray(), x.Grad!.ToArray());
        x.ZeroGrad();
        y.Sum().Backward();
        Assert.Equal([0, 2, 4, 6], x.Grad.ToArray());
    }

    // The chapter's f: doubling until the norm reaches 1000, then a data-dependent branch.
    internal static Tensor F(Tensor a)
    {
        var b = a * 2;
        while (b.Norm() < 1000) b = b * 2;
        var c = b.Sum() > 0 ? b : 100 * b;
        return c;
    }

    [Theory]
    [InlineData(0.37)]
    [InlineData(-1.3)]
    [InlineData(1e-3)]
    public void GradientsFlowThroughLoopsAndBranches(double value)
    {
        var a = Tensor.Scalar(value).RequiresGrad();
        var d = F(a);
        d.Backward();
        Assert.Equal(d.Item() / a.Item(), a.Grad!.Item(), 1e-12 * Math.Abs(d.Item() / a.Item()));
    }

    [Fact]
    public void TheChaptersRandomVectorNeedsASum()
    {
        var a = Tensor.Random(7, 3).RequiresGrad();
        var d = F(a);
        Assert.StartsWith("grad can be implicitly created only for scalar outputs; this output has shape [3].", Assert.Throws<InvalidOperationException>(() => d.Backward()).Message);
        d.Sum().Backward();
        var ratio = d.ToArray()[0] / a.ToArray()[0];
        Assert.All(a.Grad!.ToArray(), g => Assert.Equal(ratio, g, 1e-9 * ratio));
    }

    [Fact]
    public void BackwardTwiceNeedsARetainedGraph()
    {
        var x = Tensor.Arange(4).RequiresGrad();
        var y = 2 * Tensor.Dot(x, x);
        y.Backward();
        var error = Assert.Throws<InvalidOperationException>(() => y.Backward());
        Assert.Equal("Trying to backward through the graph a second time: the first Backward freed it (its saved values are gone). "
            + "Call Backward(retainGraph: true) the first time if you need to backward through the same graph again.", error.Message);
        x.ZeroGrad();
        var z = 2 * Tensor.Dot(x, x);
        z.Backward(retainGraph: true);
        z.Backward();
        Assert.Equal([0, 8, 16, 24], x.Grad!.ToArray());
    }

    [Fact]
    public void SecondDerivativesNeedTheGraphKept()
    {
        foreach (var value in new[] { -2.0, 0.3, 1.7 })
        {
            var x = Tensor.Scalar(value).RequiresGrad();
            var y = Tensor.Sin(x);
            y.Backward(createGraph: true);
            var dydx = x.Grad!;
            Assert.Equal(Math.Cos(value), dydx.Item(), 15);
            Assert.True(dydx.RequiresGradient);
            var second = Autograd.Grad([dydx], [x])[0];
            Assert.Equal(-Math.Sin(value), second.Item(), 15);
        }
    }

    [Fact]
    public void NoGradRecordsNothing()
    {
        var x = Tensor.Arange(3).RequiresGrad();
        Tensor y;
        using (Autograd.NoGrad())
        {
            y = x * 2 + 1;
            Assert.False(Autograd.IsRecording);
        }
        Assert.True(Autograd.IsRecording);
        Assert.False(y.RequiresGradient);
        Assert.True(y.IsLeaf);
        Assert.False(x.Detach().RequiresGradient);
        Assert.StartsWith("Backward was called on a tensor that does not require grad", Assert.Throws<InvalidOperationException>(() => y.Sum().Backward()).Message);
    }
}
