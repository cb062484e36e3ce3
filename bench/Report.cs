// `report`: the figures BenchmarkDotNet does not give — per-expression medians over the corpus,
// node counts before and after Simplify (W5), and the swell table with reference values (W6).
using Hybrid.Tapes;
using System.Diagnostics;
using Hybrid.Symbolic;

namespace Hybrid.Bench;

public static class Report
{
    public static void Run(TextWriter output)
    {
        var corpus = Corpus.Antiderivatives().Select(e => (e.Text, X: Expr.Symbol(e.X))).ToList();
        for (int warm = 0; warm < 3; warm++) foreach (var (text, x) in corpus) Expr.Parse(text).Differentiate(x).Simplify();

        var diff = new List<double>();
        var simplify = new List<double>();
        var before = new List<int>();
        var after = new List<int>();
        var tapeLength = new List<int>();
        foreach (var (text, x) in corpus)
        {
            diff.Add(PerCall(() => Expr.Parse(text).Differentiate(x)));
            simplify.Add(PerCall(() => Expr.Parse(text).Differentiate(x).Simplify()));
            var d = Expr.Parse(text).Differentiate(x);
            before.Add(d.DagSize());
            after.Add(d.Simplify().DagSize());
            tapeLength.Add(Tape.Lower(d, d.FreeSymbols().Cast<Expr>().ToArray()).Length);
        }
        output.WriteLine($"W5 corpus: {corpus.Count} antiderivatives (time per expression, microseconds)");
        output.WriteLine($"  parse + differentiate:            median {Median(diff):F1}  p90 {Percentile(diff, 0.9):F1}  max {diff.Max():F1}");
        output.WriteLine($"  parse + differentiate + Simplify: median {Median(simplify):F1}  p90 {Percentile(simplify, 0.9):F1}  max {simplify.Max():F1}");
        output.WriteLine($"  derivative DAG nodes: median {Median(before.Select(v => (double)v).ToList())} before Simplify, {Median(after.Select(v => (double)v).ToList())} after; total {before.Sum()} -> {after.Sum()}");
        output.WriteLine($"  derivative tape length (lowered, CSE, constants folded): median {Median(tapeLength.Select(v => (double)v).ToList())}, total {tapeLength.Sum()}");
        output.WriteLine();

        var (x0, y0) = (("x", 0.3), ("y", 0.7));
        output.WriteLine("W6 swell: k, derivative DAG nodes, tree size, tape length, value at the point, build + differentiate time (ms)");
        foreach (var k in new[] { 5, 10, 20, 40 })
        {
            foreach (var (name, build) in new (string, Func<int, Expr>)[] { ("prod_sin", Swell.ProdSin), ("logistic", Swell.Logistic) })
            {
                var watch = Stopwatch.StartNew();
                var d = build(k).Differentiate(Expr.Symbol("x"));
                double ms = watch.Elapsed.TotalMilliseconds;
                var tape = Tape.Lower(d, Expr.Symbol("x"), Expr.Symbol("y"));
                output.WriteLine($"  {name,-9} k={k,-3} dag {d.DagSize(),6}  tree {d.TreeSize(),22}  tape {tape.Length,6}  d/dx {d.Evaluate(x0, y0),22:R}  {ms,8:F2}");
            }
        }
    }

    // Microseconds per call, from enough repetitions to pass a millisecond.
    private static double PerCall(Action action)
    {
        int reps = 1;
        while (true)
        {
            var watch = Stopwatch.StartNew();
            for (int i = 0; i < reps; i++) action();
            if (watch.Elapsed.TotalMilliseconds > 2) return watch.Elapsed.TotalMicroseconds / reps;
            reps *= 2;
        }
    }

    internal static double Median(List<double> values) => Percentile(values, 0.5);

    internal static double Percentile(List<double> values, double q)
    {
        var sorted = values.Order().ToList();
        return sorted[(int)Math.Min(sorted.Count - 1, Math.Round(q * (sorted.Count - 1)))];
    }
}
