// docs/property-testing.md stays true: every line of its C# blocks is a line of GuideExample.cs
// or of the kit's own tests, where it compiles and runs.
using Hybrid.Testing;

namespace Hybrid.Numerics.Tests;

public class GuideTests
{
    [Fact]
    public void EveryCodeLineOfTheGuideIsCompiledSomewhere()
    {
        string Read(params string[] path) => File.ReadAllText(Path.Combine([Repository.Root(), .. path]));
        var sources = Read("tests", "Hybrid.Numerics.Tests", "GuideExample.cs") + Read("tests", "Hybrid.Numerics.Tests", "KitTests.cs");
        var lines = sources.Split('\n').Select(l => l.Trim()).ToHashSet();
        var guide = Read("docs", "property-testing.md").Split('\n');
        var missing = new List<string>();
        bool inCSharp = false;
        foreach (var raw in guide)
        {
            var line = raw.Trim();
            if (line.StartsWith("```")) { inCSharp = line == "```csharp"; continue; }
            if (inCSharp && line.Length > 0 && !lines.Contains(line)) missing.Add(line);
        }
        Assert.True(missing.Count == 0, "Lines of docs/property-testing.md compiled nowhere:\n" + string.Join("\n", missing));
    }
}
