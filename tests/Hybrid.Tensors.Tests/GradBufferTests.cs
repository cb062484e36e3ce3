// The gradient buffer: a gradient that carries a graph (createGraph) is never overwritten in place.

namespace Hybrid.Tensors.Tests;

public class GradBufferTests
{
    [Fact]
    public void AGradientWithAGraphIsNeverWrittenInPlace()
    {
        var x = Tensor.Scalar(0.5).RequiresGrad();
        Tensor.Pow(x, 3).Backward(createGraph: true);
        var first = x.Grad!;                       // 3x², with a graph
        Assert.True(first.RequiresGradient);
        Tensor.Pow(x, 2).Backward();               // plain accumulation: must not modify the graph's tensor
        Assert.Equal(0.75, first.Item());
        Assert.Equal(1.75, x.Grad!.Item());
        x.ZeroGrad();
        Assert.Equal(0, x.Grad!.Item());
        Assert.Equal(0.75, first.Item());
        var buffer = x.Grad;
        x.Sum().Backward();
        Assert.Same(buffer, x.Grad);
    }

    // Every scalar backward pass starts from one shared seed tensor (no allocation per pass); it must never reach the user,
    // who could mark it RequiresGrad or retain it and so change every later pass.
    [Fact]
    public void TheSharedSeedNeverReachesTheUser()
    {
        var x = Tensor.Scalar(2).RequiresGrad();
        var fromGrad = Autograd.Grad([x], [x])[0];          // d x / d x: the seed itself would be the answer
        Assert.Equal(1, fromGrad.Item());
        fromGrad.RequiresGrad();                             // harmless on a tensor of the user's own
        Assert.NotSame(fromGrad, Autograd.Grad([x], [x])[0]);

        x.Backward(createGraph: true);                       // a leaf's stored gradient, with createGraph: stored as is
        var stored = x.Grad!;
        Assert.Equal(1, stored.Item());
        stored.RetainGrad();

        var y = x * x;                                       // later passes are unaffected, and not recorded
        var (dy, noGraph) = (Autograd.Grad([y], [x])[0], Autograd.Grad([x * 3], [x])[0]);
        Assert.Equal(4, dy.Item());
        Assert.False(dy.RequiresGradient);
        Assert.Equal(3, noGraph.Item());
        Assert.False(noGraph.RequiresGradient);
    }
}
