#!/usr/bin/env dotnet
// A sample engineering script for Hybrid: `dotnet run docs/chain-equilibrium.cs` from the repository root.
//
// A chain of springs hangs between two anchors under gravity. Its static equilibrium is the minimum of
// the potential energy (spring energy plus gravity); the gradient of the energy is minus the net force
// on each node, so exact gradients mean exact forces. The script writes the energy symbolically,
// checks its gradient, and hands it to MathNet's BFGS through Hybrid's TapeObjective. File-based apps
// default to native AOT, which cannot compile tapes to IL (the interpreter would run instead): the
// property below keeps the JIT.
#:project ../numerics/Hybrid.Numerics.csproj
#:property PublishAot=false

using Hybrid.Numerics;
using Hybrid.Symbolic;
using MathNet.Numerics.LinearAlgebra;
using MathNet.Numerics.Optimization;

const int links = 12;                    // springs between the anchors
const double stiffness = 400;            // N/m
const double restLength = 0.09;          // m
const double nodeMass = 0.15;            // kg per free node
const double gravity = 9.81;             // m/s²
(double X, double Y) left = (0, 0), right = (1.0, 0);   // anchors, m

// Free nodes 1 … links−1; the anchors are constants.
var xs = Enumerable.Range(1, links - 1).Select(i => Expr.Symbol($"x{i}")).ToArray();
var ys = Enumerable.Range(1, links - 1).Select(i => Expr.Symbol($"y{i}")).ToArray();
Expr X(int i) => i == 0 ? left.X : i == links ? right.X : xs[i - 1];
Expr Y(int i) => i == 0 ? left.Y : i == links ? right.Y : ys[i - 1];

var springs = Enumerable.Range(0, links).Select(i =>
{
    var length = Expr.Sqrt(Expr.Pow(X(i + 1) - X(i), 2) + Expr.Pow(Y(i + 1) - Y(i), 2));
    return stiffness / 2 * Expr.Pow(length - restLength, 2);
});
var energy = Expr.Sum(springs) + nodeMass * gravity * Expr.Sum(ys);
Expr[] variables = [.. xs, .. ys];

// Start on the straight line between the anchors, a little below it.
var start = Vector<double>.Build.Dense(variables.Length, k =>
    k < links - 1 ? left.X + (right.X - left.X) * (k + 1) / links : -0.01);

// Is the exact gradient right? (It is the symbolic one, lowered to a tape: this is a sanity check.)
var check = GradCheck.Run(energy, variables, [start.ToArray()], new CheckOptions { Reference = DerivativeReference.Richardson });
Console.WriteLine($"gradient check at the start: {(check.Passed ? "passed" : "FAILED")} ({check.Entries.Count} components against Richardson differences)");

var objective = TapeObjective.Of(energy, variables);
var result = new BfgsMinimizer(1e-10, 1e-12, 1e-12, 10_000).FindMinimum(objective, start);
var p = result.MinimizingPoint;

Console.WriteLine($"equilibrium after {result.Iterations} BFGS iterations, {objective.Evaluations} energy-and-force evaluations ({result.ReasonForExit})");
Console.WriteLine($"energy {result.FunctionInfoAtMinimum.Value:F6} J, largest residual force {result.FunctionInfoAtMinimum.Gradient.AbsoluteMaximum():E1} N");
Console.WriteLine();
Console.WriteLine("node      x (m)      y (m)");
for (int i = 0; i <= links; i++)
{
    double x = i == 0 ? left.X : i == links ? right.X : p[i - 1];
    double y = i == 0 ? left.Y : i == links ? right.Y : p[links - 1 + i - 1];
    Console.WriteLine($"{i,4}  {x,9:F4}  {y,9:F4}");
}
double sag = -Enumerable.Range(0, links - 1).Min(i => p[links - 1 + i]);
Console.WriteLine();
Console.WriteLine($"sag at mid-span: {sag * 1000:F1} mm");
return check.Passed && result.FunctionInfoAtMinimum.Gradient.AbsoluteMaximum() < 1e-6 ? 0 : 1;
