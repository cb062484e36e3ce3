// `simplify`: how well Simplify recognises zero and how small it keeps derivatives, over the public
// corpus — the figures issue 13 sets targets for. Each pair (F, f) counts as recognised when
// Simplify(d/dx F - f) is exactly 0; times are per pair, after a warm-up round.
using System.Diagnostics;
using Hybrid.Symbolic;

namespace Hybrid.Bench;

public static class SimplifyReport
{
    // SymPy's sizes, recorded by bench/sympy_sizes.py where python3-sympy is installed (null: SymPy timed out).
    private static Dictionary<string, int?> SympySizes()
    {
        var path = System.IO.Path.Combine(System.IO.Path.GetDirectoryName(Corpus.Path)!, "..", "..", "..", "bench", "sympy_sizes.json");
        return File.Exists(path) ? System.Text.Json.JsonSerializer.Deserialize<Dictionary<string, int?>>(File.ReadAllText(path))! : [];
    }

    public static void Run(TextWriter output, bool listMisses)
    {
        var pairs = Corpus.Pairs().Select(p => (Residual: Expr.Parse(p.F).Differentiate(Expr.Symbol(p.X)) - Expr.Parse(p.Integrand), Derivative: Expr.Parse(p.F).Differentiate(Expr.Symbol(p.X)), p.Id)).ToList();
        foreach (var (residual, _, _) in pairs.Take(50)) residual.Simplify();

        var times = new List<double>();
        var slowest = new List<(double Ms, string Id)>();
        int zeros = 0;
        var misses = new List<string>();
        foreach (var (residual, _, id) in pairs)
        {
            var watch = Stopwatch.StartNew();
            var simplified = residual.Simplify();
            times.Add(watch.Elapsed.TotalMilliseconds);
            slowest.Add((watch.Elapsed.TotalMilliseconds, id));
            if (simplified.Is(0)) zeros++;
            else misses.Add($"{id}: {simplified}");
        }
        var growth = new List<double>();
        var versusSympy = new List<double>();
        var sympy = SympySizes();
        List<double> ours = [], theirs = [];
        int larger = 0;
        foreach (var (_, derivative, id) in pairs)
        {
            var simplified = derivative.Simplify();
            if (simplified.TreeSize() > derivative.TreeSize()) larger++;
            growth.Add((double)simplified.TreeSize() / derivative.TreeSize());
            if (sympy.TryGetValue(id, out var size) && size is > 0)
            {
                versusSympy.Add((double)simplified.TreeSize() / size.Value);
                ours.Add(simplified.TreeSize());
                theirs.Add(size.Value);
            }
        }
        output.WriteLine($"Simplify(d/dx F - f) == 0: {zeros} of {pairs.Count} pairs ({100.0 * zeros / pairs.Count:F1}%)");
        output.WriteLine($"  time per pair (ms): median {Report.Median(times):F2}  p90 {Report.Percentile(times, 0.9):F2}  max {times.Max():F1}  over 1 s: {times.Count(t => t > 1000)}");
        output.WriteLine($"Simplify(d/dx F) tree size / unsimplified: median {Report.Median(growth):F2}  max {growth.Max():F2}  larger than the input: {larger}");
        if (versusSympy.Count > 0)
        {
            output.WriteLine($"Simplify(d/dx F) tree size / SymPy's simplify(diff(F)) (bench/sympy_sizes.json, {versusSympy.Count} pairs SymPy finished): median {Report.Median(versusSympy):F2}  p90 {Report.Percentile(versusSympy, 0.9):F2}");
            output.WriteLine($"  median tree size over those pairs: Hybrid {Report.Median(ours)}, SymPy {Report.Median(theirs)}");
        }
        output.WriteLine($"  slowest: {string.Join(", ", slowest.OrderByDescending(s => s.Ms).Take(5).Select(s => $"{s.Id} {s.Ms:F0} ms"))}");
        if (listMisses) foreach (var miss in misses) output.WriteLine(miss);
    }
}

/// <summary>`equivalence`: Expr.Equivalent on every corpus pair (d/dx F against f) and on f with one coefficient perturbed.</summary>
public static class EquivalenceReport
{
    public static void Run(TextWriter output)
    {
        var verdicts = new Dictionary<string, int>();
        var perturbedVerdicts = new Dictionary<string, int>();
        var times = new List<double>();
        var wrong = new List<string>();
        foreach (var (id, F, integrand, x) in Corpus.Pairs())
        {
            var derivative = Expr.Parse(F).Differentiate(Expr.Symbol(x));
            var f = Expr.Parse(integrand);
            var watch = System.Diagnostics.Stopwatch.StartNew();
            var result = Expr.Equivalent(derivative, f);
            times.Add(watch.Elapsed.TotalMilliseconds);
            Count(verdicts, result.Verdict.ToString());
            if (result.Verdict is EquivalenceVerdict.NotEqual or EquivalenceVerdict.Undecided) wrong.Add($"{id}: {result.Verdict}: {result.Reason}");
            var perturbed = Expr.Equivalent(derivative, Perturb(f));
            Count(perturbedVerdicts, perturbed.Verdict.ToString() + (perturbed.Exact ? " (certified)" : " (not certified)"));
            if (perturbed.Verdict != EquivalenceVerdict.NotEqual) wrong.Add($"{id} perturbed: {perturbed.Verdict}: {perturbed.Reason}");
        }
        output.WriteLine($"Equivalent(d/dx F, f): {string.Join(", ", verdicts.OrderBy(v => v.Key).Select(v => $"{v.Key} {v.Value}"))}");
        output.WriteLine($"  time per pair (ms): median {Report.Median(times):F2}  p90 {Report.Percentile(times, 0.9):F2}  max {times.Max():F1}");
        output.WriteLine($"Equivalent(d/dx F, f with one coefficient + 1): {string.Join(", ", perturbedVerdicts.OrderBy(v => v.Key).Select(v => $"{v.Key} {v.Value}"))}");
        foreach (var line in wrong) output.WriteLine(line);
    }

    private static void Count(Dictionary<string, int> counts, string key) => counts[key] = counts.GetValueOrDefault(key) + 1;

    /// <summary>f with its first non-zero exact number (in post-order) increased by 1, or f·98/97 when it has none.</summary>
    public static Expr Perturb(Expr f) =>
        f.PostOrder().OfType<Number>().FirstOrDefault(n => !n.Value.IsZero) is { } n
            ? f.Substitute(n, Expr.Number(n.Value + 1))
            : f * Expr.Rational(98, 97);
}
