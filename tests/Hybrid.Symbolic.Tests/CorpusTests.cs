// The public corpus: for every Rubi antiderivative F, dF/dx evaluated at the sample points must
// equal the integrand f, within |dF/dx - f| <= 1e-9 |f| + 1e-12.
using System.Text.Json;
using Xunit.Abstractions;

namespace Hybrid.Symbolic.Tests;

public class CorpusTests(ITestOutputHelper output)
{
    public sealed record Point(Dictionary<string, double> Vars, double F, double f);
    public sealed record Entry(string Id, string X, string F, string f, Point[] Points);

    // The keys "F" and "f" differ only by case, so the lines are read by hand, not by a serializer.
    public static IReadOnlyList<Entry> Load() =>
        File.ReadLines(Path.Combine(AppContext.BaseDirectory, "data", "public.jsonl")).Where(l => l.Length > 0).Select(line =>
        {
            var root = JsonDocument.Parse(line).RootElement;
            var points = root.GetProperty("points").EnumerateArray().Select(p => new Point(
                p.GetProperty("vars").EnumerateObject().ToDictionary(v => v.Name, v => v.Value.GetDouble()),
                p.GetProperty("F").GetDouble(), p.GetProperty("f").GetDouble())).ToArray();
            return new Entry(root.GetProperty("id").GetString()!, root.GetProperty("x").GetString()!,
                root.GetProperty("F").GetString()!, root.GetProperty("f").GetString()!, points);
        }).ToList();

    [Fact]
    public void EveryAntiderivativeDifferentiatesToItsIntegrand()
    {
        var entries = Load();
        var failures = new List<string>();
        int points = 0;
        foreach (var entry in entries)
        {
            var F = Expr.Parse(entry.F);
            var dF = F.Differentiate(Expr.Symbol(entry.X));
            foreach (var point in entry.Points)
            {
                points++;
                double value = dF.Evaluate(point.Vars);
                double valueF = F.Evaluate(point.Vars);
                if (!(Math.Abs(value - point.f) <= 1e-9 * Math.Abs(point.f) + 1e-12))
                    failures.Add($"{entry.Id}: d/d{entry.X} {entry.F} = {value:R}, expected {point.f:R} at {string.Join(", ", point.Vars)}");
                if (!(Math.Abs(valueF - point.F) <= 1e-9 * Math.Abs(point.F) + 1e-12))
                    failures.Add($"{entry.Id}: {entry.F} = {valueF:R}, expected {point.F:R}");
            }
        }
        output.WriteLine($"corpus: {entries.Count} entries, {points} points checked, {failures.Count} failures");
        Assert.True(entries.Count == 593 && points == 3 * 593, $"expected 593 entries with 3 points each, read {entries.Count} and {points}");
        Assert.True(failures.Count == 0, string.Join("\n", failures.Take(20)));
    }
}

