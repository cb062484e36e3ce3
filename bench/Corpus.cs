// The Rubi corpus as the benchmarks read it: the antiderivatives F, from the tests' data folder,
// read by the same loader the test suites use.
using Hybrid.Testing;

namespace Hybrid.Bench;

public static class Corpus
{
    public static string Path => System.IO.Path.Combine(RepositoryRoot(), "tests", "Hybrid.Symbolic.Tests", "data", "public.jsonl");

    public static IReadOnlyList<(string Text, string X)> Antiderivatives() =>
        RubiCorpus.Load(Path).Select(entry => (entry.F, entry.X)).ToList();

    public static IReadOnlyList<(string Id, string F, string Integrand, string X)> Pairs() =>
        RubiCorpus.Load(Path).Select(entry => (entry.Id, entry.F, entry.f, entry.X)).ToList();

    private static string RepositoryRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(System.IO.Path.Combine(dir.FullName, "Hybrid.sln"))) dir = dir.Parent;
        return dir?.FullName ?? Directory.GetCurrentDirectory();
    }
}
