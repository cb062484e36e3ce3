// `hybrid demo`: the autograd walkthrough of Dive into Deep Learning in C# (Walkthrough.cs, the
// same steps as docs/autograd.md), then a short tour of the symbolic core — build or parse,
// differentiate, simplify, evaluate, print.
using Hybrid.Symbolic;

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
    }

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
