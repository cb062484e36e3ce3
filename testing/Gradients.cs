// Ready-made gradient computations over a GradientCase, for Properties.GradientsAgree: the exact
// symbolic gradient, every reverse mode of ours (interpreted, compiled and batched tape, define-by-run
// tensors), and Richardson finite differences.
using Hybrid.Numerics;
using Hybrid.Symbolic;
using Hybrid.Tapes;
using Hybrid.Tensors;
using MathNet.Numerics.LinearAlgebra;

namespace Hybrid.Testing;

/// <summary>Gradient computations to compare with <c>Properties.GradientsAgree(f, g, shape)</c>.</summary>
public static class Gradients
{
    /// <summary>The symbolic gradient, evaluated with the chain rule's strong zero (<see cref="EvaluationOptions.Derivative"/>), as the tape computes.</summary>
    public static double[] Exact(GradientCase c) => c.Expression.Gradient(c.Symbols).Select(d => d.Evaluate(c.Bindings, EvaluationOptions.Derivative)).ToArray();

    /// <summary>Reverse mode on the interpreted tape.</summary>
    public static double[] ReverseMode(GradientCase c)
    {
        var tape = Tape.Lower(c.Expression, c.Symbols);
        var gradient = new double[c.Variables.Count];
        tape.Gradient(c.Point, gradient, tape.CreateWorkspace());
        return gradient;
    }

    /// <summary>Reverse mode on the compiled tape.</summary>
    public static double[] Compiled(GradientCase c)
    {
        var compiled = Tape.Lower(c.Expression, c.Symbols).Compile();
        var gradient = new double[c.Variables.Count];
        compiled.Gradient(c.Point, gradient, compiled.CreateWorkspace());
        return gradient;
    }

    /// <summary>Reverse mode on the batched tape, the point as a one-row matrix.</summary>
    public static double[] Batched(GradientCase c)
    {
        var batched = Tape.Lower(c.Expression, c.Symbols).Batched();
        return batched.Gradient(Matrix<double>.Build.DenseOfRowArrays(c.Point)).Gradients.Row(0).ToArray();
    }

    /// <summary>Define-by-run reverse mode: the expression evaluated with <see cref="Tensor"/> operations (<see cref="OnTensors"/>), then <see cref="Tensor.Backward"/>.</summary>
    public static double[] Tensors(GradientCase c)
    {
        var leaves = c.Point.Select(v => Tensor.Scalar(v).RequiresGrad()).ToArray();
        var value = OnTensors(c.Expression, c.Variables, leaves);
        if (value.RequiresGradient) value.Backward();   // else the expression is constant
        return leaves.Select(l => l.Grad?.Item() ?? 0).ToArray();
    }

    /// <summary>
    /// <paramref name="f"/> computed with tensor operations, variable <paramref name="variables"/>[k] bound to
    /// <paramref name="values"/>[k]: sums and products by operators, powers by <see cref="Tensor.Pow(Tensor, double)"/> (or
    /// <see cref="Tensor.Pow(Tensor, Tensor)"/> for a symbolic exponent), every primitive through <see cref="Tensor.Apply"/>, constants as scalars.
    /// </summary>
    public static Tensor OnTensors(Expr f, IReadOnlyList<string> variables, IReadOnlyList<Tensor> values)
    {
        var bound = variables.Zip(values).ToDictionary(p => p.First, p => p.Second);
        var computed = new Dictionary<Expr, Tensor>(Expr.ByReference);
        foreach (var node in f.PostOrder())
        {
            var args = node.Args.Select(a => computed[a]).ToArray();
            computed[node] = node switch
            {
                Symbol s => bound.TryGetValue(s.Name, out var value) ? value : throw new ArgumentException($"{s.Name} is not among the variables ({string.Join(", ", variables)}).", nameof(variables)),
                Sum => args.Aggregate((a, b) => a + b),
                Product => args.Aggregate((a, b) => a * b),
                Power { Exponent: Number n } => Tensor.Pow(args[0], n.Value.ToDouble()),
                Power { Exponent: FloatNumber n } => Tensor.Pow(args[0], n.Value),
                Power => Tensor.Pow(args[0], args[1]),
                Call call => Tensor.Apply(call.Primitive, args),
                _ => Tensor.Scalar(node.Evaluate(new Dictionary<string, double>())),
            };
        }
        return computed[f];
    }

    /// <summary>Richardson-extrapolated central differences of the expression's value, one variable at a time.</summary>
    public static double[] Richardson(GradientCase c) => c.Variables.Select((v, i) =>
    {
        var bindings = new Dictionary<string, double>(c.Bindings);
        return FiniteDifference.Derivative(t => { bindings[v] = t; return c.Expression.Evaluate(bindings); }, c.Point[i]);
    }).ToArray();
}
