// A tape with several outputs shares their common instructions and evaluates them in one sweep.

namespace Hybrid.Tapes.Tests;

public class TapeShapeTests
{
    private static readonly Expr x = Symbol("x"), y = Symbol("y");

    [Fact]
    public void SeveralOutputsShareInstructionsAndEvaluateTogether()
    {
        var shared = Sin(x * y);
        var tape = Tape.Lower([shared + x, shared * y, Number(3)], [x, y]);
        Assert.Equal(2, tape.InputCount);
        Assert.Equal(3, tape.OutputCount);
        Assert.Equal(7, tape.Length);   // x, y, x*y, sin, +x, *y, constant 3
        var values = new double[3];
        tape.Evaluate([0.5, 2.0], values, tape.CreateWorkspace());
        Assert.Equal([Math.Sin(1) + 0.5, Math.Sin(1) * 2, 3], values);
        Assert.Equal("%0 = input x\n%1 = input y\n%2 = linear -%0 + 3*%1    ; -x + 3*y\noutputs: %2",
            Tape.Lower(3 * y - x, x, y).ToString());
        Assert.Equal("The output values span has 2 entries; the tape needs 3.",
            Assert.Throws<ArgumentException>(() => tape.Evaluate([0.5, 2.0], new double[2], tape.CreateWorkspace())).Message);
    }
}
