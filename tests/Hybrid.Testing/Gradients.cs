// Ready-made gradient computations over a GradientCase, for Properties.GradientsAgree: the exact
// symbolic gradient, our reverse mode (interpreted and compiled tape), and Richardson finite differences.
using Hybrid.Numerics;
using Hybrid.Symbolic;

namespace Hybrid.Testing;

/// <summary>Gradient computations to compare with <see cref="Properties.GradientsAgree(Func{GradientCase, double[]}, Func{GradientCase, double[]}, ExpressionShape?, CheckOptions?, int)"/>.</summary>
public static class Gradients
{
    /// <summary>The symbolic gradient, evaluated.</summary>
    public static double[] Exact(GradientCase c) => c.Expression.Gradient(c.Symbols).Select(d => d.Evaluate(c.Bindings)).ToArray();

    /// <summary>Reverse mode on the interpreted tape.</summary>
    public static double[] ReverseMode(GradientCase c)
    {
        var tape = Tape.Tape.Lower(c.Expression, c.Symbols);
        var gradient = new double[c.Variables.Count];
        tape.Gradient(c.Point, gradient, tape.CreateWorkspace());
        return gradient;
    }

    /// <summary>Reverse mode on the compiled tape.</summary>
    public static double[] Compiled(GradientCase c)
    {
        var compiled = Tape.Tape.Lower(c.Expression, c.Symbols).Compile();
        var gradient = new double[c.Variables.Count];
        compiled.Gradient(c.Point, gradient, compiled.CreateWorkspace());
        return gradient;
    }

    /// <summary>Richardson-extrapolated central differences of the expression's value, one variable at a time.</summary>
    public static double[] Richardson(GradientCase c) => c.Variables.Select((v, i) =>
    {
        var bindings = new Dictionary<string, double>(c.Bindings);
        return FiniteDifference.Derivative(t => { bindings[v] = t; return c.Expression.Evaluate(bindings); }, c.Point[i]);
    }).ToArray();
}
