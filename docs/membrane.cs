#!/usr/bin/env dotnet
// A sample engineering script for Hybrid's sparse derivatives: `dotnet run docs/membrane.cs [N]` from the
// repository root (N = 100 by default; N = 1000 is a million variables).
//
// A membrane is stretched over a square frame and loaded by a light, uniform pressure: its shape u on an
// N×N grid minimizes the area of the surface minus the work of the load,
//     E(u) = h² Σ_cells √(1 + ((u_{i+1,j} − u_{i,j})/h)² + ((u_{i,j+1} − u_{i,j})/h)²) − p h² Σ u_{i,j},
// with u = 0 on the frame (the prescribed-mean-curvature problem). The script writes E symbolically, finds
// the exact sparsity of its Hessian, colors it, and minimizes E with the trust-region Newton–CG method on
// exact sparse Hessians, printing the convergence table and drawing the surface (ScottPlot). File-based apps
// default to native AOT, which cannot compile tapes to IL: the property below keeps the JIT.
#:project ../numerics/Hybrid.Numerics.csproj
#:package ScottPlot
#:property PublishAot=false

using System.Diagnostics;
using Hybrid.Numerics;
using Hybrid.Symbolic;
using Hybrid.Tapes;
using MathNet.Numerics.LinearAlgebra;

int n = args.Length > 0 ? int.Parse(args[0]) : 100;
double h = 1.0 / (n + 1), pressure = 0.5;

var watch = Stopwatch.StartNew();
var u = new Expr[n + 2, n + 2];
var inputs = new Expr[n * n];
for (int i = 0; i < n + 2; i++)
    for (int j = 0; j < n + 2; j++)
        u[i, j] = i > 0 && i <= n && j > 0 && j <= n ? inputs[(i - 1) * n + (j - 1)] = Expr.Symbol($"u{i}_{j}") : Expr.Number(0);
var cells = new List<Expr>((n + 1) * (n + 1) + 1);
for (int i = 0; i <= n; i++)
    for (int j = 0; j <= n; j++)
        cells.Add(Expr.Sqrt(1 + Expr.Pow((u[i + 1, j] - u[i, j]) / h, 2) + Expr.Pow((u[i, j + 1] - u[i, j]) / h, 2)));
var energy = h * h * Expr.Sum(cells) - pressure * h * h * Expr.Sum(inputs);
var tape = Tape.Lower(energy, inputs);
Console.WriteLine($"{n}×{n} grid: {inputs.Length} unknowns, a tape of {tape.Length} instructions ({watch.Elapsed.TotalSeconds:F1} s to build and lower)");

watch.Restart();
var objective = TapeObjective.OfSparse(tape);
var hessian = objective.SparseHessian!;
Console.WriteLine($"Hessian: {hessian.Pattern}, {hessian.Coloring} ({watch.Elapsed.TotalSeconds:F2} s for pattern and coloring)");

Console.WriteLine();
Console.WriteLine("| step | energy | max |∇E| | radius | CG products | ratio |");
Console.WriteLine("|---:|---:|---:|---:|---:|---:|");
var minimizer = new TrustRegionNewtonCG(gradientTolerance: 1e-9)
{
    Progress = s => Console.WriteLine($"| {s.Iteration} | {s.Value:F10} | {s.GradientNorm:E2} | {s.Radius:G3} | {s.ConjugateGradientIterations} | {s.Ratio:F3} |"),
};
watch.Restart();
var result = minimizer.FindMinimum(objective, Vector<double>.Build.Dense(inputs.Length));
var shape = result.MinimizingPoint;
Console.WriteLine();
Console.WriteLine($"converged ({result.ReasonForExit}) in {result.Iterations} steps, {minimizer.ConjugateGradientIterations} Hessian products, " +
    $"{objective.HessianEvaluations} sparse Hessians, {watch.Elapsed.TotalSeconds:F1} s");
Console.WriteLine($"deflection at the centre: {shape[(n / 2) * n + n / 2]:F6}");

// A picture of the membrane: its deflection as a heat map.
var grid = new double[n, n];
for (int i = 0; i < n; i++)
    for (int j = 0; j < n; j++) grid[i, j] = shape[i * n + j];
var plot = new ScottPlot.Plot();
var map = plot.Add.Heatmap(grid);
plot.Add.ColorBar(map);
plot.Title($"Membrane under pressure, {n}×{n} grid (exact sparse Hessians)");
string picture = Path.Combine(Path.GetTempPath(), $"membrane-{n}.png");
plot.SavePng(picture, 700, 600);
Console.WriteLine($"picture: {picture}");
