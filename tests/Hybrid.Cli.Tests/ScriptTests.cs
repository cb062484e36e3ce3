// The sample engineering script of docs/ runs as a .NET 10 file-based app and reaches equilibrium.
using System.Diagnostics;

namespace Hybrid.Cli.Tests;

public class ScriptTests
{
    [Fact]
    public void TheChainEquilibriumScriptRuns()
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = Testing.Repository.Root() };
        foreach (var a in new[] { "run", Path.Combine("docs", "chain-equilibrium.cs") }) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        Assert.True(process.WaitForExit(TimeSpan.FromMinutes(5)), "the script did not finish in 5 minutes");
        Assert.True(process.ExitCode == 0, $"exit code {process.ExitCode}\n{output.Result}\n{error.Result}");
        Assert.Contains("gradient check at the start: passed", output.Result);
        Assert.Matches(@"equilibrium after \d+ BFGS iterations", output.Result);
        Assert.Contains("sag at mid-span: 369.7 mm", output.Result);
    }
}
