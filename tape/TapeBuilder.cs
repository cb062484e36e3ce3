// Appends instructions to growing flat arrays and freezes them into a Tape. Lowering uses it; so
// can anything else that records a computation (the define-by-run Tensor API).
using Hybrid.Symbolic;

namespace Hybrid.Tapes;

internal sealed class TapeBuilder(string[] inputNames)
{
    private readonly List<OpCode> ops = [];
    private readonly List<int> starts = [], counts = [];
    private readonly List<double> constants = [];
    private readonly List<Primitive?> primitives = [];
    private readonly List<Expr> sources = [];
    private readonly List<int> operands = [];
    private readonly List<double> weights = [];
    private readonly List<Expr?> weightSources = [];

    public int Count => ops.Count;

    public int Input(Expr symbol) => Emit(OpCode.Input, symbol, []);

    public int Constant(double value, Expr source) => Emit(OpCode.Constant, source, [], constant: value);

    /// <summary>Appends one instruction and returns its slot; operands must already have slots.</summary>
    public int Emit(OpCode op, Expr source, int[] operandSlots, double[]? operandWeights = null, Expr[]? operandWeightSources = null,
        double constant = 0, Primitive? primitive = null)
    {
        ops.Add(op);
        starts.Add(operands.Count);
        counts.Add(operandSlots.Length);
        constants.Add(constant);
        primitives.Add(primitive);
        sources.Add(source);
        for (int k = 0; k < operandSlots.Length; k++)
        {
            operands.Add(operandSlots[k]);
            weights.Add(operandWeights?[k] ?? 0);
            weightSources.Add(operandWeightSources?[k]);
        }
        return ops.Count - 1;
    }

    public Tape Build(int[] outputs) => new(new Tape.Code(
        [.. ops], [.. starts], [.. counts], [.. operands], [.. weights], [.. weightSources], [.. constants], [.. primitives], [.. sources]),
        outputs, inputNames);
}
