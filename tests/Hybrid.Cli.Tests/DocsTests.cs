// docs/cli.md documents every command and every option the command line actually has.
using System.CommandLine;

namespace Hybrid.Cli.Tests;

public class DocsTests
{
    [Fact]
    public void EveryCommandAndOptionIsInTheCliGuide()
    {
        var guide = File.ReadAllText(Path.Combine(Testing.Repository.Root(), "docs", "cli.md"));
        var root = Cli.Build(new Terminal(TextReader.Null, TextWriter.Null, TextWriter.Null, false));
        var sections = guide.Split("\n### ").Skip(1).ToList();
        var missing = new List<string>();
        foreach (var command in root.Subcommands)
        {
            // A section's heading names its commands: "`hybrid simplify EXPR`, `hybrid expand EXPR`".
            var section = sections.FirstOrDefault(t => t.Split('\n')[0].Contains($"`hybrid {command.Name}", StringComparison.Ordinal));
            if (section is null) { missing.Add(command.Name); continue; }
            foreach (var option in command.Options.Where(o => o.Name is not "--help" and not "--json"))
                if (!section.Contains($"`{option.Name}", StringComparison.Ordinal)) missing.Add($"{command.Name} {option.Name}");
        }
        Assert.True(missing.Count == 0, "Not in docs/cli.md: " + string.Join(", ", missing));
    }

    [Fact]
    public void TheReadmeShowsEveryCommand()
    {
        var readme = File.ReadAllText(Path.Combine(Testing.Repository.Root(), "README.md"));
        foreach (var command in Cli.Build(new Terminal(TextReader.Null, TextWriter.Null, TextWriter.Null, false)).Subcommands)
            Assert.Contains($"hybrid {command.Name}", readme);
    }
}
