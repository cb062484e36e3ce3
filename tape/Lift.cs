// Lift: a tape back to expressions, one per output, constants as the exact subexpressions they were
// folded from, so lowering then lifting gives back an equal expression.
using Hybrid.Symbolic;

namespace Hybrid.Tapes;

public sealed partial class Tape
{
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
