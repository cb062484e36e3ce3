// The public corpus: for every Rubi antiderivative F, dF/dx evaluated at the sample points must
// equal the integrand f, within |dF/dx - f| <= 1e-9 |f| + 1e-12.
using Hybrid.Testing;
using Xunit.Abstractions;

namespace Hybrid.Symbolic.Tests;

public class CorpusTests(ITestOutputHelper output)
{
    [Fact]
    public void EveryAntiderivativeDifferentiatesToItsIntegrand()
    {
        var entries = RubiCorpus.Load();
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
                if (!RubiCorpus.Agrees(value, point.f))
                    failures.Add($"{entry.Id}: d/d{entry.X} {entry.F} = {value:R}, expected {point.f:R} at {string.Join(", ", point.Vars)}");
                if (!RubiCorpus.Agrees(valueF, point.F))
                    failures.Add($"{entry.Id}: {entry.F} = {valueF:R}, expected {point.F:R}");
            }
        }
        output.WriteLine($"corpus: {entries.Count} entries, {points} points checked, {failures.Count} failures");
        Assert.True(entries.Count == 593 && points == 3 * 593, $"expected 593 entries with 3 points each, read {entries.Count} and {points}");
        Assert.True(failures.Count == 0, string.Join("\n", failures.Take(20)));
    }
}

