// docs/autograd.md stays true: every line of its C# blocks is a line of the walkthrough that
// `hybrid demo` runs, and its output blocks, in order, are exactly what the walkthrough prints.
using System.Text.RegularExpressions;
using Hybrid.Cli;
using Hybrid.Testing;

namespace Hybrid.Cli.Tests;

public class AutogradGuideTests
{
    private static string Root() => Repository.Root();

    private static List<string> Blocks(string markdown, string language) =>
        Regex.Matches(markdown, "```" + language + "\n(.*?)```", RegexOptions.Singleline).Select(m => m.Groups[1].Value.TrimEnd('\n')).ToList();

    [Fact]
    public void TheGuidesOutputsAreWhatTheWalkthroughPrints()
    {
        var guide = File.ReadAllText(Path.Combine(Root(), "docs", "autograd.md"));
        var printed = new StringWriter { NewLine = "\n" };
        Walkthrough.Run(printed);
        var steps = printed.ToString().TrimEnd('\n').Split("\n\n");
        Assert.Equal(steps, Blocks(guide, "text"));
    }

    [Fact]
    public void TheReadmesTapeAndTensorExamplePrintWhatItSays()
    {
        var x = Symbolic.Expr.Symbol("x");
        var df = Symbolic.Expr.Parse("sin(x)*x^2").Differentiate(x);
        var t = Tensor.Arange(4).RequiresGrad();
        var y = 2 * Tensor.Dot(t, t);
        y.Backward();
        Assert.Equal("tensor([0, 4, 8, 12])", t.Grad!.ToString());
        var tape = Tape.Lower(df, x).Compile();
        Assert.Equal("3.151643663564495", tape.Evaluate([1.5], tape.CreateWorkspace()).ToString("R"));
        var readme = File.ReadAllText(Path.Combine(Root(), "README.md"));
        Assert.Contains("Console.WriteLine(t.Grad);                        // tensor([0, 4, 8, 12])", readme);
        Assert.Contains("Console.WriteLine(tape.Evaluate([1.5], tape.CreateWorkspace()));   // 3.151643663564495", readme);
    }

    [Fact]
    public void EveryLineOfTheGuidesCodeIsInTheWalkthrough()
    {
        var guide = File.ReadAllText(Path.Combine(Root(), "docs", "autograd.md"));
        var source = File.ReadAllLines(Path.Combine(Root(), "cli", "Walkthrough.cs")).Select(l => l.Trim()).ToHashSet();
        var missing = Blocks(guide, "csharp").SelectMany(b => b.Split('\n')).Select(l => l.Trim()).Where(l => l.Length > 0 && !source.Contains(l)).ToList();
        Assert.True(missing.Count == 0, "Lines of docs/autograd.md not in cli/Walkthrough.cs:\n" + string.Join("\n", missing));
    }
}
