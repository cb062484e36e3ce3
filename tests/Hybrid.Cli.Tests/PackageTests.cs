// The consumer test: pack every package into a local folder, then build and run a console program outside
// the repository that references the packages from that folder only (the README's examples, in
// tests/consumer), and install the hybrid tool from it and run it. Offline: the only source is the local
// folder; the packages' own dependencies come from the machine's package cache. It packs what the test run
// already built (--no-build), so it costs a restore and two small builds, not a rebuild of the solution.
using System.Text.RegularExpressions;

namespace Hybrid.Cli.Tests;

public class PackageTests
{
#if DEBUG
    private const string Configuration = "Debug";
#else
    private const string Configuration = "Release";
#endif

    private static readonly string[] Packages = ["Hybrid.Symbolic", "Hybrid.Tapes", "Hybrid.Tensors", "Hybrid.Numerics", "Hybrid.Testing", "Hybrid.Cli", "Hybrid.Generators"];

    [Fact]
    public void APackedConsumerBuildsAndRunsTheReadmeAndTheToolInstalls()
    {
        var root = Testing.Repository.Root();
        var work = Directory.CreateTempSubdirectory("hybrid-consumer-").FullName;
        try
        {
            var feed = Directory.CreateDirectory(Path.Combine(work, "feed")).FullName;
            var pack = Run.Dotnet(["pack", Path.Combine(root, "Hybrid.sln"), "-c", Configuration, "--no-build", "-o", feed]);
            Assert.True(pack.Code == 0, $"pack failed:\n{pack.Out}\n{pack.Err}");
            Assert.DoesNotMatch(@"warning (NU|CS|RS)\d+", pack.Out);
            string version = VersionOf(feed, "Hybrid.Symbolic");
            foreach (var id in Packages)
            {
                Assert.True(File.Exists(Path.Combine(feed, $"{id}.{version}.nupkg")), $"{id} {version} was not packed (one version for all)");
                // The source generator's code runs in the compiler, not in the program: it ships no symbols.
                if (id != "Hybrid.Generators") Assert.True(File.Exists(Path.Combine(feed, $"{id}.{version}.snupkg")), $"{id} has no symbol package");
            }

            // The consumer, copied out of the repository so that none of its build settings apply.
            var consumer = Directory.CreateDirectory(Path.Combine(work, "consumer")).FullName;
            foreach (var file in new[] { "Program.cs", "Consumer.csproj" })
                File.Copy(Path.Combine(root, "tests", "consumer", file), Path.Combine(consumer, file));
            var config = Path.Combine(work, "nuget.config");
            File.WriteAllText(config, $"""
                <?xml version="1.0" encoding="utf-8"?>
                <configuration>
                  <packageSources>
                    <clear />
                    <add key="local" value="{feed}" />
                  </packageSources>
                </configuration>
                """);
            File.Copy(config, Path.Combine(consumer, "nuget.config"));
            var run = Run.Dotnet(["run", "--property:HybridVersion=" + version], workingDirectory: consumer);
            Assert.True(run.Code == 0, $"the consumer failed:\n{run.Out}\n{run.Err}");
            Assert.Equal(
            [
                "x^2*cos(x) + 2*x*sin(x)", @"x^{2} \cos\left(x\right) + 2 x \sin\left(x\right)", "3.151643663564495", "x + 1", "-y/(x^2 + y^2)",
                "True", "tensor([0, 4, 8, 12])", "3.151643663564495", "gauss checked", "8.97745487943649", "0.6366348150093262",
            ], run.Out.TrimEnd('\n').Split('\n'));

            var tools = Path.Combine(work, "tools");
            var install = Run.Dotnet(["tool", "install", "Hybrid.Cli", "--version", version, "--tool-path", tools, "--configfile", config]);
            Assert.True(install.Code == 0, $"tool install failed:\n{install.Out}\n{install.Err}");
            var diff = Run.Dotnet([Directory.GetFiles(Path.Combine(tools, ".store"), "hybrid.dll", SearchOption.AllDirectories).Single(), "diff", "sin(x)*x^2", "--wrt", "x"]);
            Assert.Equal((0, "x^2*cos(x) + 2*x*sin(x)\n"), (diff.Code, diff.Out));
        }
        finally
        {
            try { Directory.Delete(work, recursive: true); }
            catch (IOException) { /* a build server may still hold a file; the temp folder is cleaned later */ }
        }
    }

    // The README's C# examples are the consumer's program: every line of them is in tests/consumer/Program.cs.
    [Fact]
    public void TheConsumerProgramIsTheReadmesExamples()
    {
        var root = Testing.Repository.Root();
        var readme = File.ReadAllText(Path.Combine(root, "README.md"));
        var program = File.ReadAllLines(Path.Combine(root, "tests", "consumer", "Program.cs")).Select(l => l.Trim()).ToHashSet();
        var examples = Regex.Matches(readme, "```csharp\n(.*?)```", RegexOptions.Singleline).SelectMany(m => m.Groups[1].Value.Split('\n'))
            .Select(l => l.Trim()).Where(l => l.Length > 0).ToList();
        Assert.NotEmpty(examples);
        var missing = examples.Where(l => !program.Contains(l)).ToList();
        Assert.True(missing.Count == 0, "README lines not in tests/consumer/Program.cs:\n" + string.Join("\n", missing));
    }

    // Every library ships its public API baseline: a public change that the lists do not show fails the build (RS0016).
    [Fact]
    public void EveryLibraryHasAPublicApiBaseline()
    {
        var root = Testing.Repository.Root();
        foreach (var folder in new[] { "symbolic", "tape", "tensor", "numerics", "testing" })
        {
            Assert.True(File.Exists(Path.Combine(root, folder, "PublicAPI.Shipped.txt")), $"{folder} has no PublicAPI.Shipped.txt");
            Assert.True(File.ReadAllLines(Path.Combine(root, folder, "PublicAPI.Unshipped.txt")).Length > 10, $"{folder}'s PublicAPI.Unshipped.txt lists nothing");
            Assert.True(File.Exists(Path.Combine(root, folder, "README.md")), $"{folder} has no package README");
        }
        Assert.Contains("Microsoft.CodeAnalysis.PublicApiAnalyzers", File.ReadAllText(Path.Combine(root, "Directory.Build.props")));
    }

    private static string VersionOf(string feed, string id)
    {
        var name = Path.GetFileNameWithoutExtension(Directory.GetFiles(feed, id + ".*.nupkg").Single());
        return name[(id.Length + 1)..];
    }
}
