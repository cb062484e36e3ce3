// Compiling generated C# in the tests (the source export's and the source generator's): the few platform assemblies it
// needs, and an in-memory build loaded into the test process.
using System.Reflection;
using Microsoft.CodeAnalysis;

namespace Hybrid.Tapes.Tests;

internal static class Roslyn
{
    /// <summary>The runtime's assemblies of these names (reading all 200 platform assemblies is slower).</summary>
    public static IEnumerable<MetadataReference> References(params string[] names) =>
        ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
            .Where(path => names.Contains(Path.GetFileNameWithoutExtension(path))).Select(path => MetadataReference.CreateFromFile(path));

    /// <summary>The compilation emitted and loaded; fails the test with the first errors if it does not compile.</summary>
    public static Assembly Load(Compilation compilation)
    {
        using var stream = new MemoryStream();
        var result = compilation.Emit(stream);
        Assert.True(result.Success, string.Join("\n", result.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).Take(10)));
        return Assembly.Load(stream.ToArray());
    }
}
