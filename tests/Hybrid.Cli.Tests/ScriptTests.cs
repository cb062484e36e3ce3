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
}
