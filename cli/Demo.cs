// `hybrid demo`: the autograd walkthrough of Dive into Deep Learning in C# (Walkthrough.cs, the
// same steps as docs/autograd.md), then a short tour of the symbolic core — build or parse,
// differentiate, simplify, evaluate, print — and of the numerics: a derivative check that catches a
// wrong derivative, and MathNet's BFGS on exact gradients against finite-difference ones.
using Hybrid.Tapes;
using Hybrid.Numerics;
using Hybrid.Symbolic;
using MathNet.Numerics.LinearAlgebra;
using MathNet.Numerics.Optimization;
using MathNet.Numerics.Optimization.ObjectiveFunctions;

namespace Hybrid.Cli;

/// <summary>The tour printed by <c>hybrid demo</c>.</summary>
public static class Demo
{
    /// <summary>Writes the tour to <paramref name="output"/>.</summary>
    public static void Run(TextWriter output)
    {
        output.WriteLine("Hybrid: the automatic-differentiation chapter of Dive into Deep Learning, in C#");
        output.WriteLine("(each line: the C# expression on the left, its value on the right; docs/autograd.md has the code of every step)");
        output.WriteLine();
        Walkthrough.Run(output, annotate: true);
        output.WriteLine();

        var x = Expr.Symbol("x");
        var y = Expr.Symbol("y");

        output.WriteLine("Hybrid: exact derivatives, printed three ways");
        output.WriteLine();
        Show(output, "f = sin(x)*x^2", Expr.Parse("sin(x)*x^2"), x);
        Show(output, "f = atan2(y, x)", Expr.Atan2(y, x), x);
        Show(output, "f = where(x > 0, sqrt(x), 0)", Expr.Where(Expr.Greater(x, 0), Expr.Sqrt(x), 0), x);

        output.WriteLine("Canonical on construction:");
        output.WriteLine($"  x*x == x^2          {Expr.Parse("x*x") == Expr.Parse("x^2")}");
        output.WriteLine($"  2*x + x             {Expr.Parse("2*x + x")}");
        output.WriteLine($"  1/3 + 1/6           {Expr.Parse("1/3 + 1/6")}");
        output.WriteLine($"  sqrt(8)             {Expr.Parse("sqrt(8)")}");
        output.WriteLine();

        output.WriteLine("Simplify:");
        foreach (var text in new[] { "(x^2 - 1)/(x - 1)", "sin(x)^2 + cos(x)^2", "exp(log(x + 1))" })
            output.WriteLine($"  {text,-22} -> {Expr.Parse(text).Simplify()}");
        output.WriteLine();

        var logistic = x;
        for (int i = 0; i < 20; i++) logistic = 4 * logistic * (1 - logistic);
        var derivative = logistic.Differentiate(x);
        output.WriteLine("Sharing: 20 steps of the logistic map x -> 4x(1-x)");
        output.WriteLine($"  derivative DAG nodes: {derivative.DagSize()}, as a tree: {derivative.TreeSize()}");
        output.WriteLine($"  d/dx at x = 0.3: {derivative.Evaluate(("x", 0.3)):R}");
        output.WriteLine();

        output.WriteLine("Hybrid: checking a hand-written derivative (the chain-rule factor 2x is missing)");
        output.WriteLine();
        var f = Expr.Parse("sin(x^2)*y");
        output.WriteLine(GradCheck.Run(f, [Expr.Parse("cos(x^2)*y"), Expr.Parse("sin(x^2)")], [x, y], [[0.5, 2.0], [1.5, 2.0]]));
        output.WriteLine();

        output.WriteLine("Hybrid: exact gradients for MathNet's optimizers (BFGS on Rosenbrock, 10 variables)");
        var xs = Enumerable.Range(0, 10).Select(i => Expr.Symbol($"x{i}")).ToArray();
        var rosenbrock = Expr.Sum(Enumerable.Range(0, 9).Select(i => 100 * Expr.Pow(xs[i + 1] - Expr.Pow(xs[i], 2), 2) + Expr.Pow(1 - xs[i], 2)));
        var start = Vector<double>.Build.Dense(10, i => i % 2 == 0 ? -1.2 : 1);
        var exact = TapeObjective.Of(rosenbrock, xs);
        var found = new BfgsMinimizer(1e-8, 1e-10, 1e-10, 10_000).FindMinimum(exact, start);
        var tape = Tape.Lower(rosenbrock, xs);
        var workspace = tape.CreateWorkspace();
        int evaluations = 0;
        var valueOnly = ObjectiveFunction.Value(v => { evaluations++; return tape.Evaluate(v.ToArray(), workspace); });
        var bounds = (Vector<double>.Build.Dense(10, -10), Vector<double>.Build.Dense(10, 10));
        var numeric = new BfgsMinimizer(1e-8, 1e-10, 1e-10, 10_000).FindMinimum(new ForwardDifferenceGradientObjectiveFunction(valueOnly, bounds.Item1, bounds.Item2), start);
        output.WriteLine("                                 evaluations  largest distance from the optimum (1, ..., 1)");
        output.WriteLine($"  exact gradients (tape)         {exact.Evaluations,11}  {Distance(found.MinimizingPoint):G2}");
        output.WriteLine($"  forward differences (MathNet)  {evaluations,11}  {Distance(numeric.MinimizingPoint):G2}");
    }

    private static double Distance(Vector<double> point) => point.Subtract(1).AbsoluteMaximum();

    private static void Show(TextWriter output, string title, Expr f, Expr x)
    {
        var df = f.Differentiate(x);
        output.WriteLine(title);
        output.WriteLine($"  d/dx   {df}");
        output.WriteLine($"  LaTeX  {df.ToLatex()}");
        output.WriteLine($"  C#     {df.ToCSharp()}");
        output.WriteLine();
    }
}
