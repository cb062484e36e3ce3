// `sparse [N...]`: the sparse Hessian of a minimal-surface energy on an N×N grid (N² variables): build and lower
// the expression, find the Hessian pattern, color it, evaluate it; against one gradient of the same tape. The
// timings are single runs (stopwatch), after one warm-up evaluation; memory is the managed heap after a full GC.
using System.Diagnostics;
using Hybrid.Symbolic;
using Hybrid.Tapes;

namespace Hybrid.Bench;

public static class SparseReport
{
    public static void Run(TextWriter output, int[] sizes)
    {
        output.WriteLine("| N | variables | lower | pattern | star coloring | colors (distance-2) | non-zeros | Hessian | gradient | Hessian ÷ gradient | heap after |");
        output.WriteLine("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (int n in sizes)
        {
            var watch = Stopwatch.StartNew();
            var (energy, inputs) = MinimalSurface(n);
            var tape = Tape.Lower(energy, inputs);
            var lower = watch.Elapsed;
            watch.Restart();
            var pattern = tape.HessianPattern();
            var patternTime = watch.Elapsed;
            watch.Restart();
            var coloring = Coloring.Symmetric(pattern);
            var coloringTime = watch.Elapsed;
            var hessian = new SparseHessian(tape);   // pattern and coloring again, as a user would: timed above
            var point = inputs.Select((_, k) => 0.1 * Math.Sin(k)).ToArray();
            var values = new double[hessian.Pattern.NonzeroCount];
            hessian.Evaluate(point, values);
            watch.Restart();
            hessian.Evaluate(point, values);
            var evaluate = watch.Elapsed;
            var compiled = tape.Compile();
            var workspace = compiled.CreateWorkspace();
            var gradient = new double[inputs.Length];
            compiled.Gradient(point, gradient, workspace);
            watch.Restart();
            const int repeats = 5;
            for (int r = 0; r < repeats; r++) compiled.Gradient(point, gradient, workspace);
            var gradientTime = watch.Elapsed / repeats;
            GC.Collect();
            long heap = GC.GetTotalMemory(forceFullCollection: true);
            output.WriteLine($"| {n} | {inputs.Length} | {Ms(lower)} | {Ms(patternTime)} | {Ms(coloringTime)} | {coloring.Count}{(coloring.IsSymmetric ? "" : " (no star)")} ({Coloring.Columns(pattern).Count}) | {pattern.NonzeroCount} | {Ms(evaluate)} | {Ms(gradientTime)} | {evaluate / gradientTime:F1} | {heap / (1 << 20)} MB |");
            GC.KeepAlive(tape);
        }
    }

    private static string Ms(TimeSpan t) => t.TotalMilliseconds < 10 ? $"{t.TotalMilliseconds:F2} ms" : $"{t.TotalMilliseconds:F0} ms";

    // Σ over cells of √(1 + (u_{i+1,j} − u_{i,j})² + (u_{i,j+1} − u_{i,j})²) with the boundary u = 0: a minimal
    // surface (the area of the graph of u, forward differences, unit cells), with a small pull 1e-3·Σu.
    internal static (Expr Energy, Expr[] Inputs) MinimalSurface(int n)
    {
        var u = new Expr[n + 1, n + 1];
        var inputs = new Expr[n * n];
        for (int i = 0; i <= n; i++)
            for (int j = 0; j <= n; j++)
                u[i, j] = i < n && j < n ? inputs[i * n + j] = Expr.Symbol($"u{i}_{j}") : Expr.Number(0);
        var terms = new List<Expr>(n * n + 1);
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
                terms.Add(Expr.Sqrt(1 + Expr.Pow(u[i + 1, j] - u[i, j], 2) + Expr.Pow(u[i, j + 1] - u[i, j], 2)));
        terms.Add(Expr.Rational(1, 1000) * Expr.Sum(inputs));
        return (Expr.Sum(terms), inputs);
    }
}
