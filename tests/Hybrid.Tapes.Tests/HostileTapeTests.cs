// Hostile sizes and depths on the tape end in a clear exception, never a crash or a hang.

namespace Hybrid.Tapes.Tests;

public class HostileTapeTests
{
    [Fact]
    public void ADeepCompositionLowersAndDifferentiatesOnEveryPath()
    {
        // 100 000 nested sines: lowering, the sweeps, the compiler's fallback and the lift are all free of recursion.
        var x = Symbol("x");
        var f = x;
        for (int i = 0; i < 100_000; i++) f = Sin(f);
        var tape = Tape.Lower(f, x);
        Assert.Equal(100_001, tape.Length);
        var (ws, g, hv) = (tape.CreateWorkspace(), new double[1], new double[1]);
        double value = tape.Gradient([1.0], g, ws);
        double expectedValue = 1, expectedSlope = 1;
        for (int i = 0; i < 100_000; i++) { expectedSlope *= Math.Cos(expectedValue); expectedValue = Math.Sin(expectedValue); }
        Assert.Equal(expectedValue, value, 1e-15);
        Assert.Equal(expectedSlope, g[0], 1e-12 * Math.Abs(expectedSlope));
        var compiled = tape.Compile();
        Assert.False(compiled.IsInterpreted);   // one instruction repeated: a loop
        Assert.Equal(value, compiled.Gradient([1.0], g, ws));
        Assert.Equal(expectedSlope, g[0], 1e-12 * Math.Abs(expectedSlope));
        tape.HessianVectorProduct([1.0], [1.0], hv, ws);
        Assert.True(double.IsFinite(hv[0]));
        Assert.Equal(f, tape.Lift()[0]);
    }

    [Fact]
    public void AProductOfManyFactorsRunsOnTheInterpreterAndHugeBlocksAreRefused()
    {
        var symbols = Enumerable.Range(0, 2000).Select(i => Symbol("x" + i)).ToArray();
        var tape = Tape.Lower(Product(symbols) + Sum(symbols), symbols);
        var compiled = tape.Compile();
        Assert.True(compiled.IsInterpreted);
        var point = Enumerable.Repeat(1.0, symbols.Length).ToArray();
        var g = new double[symbols.Length];
        Assert.Equal(2001, compiled.Gradient(point, g, compiled.CreateWorkspace()));
        Assert.All(g, v => Assert.Equal(2, v));
        Assert.StartsWith("Blocks of 100000 points over a tape of", Assert.Throws<ArgumentOutOfRangeException>(() => tape.Batched(blockSize: 100_000)).Message);
    }

    [Fact]
    public void SecondOrderAllocatesNothingAfterWarmUp()
    {
        var (x, y) = (Symbol("x"), Symbol("y"));
        var tape = Tape.Lower(Sin(x * y) * Exp(x) + Atan2(y, x) + x * y * Pow(x, 3), x, y);
        var ws = tape.CreateWorkspace();
        double[] point = [0.3, 0.7], v = [1, -2], hv = new double[2], hessian = new double[4];
        Assert.Equal(0, Allocations.FewestBytes(() => { tape.HessianVectorProduct(point, v, hv, ws); tape.Hessian(point, hessian, ws); }, calls: 200));
    }
}
