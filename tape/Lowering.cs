// Lowering an Expr DAG to a tape: one instruction per structurally distinct subexpression (the
// memo is structural, so equal subtrees built separately are one instruction: CSE), subtrees free
// of the inputs folded to constants, sums lowered with their scaled terms absorbed as weights
// (100·u + v is one linear instruction), a sum used only by its own square lowered with it
// ((u − v)² is one squared-linear instruction), and powers with constant exponents specialized
// (square, reciprocal, sqrt, pow by a constant). Three passes over the post-order, no recursion:
// fold the constants (and count the users of each sum), mark what the outputs need (a term
// absorbed into a sum needs no slot of its own), emit what is needed.
using Hybrid.Symbolic;

namespace Hybrid.Tapes;

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

    private sealed class Lowering(IReadOnlyList<Expr> inputs, string[] names)
    {
        private readonly TapeBuilder builder = new(names);
        private readonly Dictionary<Expr, int> slot = [];                       // structural: common subexpressions share a slot
        private readonly Dictionary<Expr, double> constant = [];                // structural: subexpressions free of the inputs, folded
        private readonly HashSet<Expr> needed = new(Expr.ByReference);          // nodes the outputs need an instruction for
        private readonly Dictionary<Expr, int> parents = [];                    // structural, as CSE: how many nodes (and outputs) use each sum
        private static readonly Expr one = Expr.Number(1);

        public Tape Run(IReadOnlyList<Expr> outputs)
        {
            for (int i = 0; i < inputs.Count; i++) slot[inputs[i]] = builder.Input(inputs[i]);
            var order = Expr.PostOrder(outputs);
            slot.EnsureCapacity(order.Count);
            needed.EnsureCapacity(order.Count);
            foreach (var node in order)
            {
                Fold(node);
                for (int k = 0; k < node.Args.Count; k++) if (node.Args[k] is Sum sum) parents[sum] = parents.GetValueOrDefault(sum) + 1;
            }
            foreach (var output in outputs) if (output is Sum sum) parents[sum] = parents.GetValueOrDefault(sum) + 1;

            foreach (var output in outputs) Need(output);
            for (int k = order.Count - 1; k >= 0; k--)
            {
                var node = order[k];
                if (!needed.Contains(node)) continue;
                switch (node)
                {
                    case Sum:
                        NeedTerms(node);
                        break;
                    case Power when SquaredSum(node) is { } sum: NeedTerms(sum); break;
                    case Product when ScaledTerm(node) is var (u, _, _): Need(u); break;
                    default:
                        for (int a = 0; a < node.Args.Count; a++) Need(node.Args[a]);
                        break;
                }
            }

            foreach (var node in order)
                if (needed.Contains(node) && !slot.ContainsKey(node))
                    slot[node] = Emit(node);
            return builder.Build(outputs.Select(Operand).ToArray());
        }

        private void Fold(Expr node)
        {
            if (node is Symbol s)
            {
                if (slot.ContainsKey(node)) return;
                throw new ArgumentException($"The expression depends on '{s.Name}', which is not among the inputs ({string.Join(", ", names)}).");
            }
            for (int k = 0; k < node.Args.Count; k++)   // an index loop: foreach over the interface would allocate per node
                if (!constant.ContainsKey(node.Args[k])) return;
            if (!constant.ContainsKey(node)) constant[node] = node switch
            {
                Number number => number.Value.ToDouble(),
                FloatNumber number => number.Value,
                _ => node.Evaluate(new Dictionary<string, double>()),
            };
        }

        private void NeedTerms(Expr sum)
        {
            for (int t = 0; t < sum.Args.Count; t++) Need(ScaledTerm(sum.Args[t])?.Operand ?? sum.Args[t]);
        }

        // u² where u is a sum that nothing else uses: lowered as one squared-linear instruction over u's terms.
        private Expr? SquaredSum(Expr node) =>
            node is Power { Base: Sum sum, Exponent: var e } && constant.TryGetValue(e, out var c) && c == 2 && parents.GetValueOrDefault(sum) == 1 ? sum : null;

        // Inputs and constants have slots of their own already (or get them on first use).
        private void Need(Expr node)
        {
            if (node is not Symbol && !constant.ContainsKey(node)) needed.Add(node);
        }

        private int Emit(Expr node)
        {
            switch (node)
            {
                case Sum: return EmitLinear(OpCode.Linear, node, node);
                case Power when SquaredSum(node) is { } sum: return EmitLinear(OpCode.SquaredLinear, node, sum);
                case Product when ScaledTerm(node) is var (u, w, c): return builder.Emit(OpCode.Linear, node, [Operand(u)], [w], [c]);
                case Product: return builder.Emit(OpCode.Multiply, node, Operands(node));
                case Power { Base: var b, Exponent: var e } when constant.TryGetValue(e, out var c):
                    return c switch
                    {
                        2 => builder.Emit(OpCode.Square, node, [Operand(b)]),
                        -1 => builder.Emit(OpCode.Reciprocal, node, [Operand(b)]),
                        0.5 => builder.Emit(OpCode.Sqrt, node, [Operand(b)]),
                        _ => builder.Emit(OpCode.PowConstant, node, [Operand(b)], constant: c),
                    };
                case Power: return builder.Emit(OpCode.Pow, node, Operands(node));
                case Call call: return builder.Emit(OpCode.Call, node, Operands(node), primitive: call.Primitive);
                default: throw new InvalidOperationException($"Cannot lower {node.Kind} '{node}'.");
            }
        }

        // A linear (or squared linear) instruction over the terms of a sum, scaled terms absorbed as weights.
        private int EmitLinear(OpCode op, Expr node, Expr sum)
        {
            var terms = sum.Args;
            var (operands, weights, sources) = (new int[terms.Count], new double[terms.Count], new Expr[terms.Count]);
            for (int k = 0; k < terms.Count; k++)
            {
                (var operand, weights[k], sources[k]) = ScaledTerm(terms[k]) ?? (terms[k], 1.0, one);
                operands[k] = Operand(operand);
            }
            return builder.Emit(op, node, operands, weights, sources);
        }

        // c·u with c free of the inputs: u, the value of c, and c itself (kept exact for Lift).
        private (Expr Operand, double Weight, Expr Source)? ScaledTerm(Expr term) =>
            term is Product { Args: [var a, var b] } && constant.ContainsKey(a) != constant.ContainsKey(b)
                ? constant.TryGetValue(a, out var w) ? (b, w, a) : (a, constant[b], b)
                : null;

        private int[] Operands(Expr node)
        {
            var slots = new int[node.Args.Count];
            for (int k = 0; k < slots.Length; k++) slots[k] = Operand(node.Args[k]);
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
