// `sparse [N...]`: the sparse Hessian of a minimal-surface energy on an N×N grid (N² variables): build and lower
// the expression, find the Hessian pattern, color it, evaluate it; against one gradient of the same tape. Each
// timing is the best of three runs (stopwatch); memory is the managed heap after a full GC.
using System.Diagnostics;
using Hybrid.Symbolic;
using Hybrid.Tapes;

namespace Hybrid.Bench;

public static class SparseReport
{
    public static void Run(TextWriter output, int[] sizes)
    {
        output.WriteLine("| N | variables | lower | pattern | star coloring | colors (distance-2) | non-zeros | Hessian | pattern + coloring + Hessian | gradient | Hessian ÷ gradient | heap after |");
        output.WriteLine("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (int n in sizes)
        {
            var watch = Stopwatch.StartNew();
            var (energy, inputs) = Hybrid.Testing.Workloads.MinimalSurface(n, load: 1e-3);
            var tape = Tape.Lower(energy, inputs);
            var lower = watch.Elapsed;
            // Each step's best of three runs (the first runs also compile the code: tiered JIT).
            var (pattern, patternTime) = Best(() => tape.HessianPattern());
            var (coloring, coloringTime) = Best(() => Coloring.Symmetric(pattern));
            var hessian = new SparseHessian(tape);   // pattern and coloring again, as a user would: timed above
            var point = inputs.Select((_, k) => 0.1 * Math.Sin(k)).ToArray();
            var values = new double[hessian.Pattern.NonzeroCount];
            var (_, evaluate) = Best(() => { hessian.Evaluate(point, values); return 0; });
            var compiled = tape.Compile();
            var workspace = compiled.CreateWorkspace();
            var gradient = new double[inputs.Length];
            var (_, gradientTime) = Best(() => compiled.Gradient(point, gradient, workspace));
            GC.Collect();
            long heap = GC.GetTotalMemory(forceFullCollection: true);
            output.WriteLine($"| {n} | {inputs.Length} | {Ms(lower)} | {Ms(patternTime)} | {Ms(coloringTime)} | {coloring.Count}{(coloring.IsSymmetric ? "" : " (no star)")} ({Coloring.Columns(pattern).Count}) | {pattern.NonzeroCount} | {Ms(evaluate)} | {Ms(patternTime + coloringTime + evaluate)} | {Ms(gradientTime)} | {evaluate / gradientTime:F1} | {heap / (1 << 20)} MB |");
            GC.KeepAlive(tape);
        }
    }

    // The fastest of 50 runs, after a warm-up: for steps of a millisecond or less.
    private static TimeSpan Fastest(Action run)
    {
        run();
        var best = TimeSpan.MaxValue;
        for (int r = 0; r < 50; r++)
        {
            var watch = Stopwatch.StartNew();
            run();
            best = watch.Elapsed < best ? watch.Elapsed : best;
        }
        return best;
    }

    private static (T Result, TimeSpan Time) Best<T>(Func<T> run)
    {
        var (result, best) = (default(T)!, TimeSpan.MaxValue);
        for (int r = 0; r < 3; r++)
        {
            var watch = Stopwatch.StartNew();
            result = run();
            best = watch.Elapsed < best ? watch.Elapsed : best;
        }
        return (result, best);
    }

    // `sparse-vs-dense`: the sparse Hessian and Jacobian against the dense tape paths (same numbers, and the
    // speedup) at n = 1000–4000, and Jacobian time ÷ function time (FastDifferentiation.jl reports 1.13–3.8).
    public static void Compare(TextWriter output)
    {
        output.WriteLine("| problem | n | dense | sparse | speedup | max difference | colors | compiled gradient | sparse ÷ gradient |");
        output.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (int n in new[] { 1000, 2000, 4000 })
        {
            var (tape, point) = Chain(n);
            var dense = new double[(long)n * n];
            var workspace = tape.CreateWorkspace();
            tape.Hessian(point, dense, workspace);   // warm-up
            var watch = Stopwatch.StartNew();
            tape.Hessian(point, dense, workspace);
            var denseTime = watch.Elapsed;
            var sparse = new SparseHessian(tape);
            var values = new double[sparse.Pattern.NonzeroCount];
            var sparseTime = Fastest(() => sparse.Evaluate(point, values));
            var compiled = tape.Compile();
            var gradient = new double[n];
            var gradientTime = Fastest(() => compiled.Gradient(point, gradient, workspace));
            double difference = 0;
            for (int i = 0, p = 0; i < n; i++)
                foreach (int j in sparse.Pattern.Row(i)) difference = Math.Max(difference, Math.Abs(values[p++] - dense[(long)i * n + j]));
            output.WriteLine($"| spring chain Hessian | {n} | {Ms(denseTime)} | {Ms(sparseTime)} | {denseTime / sparseTime:F0}× | {difference:G2} | {sparse.Coloring.Count} | {Ms(gradientTime)} | {sparseTime / gradientTime:F1} |");
        }
        output.WriteLine();
        output.WriteLine("| system | n | F | sparse Jacobian | Jacobian ÷ F | colors |");
        output.WriteLine("|---|---:|---:|---:|---:|---:|");
        foreach (int n in new[] { 1000, 10_000, 100_000 })
        {
            var (system, point) = Broyden(n);
            var jacobian = new SparseJacobian(system);
            var values = new double[jacobian.Pattern.NonzeroCount];
            var f = new double[n];
            var workspace = system.CreateWorkspace();
            const int repeats = 20;
            system.Evaluate(point, f, workspace);
            jacobian.Evaluate(point, values);
            var watch = Stopwatch.StartNew();
            for (int r = 0; r < repeats; r++) system.Evaluate(point, f, workspace);
            var fTime = watch.Elapsed / repeats;
            watch.Restart();
            for (int r = 0; r < repeats; r++) jacobian.Evaluate(point, values);
            var jTime = watch.Elapsed / repeats;
            output.WriteLine($"| Broyden tridiagonal | {n} | {Ms(fTime)} | {Ms(jTime)} | {jTime / fTime:F1} | {jacobian.Coloring.Count} |");
        }
    }

    // Σ (x_{i+1} − x_i − 1)²/2 + Σ cos x_i: a tridiagonal Hessian.
    private static (Tape, double[]) Chain(int n)
    {
        var x = Enumerable.Range(0, n).Select(i => Expr.Symbol("x" + i)).ToArray();
        var f = Expr.Sum(Enumerable.Range(0, n - 1).Select(i => Expr.Rational(1, 2) * Expr.Pow(x[i + 1] - x[i] - 1, 2)).Concat(x.Select(Expr.Cos)));
        return (Tape.Lower(f, x), Enumerable.Range(0, n).Select(i => 0.01 * i).ToArray());
    }

    // (3 − 2xᵢ)xᵢ − xᵢ₋₁ − 2xᵢ₊₁ + 1 (Moré, Garbow, Hillstrom).
    private static (Tape, double[]) Broyden(int n)
    {
        var x = Enumerable.Range(0, n).Select(i => Expr.Symbol("x" + i)).ToArray();
        Expr At(int i) => i < 0 || i >= n ? Expr.Number(0) : x[i];
        var equations = Enumerable.Range(0, n).Select(i => (3 - 2 * x[i]) * x[i] - At(i - 1) - 2 * At(i + 1) + 1).ToArray();
        return (Tape.Lower(equations, x), Enumerable.Range(0, n).Select(i => Math.Sin(i)).ToArray());
    }

    private static string Ms(TimeSpan t) => t.TotalMilliseconds < 10 ? $"{t.TotalMilliseconds:F2} ms" : $"{t.TotalMilliseconds:F0} ms";
}
