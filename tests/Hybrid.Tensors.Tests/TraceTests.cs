// Trace: a recorded run lifted back to exact expressions, with its guards, replayed and differentiated.

namespace Hybrid.Tensors.Tests;

public class TraceTests
{
    [Fact]
    public void TheControlFlowExampleLiftsToKTimesA()
    {
        var trace = Trace.Record(AutogradChapterTests.F, "a", Tensor.Scalar(0.37));
        Assert.Equal("4096*a", trace.Output.ToString());
        Assert.Equal("4096", trace.Output.Differentiate(trace.Symbols[0]).ToString());
        Assert.Equal(13, trace.Guards.Count);   // twelve checks of the norm (eleven doublings), then the sign
        Assert.Equal("sqrt(4*a^2) < 1000", trace.Guards[0].Condition.ToString());
        Assert.Equal("4096*a > 0", trace.Guards[^1].Condition.ToString());
        var g = new double[1];
        Assert.Equal(4096 * 0.4, trace.Gradient([0.4], g), 12);
        Assert.Equal(4096, g[0]);
    }

    [Fact]
    public void AReplayWhereAGuardFlipsRefusesOrReRecords()
    {
        var trace = Trace.Record(AutogradChapterTests.F, "a", Tensor.Scalar(0.37));
        var g = new double[1];
        var error = Assert.Throws<InvalidOperationException>(() => trace.Gradient([-0.37], g));
        Assert.Equal("The trace assumed that 4096*a > 0 was true, but at the new point it is false (its left side is -1515.52): the recorded path does not apply here. "
            + "Record again at this point (Trace.Record), or pass reRecord: true.", error.Message);
        Assert.Throws<InvalidOperationException>(() => trace.Gradient([5.0], g));   // fewer doublings: the norm guard flips first
        Assert.Equal(-151552, trace.Gradient([-0.37], g, reRecord: true), 9);
        Assert.Equal(409600, g[0]);
    }
}
