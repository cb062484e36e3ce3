// check (exit 1 on a mismatch, progress only to a terminal, the step-size plot) and plot.
using System.Text.Json.Nodes;

namespace Hybrid.Cli.Tests;

public class CheckAndPlotTests
{
    [Fact]
    public void ARightGradientPasses()
    {
        var (code, output, error) = Run.Hybrid("check", "sin(x^2)*y", "--claimed", "2*x*cos(x^2)*y, sin(x^2)", "--at", "x=0.5,y=2", "--at", "x=1,y=-1");
        Assert.Equal((0, ""), (code, error));
        Assert.Contains("reference (exact)", output);
        Assert.Contains("reference (central differences)", output);
        Assert.EndsWith("the claimed gradient equals the exact gradient at 2 point(s)\n", output);
    }

    [Fact]
    public void AMissingChainFactorFailsWithExitCode1()
    {
        var (code, output, _) = Run.Hybrid("check", "sin(x^2)*y", "--claimed", "cos(x^2)*y", "--claimed", "sin(x^2)", "--at", "x=1.5,y=2");
        Assert.Equal(1, code);
        Assert.Matches(@"\(1.5, 2\)\s+∂f/∂x\s+-1.25\d+\s+-3.769\d+.*FAIL", output);
        Assert.Contains("MISMATCH: the claimed gradient differs from the exact gradient in 1 of 2 components", output);
        var json = JsonNode.Parse(Run.Hybrid("check", "x*y", "--claimed", "x, y", "--at", "x=1,y=2", "--json").Out)!;
        Assert.False((bool)json["passed"]!);
        Assert.Equal("exact", (string)json["exact"]!["reference"]!);
        Assert.Equal(2, json["centralDifferences"]!["entries"]!.AsArray().Count);
    }

    [Fact]
    public void CommasInsideCallsDoNotSplitTheClaimedGradient() =>
        Assert.Equal(0, Run.Hybrid("check", "atan2(y, x)", "--wrt", "x", "--wrt", "y", "--claimed", "-y/(x^2 + y^2), x/(x^2 + y^2)", "--at", "x=1,y=2").Code);

    [Fact]
    public void CheckUsageErrors()
    {
        Assert.Contains("--claimed gives 1 expressions, but the gradient has 2 components (x, y)", Run.Hybrid("check", "x*y", "--claimed", "y", "--at", "x=1,y=1").Err);
        Assert.Contains("Give at least one point", Run.Hybrid("check", "x", "--claimed", "1").Err);
        Assert.Contains("y missing from --wrt", Run.Hybrid("check", "x*y", "--wrt", "x", "--claimed", "y", "--at", "x=1,y=1").Err);
        Assert.Equal(2, Run.Hybrid("check", "x", "--claimed", "1", "--random", "-5").Code);
    }

    [Fact]
    public void ManyPointsShowProgressOnlyToATerminalAndASummary()
    {
        string[] args = ["check", "x*exp(y)", "--claimed", "exp(y), x*exp(y)", "--random", "1000"];
        var quiet = Run.With("", progress: false, args);
        Assert.Equal((0, ""), (quiet.Code, quiet.Err));
        Assert.Contains("PASSED: 2000 of 2000", quiet.Out);
        Assert.True(quiet.Out.Split('\n').Length < 20, "a summary, not 2000 rows");
        var terminal = Run.With("", progress: true, args);
        Assert.Contains("\rchecking point 1000/1000", terminal.Err);
        Assert.Equal(quiet.Out, terminal.Out);
    }

    [Fact]
    public void CheckPlotsTheStepSizeStudy()
    {
        string file = Path.Combine(Path.GetTempPath(), $"hybrid-steps-{Guid.NewGuid():N}.png");
        try
        {
            var (code, output, _) = Run.Hybrid("check", "exp(sin(x))", "--claimed", "cos(x)*exp(sin(x))", "--at", "x=0.7", "--plot", file);
            Assert.Equal(0, code);
            Assert.Contains($"wrote {file}", output);
            Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], File.ReadAllBytes(file).Take(4));
        }
        finally { File.Delete(file); }
    }

    [Theory, InlineData(".png"), InlineData(".svg")]
    public void PlotWritesTheFunctionAndItsDerivative(string extension)
    {
        string file = Path.Combine(Path.GetTempPath(), $"hybrid-plot-{Guid.NewGuid():N}{extension}");
        try
        {
            var (code, output, _) = Run.Hybrid("plot", "a*sin(x)*exp(-x/4)", "--wrt", "x", "--from", "0", "--to", "10", "--at", "a=2", "-o", file);
            Assert.Equal(0, code);
            Assert.Equal($"wrote {file}: f and df/dx on [0, 10], 400 samples\n", output);
            var bytes = File.ReadAllBytes(file);
            if (extension == ".svg") Assert.Contains("<svg", System.Text.Encoding.UTF8.GetString(bytes));
            else Assert.Equal((byte)'P', bytes[1]);
        }
        finally { File.Delete(file); }
    }

    [Fact]
    public void PlotUsageErrors()
    {
        Assert.Contains("give a .png or .svg file name", Run.Hybrid("plot", "x", "--from", "0", "--to", "1", "-o", "f.gif").Err);
        Assert.Contains("--from must be below --to", Run.Hybrid("plot", "x", "--from", "1", "--to", "0", "-o", "f.png").Err);
        Assert.Contains("say which variable", Run.Hybrid("plot", "x*y", "--from", "0", "--to", "1", "-o", "f.png").Err, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("f is not finite anywhere on [-2, -1]", Run.Hybrid("plot", "log(x)", "--from", "-2", "--to", "-1", "-o", "f.png").Err);
        Assert.Contains("a has no value", Run.Hybrid("plot", "a*x", "--wrt", "x", "--from", "0", "--to", "1", "-o", "f.png").Err);
    }
}
