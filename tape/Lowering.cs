// Lowering an Expr DAG to a tape: one instruction per structurally distinct subexpression (the
// memo is structural, so equal subtrees built separately are one instruction: CSE), subtrees free
// of the inputs folded to constants, a constant times one operand lowered to scale, and powers with
// constant exponents specialized (square, reciprocal, sqrt, pow by a constant).
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

    private sealed class Lowering(IReadOnlyList<Expr> inputs, string[] names)
    {
        private readonly List<Instruction> code = [];
        private readonly List<int> operandList = [];
        private readonly Dictionary<Expr, int> slot = [];            // structural: common subexpressions share a slot
        private readonly Dictionary<Expr, double> constant = [];     // subexpressions free of the inputs, folded

        public Tape Run(IReadOnlyList<Expr> outputs)
        {
            for (int i = 0; i < inputs.Count; i++) { slot[inputs[i]] = i; code.Add(new(OpCode.Input, 0, 0, 0, null, inputs[i])); }
            foreach (var output in outputs)
                foreach (var node in output.PostOrder())
                    Visit(node);
            var outputSlots = outputs.Select(Operand).ToArray();
            return new Tape(code, operandList, outputSlots, names);
        }

        private void Visit(Expr node)
        {
            if (slot.ContainsKey(node) || constant.ContainsKey(node)) return;
            if (node is Symbol s)
                throw new ArgumentException($"The expression depends on '{s.Name}', which is not among the inputs ({string.Join(", ", names)}).");
            if (node.Args.All(constant.ContainsKey))
            {
                constant[node] = node.Evaluate(new Dictionary<string, double>());
                return;
            }
            switch (node)
            {
                case Sum: Emit(OpCode.Add, node, node.Args); break;
                case Product when node.Args.Count == 2 && ConstantFactor(node) is { } c:
                    Emit(OpCode.Scale, node, [node.Args.Single(a => !constant.ContainsKey(a))], constant[c]);
                    break;
                case Product: Emit(OpCode.Multiply, node, node.Args); break;
                case Power { Base: var b, Exponent: var e } when constant.TryGetValue(e, out var c):
                    switch (c)
                    {
                        case 2: Emit(OpCode.Square, node, [b]); break;
                        case -1: Emit(OpCode.Reciprocal, node, [b]); break;
                        case 0.5: Emit(OpCode.Sqrt, node, [b]); break;
                        default: Emit(OpCode.PowConstant, node, [b], c); break;
                    }
                    break;
                case Power power: Emit(OpCode.Pow, node, power.Args); break;
                case Call call: Emit(OpCode.Call, node, call.Args, primitive: call.Primitive); break;
                default: throw new InvalidOperationException($"Cannot lower {node.Kind} '{node}'.");
            }
        }

        private Expr? ConstantFactor(Expr product) => product.Args.Count(constant.ContainsKey) == 1 ? product.Args.First(constant.ContainsKey) : null;

        private void Emit(OpCode op, Expr source, IReadOnlyList<Expr> args, double value = 0, Primitive? primitive = null)
        {
            var slots = args.Select(Operand).ToArray();   // may emit constants first
            int start = operandList.Count;
            operandList.AddRange(slots);
            slot[source] = code.Count;
            code.Add(new(op, start, slots.Length, value, primitive, source));
        }

        // The slot holding a child's value, emitting its constant on first use.
        private int Operand(Expr child)
        {
            if (slot.TryGetValue(child, out var index)) return index;
            slot[child] = code.Count;
            code.Add(new(OpCode.Constant, 0, 0, constant[child], null, child));
            return code.Count - 1;
        }
    }
}
