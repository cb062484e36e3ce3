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
}
