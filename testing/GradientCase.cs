// One case of a gradient property: an expression, its variables in order, and a point.
using System.Globalization;
using Hybrid.Symbolic;

namespace Hybrid.Testing;

/// <summary>An expression, the variables a gradient is taken over (in order), and a point (one value per variable).</summary>
public sealed record GradientCase(Expr Expression, IReadOnlyList<string> Variables, double[] Point)
{
    /// <summary>The point as name → value, for <see cref="Expr.Evaluate(IReadOnlyDictionary{string, double}, EvaluationOptions?)"/>.</summary>
    public IReadOnlyDictionary<string, double> Bindings => Variables.Select((v, i) => (v, Point[i])).ToDictionary(p => p.v, p => p.Item2);

    /// <summary>The variables as symbols.</summary>
    public Expr[] Symbols => Variables.Select(Expr.Symbol).ToArray();

    /// <summary>"f = … at x = …, y = …": what a failure message shows.</summary>
    public override string ToString() =>
        $"f = {Expression} at {string.Join(", ", Variables.Select((v, i) => $"{v} = {Point[i].ToString("R", CultureInfo.InvariantCulture)}"))}";
}
