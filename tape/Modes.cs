// Forward mode and whole Jacobians on the interpreted tape. Both reuse the local partials of the
// forward sweep: forward mode pushes tangents through them in order, the Jacobian runs one reverse
// sweep per output after a single forward sweep.
using Hybrid.Symbolic;

namespace Hybrid.Tape;

public sealed partial class Tape
{
    /// <summary>J·v: the directional derivative of every output along <paramref name="direction"/>, written to <paramref name="result"/>.</summary>
    public void JacobianVectorProduct(ReadOnlySpan<double> point, ReadOnlySpan<double> direction, Span<double> result, Workspace workspace, EvaluationOptions? options = null)
    {
        CheckLength(direction.Length, InputCount, "direction");
        CheckLength(result.Length, OutputCount, "result");
        Forward(point, workspace, partials: true, options);
        var tangents = workspace.Tangents;
        var partials = workspace.Partials;
        direction.CopyTo(tangents);
        for (int i = InputCount; i < ops.Length; i++)
        {
            double t = 0;
            int start = operandStart[i], end = start + operandCount[i];
            for (int s = start; s < end; s++)
            {
                // A zero partial or tangent contributes nothing, as a zero adjoint in reverse: where's zero
                // partial for the untaken branch masks that branch's tangent even when it is NaN.
                double tangent = tangents[operands[s]], partial = partials[s];
                if (tangent != 0 && partial != 0) t += partial * tangent;
            }
            tangents[i] = t;
        }
        for (int k = 0; k < outputs.Length; k++) result[k] = tangents[outputs[k]];
    }

    /// <summary>The Jacobian, row-major: <paramref name="jacobian"/>[k·InputCount + j] = d output k / d input j. One forward sweep, one reverse sweep per output.</summary>
    public void Jacobian(ReadOnlySpan<double> point, Span<double> jacobian, Workspace workspace, EvaluationOptions? options = null)
    {
        CheckLength(jacobian.Length, OutputCount * InputCount, "Jacobian");
        Forward(point, workspace, partials: true, options);
        var adjoints = workspace.Adjoints;
        for (int k = 0; k < outputs.Length; k++)
        {
            Array.Clear(adjoints);
            adjoints[outputs[k]] = 1;
            Reverse(workspace);
            adjoints.AsSpan(0, InputCount).CopyTo(jacobian.Slice(k * InputCount, InputCount));
        }
    }

    /// <summary>
    /// The tape as expressions again, one per output. Constants come back as the exact subexpressions
    /// they were folded from, so lifting a lowered expression gives back an equal expression.
    /// </summary>
    public Expr[] Lift()
    {
        var lifted = new Expr[ops.Length];
        for (int i = 0; i < ops.Length; i++)
        {
            var args = new Expr[operandCount[i]];
            for (int k = 0; k < args.Length; k++) args[k] = lifted[operands[operandStart[i] + k]];
            lifted[i] = ops[i] switch
            {
                OpCode.Input or OpCode.Constant => sources[i],
                OpCode.Linear => WeightedSum(i, args),
                OpCode.SquaredLinear => Expr.Pow(WeightedSum(i, args), 2),
                OpCode.Multiply => Expr.Product(args),
                OpCode.Square => Expr.Pow(args[0], 2),
                OpCode.Reciprocal => Expr.Pow(args[0], -1),
                OpCode.Sqrt => Expr.Sqrt(args[0]),
                OpCode.PowConstant => Expr.Pow(args[0], ((Power)sources[i]).Exponent),
                OpCode.Pow => Expr.Pow(args[0], args[1]),
                OpCode.Call => primitives[i]!.Apply(args),
            };
        }
        return outputs.Select(o => lifted[o]).ToArray();
    }

    // Σ w_k·arg_k of instruction i, each weight exact when lowering kept it, else the double as a float.
    private Expr WeightedSum(int i, Expr[] args) =>
        Expr.Sum(args.Select((a, k) => Expr.Product([weightSources[operandStart[i] + k] ?? Expr.Float(weights[operandStart[i] + k]), a])));
}
