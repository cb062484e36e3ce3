// The sample engineering script of docs/ runs as a .NET 10 file-based app and reaches equilibrium.
namespace Hybrid.Cli.Tests;

public class ScriptTests
{
    [Fact]
    public void TheChainEquilibriumScriptRuns()
    {
        var (code, output, error) = Run.Dotnet(["run", Path.Combine("docs", "chain-equilibrium.cs")], workingDirectory: Testing.Repository.Root());
        Assert.True(code == 0, $"exit code {code}\n{output}\n{error}");
        Assert.Contains("gradient check at the start: passed", output);
        Assert.Matches(@"equilibrium after \d+ BFGS iterations", output);
        Assert.Contains("sag at mid-span: 369.7 mm", output);
    }

    // The sparse sample: a membrane under pressure, minimized with exact sparse Hessians; small enough here, a million
    // variables with N = 1000 (docs/performance.md). The centre deflection is the Poisson problem's 0.0737·p at small p.
    [Fact]
    public void TheMembraneScriptConvergesOnExactSparseHessians()
    {
        var (code, output, error) = Run.Dotnet(["run", Path.Combine("docs", "membrane.cs"), "16"], workingDirectory: Testing.Repository.Root());
        Assert.True(code == 0, $"exit code {code}\n{output}\n{error}");
        Assert.Contains("16×16 grid: 256 unknowns", output);
        Assert.Matches(@"Hessian: 256×256, \d+ non-zeros .*colors of columns", output);
        Assert.Matches(@"converged \(AbsoluteGradient\) in \d+ steps", output);
        var deflection = double.Parse(System.Text.RegularExpressions.Regex.Match(output, @"deflection at the centre: ([0-9.]+)").Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(deflection, 0.035, 0.038);
        Assert.True(File.Exists(Path.Combine(Path.GetTempPath(), "membrane-16.png")));
    }
}
