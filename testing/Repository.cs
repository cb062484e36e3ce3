// Where the repository is, for tests that check the docs against the code.
namespace Hybrid.Testing;

/// <summary>Files of the repository the tests run from.</summary>
public static class Repository
{
    /// <summary>The folder holding Hybrid.sln, found above the test binaries.</summary>
    /// <exception cref="DirectoryNotFoundException">The binaries are not inside a checkout.</exception>
    public static string Root()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Hybrid.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new DirectoryNotFoundException("Hybrid.sln not found above the test binaries.");
    }
}
