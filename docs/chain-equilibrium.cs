#!/usr/bin/env dotnet
// A sample engineering script for Hybrid: `dotnet run docs/chain-equilibrium.cs` from the repository root.
//
// A chain of springs hangs between two anchors under gravity. Its static equilibrium is the minimum of
// the potential energy (spring energy plus gravity); the gradient of the energy is minus the net force
// on each node, so exact gradients mean exact forces. One spring's energy is written once, as an
// expression; Hybrid's source generator writes its value and exact gradient as C# at build time (no
// dynamic code, so it runs at full speed in a file-based app, which defaults to native AOT); the script
// assembles the chain's energy and forces from it, checks them against Richardson differences and hands
// them to MathNet's BFGS. Outside this repository, reference the packages instead:
// #:package Hybrid.Generators and #:package Hybrid.Numerics.
#:project ../generators/Hybrid.Generators.csproj
#:project ../numerics/Hybrid.Numerics.csproj

using Hybrid;
using Hybrid.Numerics;
using MathNet.Numerics.LinearAlgebra;
using MathNet.Numerics.Optimization;

const int links = 12;                    // springs between the anchors
const double stiffness = 400;            // N/m
const double restLength = 0.09;          // m
const double nodeMass = 0.15;            // kg per free node
const double gravity = 9.81;             // m/s²
(double X, double Y) left = (0, 0), right = (1.0, 0);   // anchors, m
int free = links - 1;                    // free nodes 1 … links−1; the anchors are constants

// The unknowns: x of the free nodes, then their y.
double X(double[] p, int i) => i == 0 ? left.X : i == links ? right.X : p[i - 1];
double Y(double[] p, int i) => i == 0 ? left.Y : i == links ? right.Y : p[free + i - 1];

// The potential energy and its gradient (minus the forces), assembled spring by spring like finite elements.
double Energy(double[] p, double[] gradient)
{
    Array.Clear(gradient);
    Span<double> spring = stackalloc double[4];     // ∂E/∂(x1, y1, x2, y2) of one spring
    double energy = 0;
    for (int i = 0; i < links; i++)
    {
        energy += Spring.Energy(X(p, i), Y(p, i), X(p, i + 1), Y(p, i + 1), stiffness, restLength, spring);
        if (i > 0) { gradient[i - 1] += spring[0]; gradient[free + i - 1] += spring[1]; }
        if (i + 1 < links) { gradient[i] += spring[2]; gradient[free + i] += spring[3]; }
    }
    for (int j = 0; j < free; j++)
    {
        energy += nodeMass * gravity * p[free + j];
        gradient[free + j] += nodeMass * gravity;
    }
    return energy;
}

// Start on the straight line between the anchors, a little below it.
var start = Vector<double>.Build.Dense(2 * free, k =>
    k < free ? left.X + (right.X - left.X) * (k + 1) / links : -0.01);

// Are the generated forces right? (Exact by construction, assembled by hand: this checks the assembly.)
var check = GradCheck.Run(p => Energy(p, new double[p.Length]), p => { var g = new double[p.Length]; Energy(p, g); return g; },
    [start.ToArray()], new CheckOptions { Reference = DerivativeReference.Richardson });
Console.WriteLine($"gradient check at the start: {(check.Passed ? "passed" : "FAILED")} ({check.Entries.Count} components against Richardson differences)");

int evaluations = 0;
var objective = ObjectiveFunction.Gradient(v =>
{
    evaluations++;
    var gradient = new double[v.Count];
    double energy = Energy(v.ToArray(), gradient);
    return (energy, Vector<double>.Build.Dense(gradient));
});
var result = new BfgsMinimizer(1e-10, 1e-12, 1e-12, 10_000).FindMinimum(objective, start);
var p = result.MinimizingPoint;

Console.WriteLine($"equilibrium after {result.Iterations} BFGS iterations, {evaluations} energy-and-force evaluations ({result.ReasonForExit})");
Console.WriteLine($"energy {result.FunctionInfoAtMinimum.Value:F6} J, largest residual force {result.FunctionInfoAtMinimum.Gradient.AbsoluteMaximum():E1} N");
Console.WriteLine();
Console.WriteLine("node      x (m)      y (m)");
for (int i = 0; i <= links; i++)
{
    double x = i == 0 ? left.X : i == links ? right.X : p[i - 1];
    double y = i == 0 ? left.Y : i == links ? right.Y : p[links - 1 + i - 1];
    Console.WriteLine($"{i,4}  {x,9:F4}  {y,9:F4}");
}
double sag = -Enumerable.Range(0, free).Min(i => p[free + i]);
Console.WriteLine();
Console.WriteLine($"sag at mid-span: {sag * 1000:F1} mm");
return check.Passed && result.FunctionInfoAtMinimum.Gradient.AbsoluteMaximum() < 1e-6 ? 0 : 1;

/// <summary>One spring of stiffness k and rest length L between nodes (x1, y1) and (x2, y2).</summary>
static partial class Spring
{
    // The generator implements this method: the energy, and its gradient with respect to the nodes (Wrt) written to
    // `gradient`; k and L are constants of the call.
    [Differentiate("k/2*(sqrt((x2 - x1)^2 + (y2 - y1)^2) - L)^2", Wrt = "x1, y1, x2, y2")]
    public static partial double Energy(double x1, double y1, double x2, double y2, double k, double L, Span<double> gradient);
}
