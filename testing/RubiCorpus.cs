// The public Rubi corpus (antiderivative F, integrand f, sample points), as test suites read it.
// The keys "F" and "f" differ only by case, so lines are read with JsonDocument, not a serializer.
using System.Text.Json;

namespace Hybrid.Testing;

/// <summary>The antiderivative/integrand pairs of <c>data/public.jsonl</c> (SymPy's port of the Rubi suite).</summary>
public static class RubiCorpus
{
    /// <summary>One sample point: the variable values and the values of F and f there.</summary>
    public sealed record Point(Dictionary<string, double> Vars, double F, double f);

    /// <summary>One pair: d/dX F = f.</summary>
    public sealed record Entry(string Id, string X, string F, string f, Point[] Points);

    /// <summary>Reads <c>data/public.jsonl</c> beside the test binaries.</summary>
    public static IReadOnlyList<Entry> Load() => Load(Path.Combine(AppContext.BaseDirectory, "data", "public.jsonl"));

    /// <summary>Reads the corpus from <paramref name="path"/>, one JSON object per line.</summary>
    public static IReadOnlyList<Entry> Load(string path) =>
        File.ReadLines(path).Where(l => l.Length > 0).Select(line =>
        {
            var root = JsonDocument.Parse(line).RootElement;
            var points = root.GetProperty("points").EnumerateArray().Select(p => new Point(
                p.GetProperty("vars").EnumerateObject().ToDictionary(v => v.Name, v => v.Value.GetDouble()),
                p.GetProperty("F").GetDouble(), p.GetProperty("f").GetDouble())).ToArray();
            return new Entry(root.GetProperty("id").GetString()!, root.GetProperty("x").GetString()!,
                root.GetProperty("F").GetString()!, root.GetProperty("f").GetString()!, points);
        }).ToList();

    /// <summary>The corpus check: |actual − expected| ≤ 1e-9·|expected| + 1e-12.</summary>
    public static bool Agrees(double actual, double expected) => Math.Abs(actual - expected) <= 1e-9 * Math.Abs(expected) + 1e-12;
}
