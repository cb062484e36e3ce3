// Lowering an Expr DAG to a tape: one instruction per structurally distinct subexpression (the
// memo is structural, so equal subtrees built separately are one instruction: CSE), subtrees free
// of the inputs folded to constants, sums lowered with their scaled terms absorbed as weights
// (100·u + v is one linear instruction), and powers with constant exponents specialized (square,
// reciprocal, sqrt, pow by a constant). Three passes over the post-order, no recursion: fold the
// constants, mark what the outputs need (a term absorbed into a sum needs no slot of its own),
// emit what is needed.
using Hybrid.Symbolic;

namespace Hybrid.Tape;

public sealed partial class Tape
{
    /// <summary>Lowers one output with respect to the given input symbols.</summary>
    /// <exception cref="ArgumentException">An input is not a symbol or repeats, or the expression depends on a symbol that is not an input.</exception>
    public static Tape Lower(Expr output, params Expr[] inputs) => Lower([output], inputs);

    /// <summary>Lowers several outputs at once; subexpressions they share become shared instructions.</summary>
    /// <exception cref="ArgumentException">An input is not a symbol or repeats, or an output depends on a symbol that is not an input.</exception>
    public static Tape Lower(IReadOnlyList<Expr> outputs, IReadOnlyList<Expr> inputs)
    {
        ArgumentNullException.ThrowIfNull(outputs);
        ArgumentNullException.ThrowIfNull(inputs);
        if (outputs.Count == 0) throw new ArgumentException("A tape needs at least one output.", nameof(outputs));
        var names = inputs.Select(i => (i as Symbol)?.Name ?? throw new ArgumentException($"The input '{i}' is not a symbol.", nameof(inputs))).ToArray();
        if (names.Distinct().Count() != names.Length) throw new ArgumentException($"The inputs repeat a symbol: {string.Join(", ", names)}.", nameof(inputs));
        return new Lowering(inputs, names).Run(outputs);
    }

    // How a node becomes one instruction: its opcode, operand subexpressions, a weight and its exact
    // source per operand (Linear only), and the instruction's constant (PowConstant's exponent).
    private readonly record struct Form(OpCode Op, Expr[] Operands, double[]? Weights = null, Expr[]? WeightSources = null, double Constant = 0);

    private sealed class Lowering(IReadOnlyList<Expr> inputs, string[] names)
    {
        private readonly TapeBuilder builder = new(names);
        private readonly Dictionary<Expr, int> slot = [];            // structural: common subexpressions share a slot
        private readonly Dictionary<Expr, double> constant = [];     // subexpressions free of the inputs, folded
        private readonly Dictionary<Expr, Form> needed = [];         // structural: nodes that get an instruction

        public Tape Run(IReadOnlyList<Expr> outputs)
        {
            for (int i = 0; i < inputs.Count; i++) slot[inputs[i]] = builder.Input(inputs[i]);
            var order = new List<Expr>();
            var seen = new HashSet<Expr>(Expr.ByReference);
            foreach (var output in outputs)
                foreach (var node in output.PostOrder())
                    if (seen.Add(node)) { Fold(node); order.Add(node); }

            foreach (var output in outputs) Need(output);
            for (int k = order.Count - 1; k >= 0; k--)
                if (needed.TryGetValue(order[k], out var form))
                    foreach (var operand in form.Operands) Need(operand);

            foreach (var node in order)
                if (!slot.ContainsKey(node) && needed.TryGetValue(node, out var form))
                    slot[node] = builder.Emit(form.Op, node, Slots(form.Operands), form.Weights, form.WeightSources, form.Constant, (node as Call)?.Primitive);
            return builder.Build(outputs.Select(Operand).ToArray());
        }

        private void Fold(Expr node)
        {
            if (slot.ContainsKey(node) || constant.ContainsKey(node)) return;
            if (node is Symbol s)
                throw new ArgumentException($"The expression depends on '{s.Name}', which is not among the inputs ({string.Join(", ", names)}).");
            foreach (var arg in node.Args)
                if (!constant.ContainsKey(arg)) return;
            constant[node] = node.Evaluate(new Dictionary<string, double>());
        }

        private void Need(Expr node)
        {
            if (slot.ContainsKey(node) || constant.ContainsKey(node) || needed.ContainsKey(node)) return;
            needed[node] = FormOf(node);
        }

        private Form FormOf(Expr node)
        {
            switch (node)
            {
                case Sum:
                {
                    var terms = node.Args;
                    var (operands, weights, sources) = (new Expr[terms.Count], new double[terms.Count], new Expr[terms.Count]);
                    for (int k = 0; k < terms.Count; k++)
                        (operands[k], weights[k], sources[k]) = ScaledTerm(terms[k]) ?? (terms[k], 1.0, Expr.Number(1));
                    return new(OpCode.Linear, operands, weights, sources);
                }
                case Product when ScaledTerm(node) is var (u, w, c): return new(OpCode.Linear, [u], [w], [c]);
                case Product: return new(OpCode.Multiply, node.Args.ToArray());
                case Power { Base: var b, Exponent: var e } when constant.TryGetValue(e, out var c):
                    return c switch
                    {
                        2 => new(OpCode.Square, [b]),
                        -1 => new(OpCode.Reciprocal, [b]),
                        0.5 => new(OpCode.Sqrt, [b]),
                        _ => new(OpCode.PowConstant, [b], Constant: c),
                    };
                case Power power: return new(OpCode.Pow, power.Args.ToArray());
                case Call call: return new(OpCode.Call, call.Args.ToArray());
                default: throw new InvalidOperationException($"Cannot lower {node.Kind} '{node}'.");
            }
        }

        // c·u with c free of the inputs: u, the value of c, and c itself (kept exact for Lift).
        private (Expr Operand, double Weight, Expr Source)? ScaledTerm(Expr term) =>
            term is Product { Args: [var a, var b] } && constant.ContainsKey(a) != constant.ContainsKey(b)
                ? constant.TryGetValue(a, out var w) ? (b, w, a) : (a, constant[b], b)
                : null;

        private int[] Slots(Expr[] operands)
        {
            var slots = new int[operands.Length];
            for (int k = 0; k < slots.Length; k++) slots[k] = Operand(operands[k]);
            return slots;
        }

        // The slot holding a subexpression's value, emitting its constant on first use.
        private int Operand(Expr child)
        {
            if (slot.TryGetValue(child, out var index)) return index;
            return slot[child] = builder.Constant(constant[child], child);
        }
    }
}
