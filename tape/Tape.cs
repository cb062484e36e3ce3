// The tape: an expression lowered to flat arrays (struct of arrays), one instruction per distinct
// subexpression (common subexpressions shared, constants folded). The forward sweep computes each
// value and its local partials from the opcode or the primitive's row; the reverse sweep is one
// loop that knows no operations: adjoint(operand) += adjoint(result) * partial. A zero adjoint
// sends nothing (JAX's symbolic zero), which is also what masks the untaken branch of `where`.
using System.Globalization;
using System.Text;
using Hybrid.Symbolic;

namespace Hybrid.Tape;

/// <summary>An expression (or several) lowered to a flat instruction list for fast numeric evaluation and reverse mode.</summary>
public sealed partial class Tape
{
    private readonly OpCode[] ops;
    private readonly int[] operandStart;
    private readonly int[] operandCount;
    private readonly int[] operands;
    private readonly double[] constants;       // Constant: the value; PowConstant: the exponent
    private readonly Primitive?[] primitives;  // Call: the row
    private readonly Expr[] sources;           // the subexpression each instruction computes, for listings and errors
    private readonly int[] outputs;
    private readonly string[] inputNames;

    private Tape(List<Instruction> code, List<int> operandList, int[] outputs, string[] inputNames)
    {
        ops = code.Select(c => c.Op).ToArray();
        operandStart = code.Select(c => c.Start).ToArray();
        operandCount = code.Select(c => c.Count).ToArray();
        constants = code.Select(c => c.Constant).ToArray();
        primitives = code.Select(c => c.Primitive).ToArray();
        sources = code.Select(c => c.Source).ToArray();
        operands = operandList.ToArray();
        this.outputs = outputs;
        this.inputNames = inputNames;
    }

    internal readonly record struct Instruction(OpCode Op, int Start, int Count, double Constant, Primitive? Primitive, Expr Source);

    /// <summary>The number of instructions, inputs included.</summary>
    public int Length => ops.Length;

    /// <summary>The number of inputs; they are the first instructions, in the order given when lowering.</summary>
    public int InputCount => inputNames.Length;

    /// <summary>The number of outputs.</summary>
    public int OutputCount => outputs.Length;

    internal int OperandCount => operands.Length;

    /// <summary>New buffers for this tape; reuse them across calls (one per thread).</summary>
    public Workspace CreateWorkspace() => new(this);

    /// <summary>The value of the first output at <paramref name="point"/> (one value per input, in order).</summary>
    public double Evaluate(ReadOnlySpan<double> point, Workspace workspace, EvaluationOptions? options = null)
    {
        Forward(point, workspace, partials: false, options);
        return workspace.Values[outputs[0]];
    }

    /// <summary>Every output at <paramref name="point"/>, written to <paramref name="values"/>.</summary>
    public void Evaluate(ReadOnlySpan<double> point, Span<double> values, Workspace workspace, EvaluationOptions? options = null)
    {
        CheckLength(values.Length, OutputCount, "output values");
        Forward(point, workspace, partials: false, options);
        for (int k = 0; k < outputs.Length; k++) values[k] = workspace.Values[outputs[k]];
    }

    /// <summary>
    /// The value of the first output and its gradient (written to <paramref name="gradient"/>, one entry per input)
    /// in one forward and one reverse sweep.
    /// </summary>
    public double Gradient(ReadOnlySpan<double> point, Span<double> gradient, Workspace workspace, EvaluationOptions? options = null)
    {
        if (OutputCount != 1)
            throw new InvalidOperationException($"Gradient needs a tape with one output; this one has {OutputCount}. Use VectorJacobianProduct with a seed per output.");
        Span<double> seed = stackalloc double[] { 1.0 };
        VectorJacobianProduct(point, seed, gradient, workspace, options);
        return workspace.Values[outputs[0]];
    }

    /// <summary>seedᵀ·J: the gradient of Σ seed[k]·output[k], written to <paramref name="result"/> (one entry per input).</summary>
    public void VectorJacobianProduct(ReadOnlySpan<double> point, ReadOnlySpan<double> seed, Span<double> result, Workspace workspace, EvaluationOptions? options = null)
    {
        CheckLength(seed.Length, OutputCount, "seed");
        CheckLength(result.Length, InputCount, "gradient");
        Forward(point, workspace, partials: true, options);
        var adjoints = workspace.Adjoints;
        Array.Clear(adjoints);
        for (int k = 0; k < outputs.Length; k++) adjoints[outputs[k]] += seed[k];
        Reverse(workspace);
        adjoints.AsSpan(0, InputCount).CopyTo(result);
    }

    private void Reverse(Workspace workspace)
    {
        var adjoints = workspace.Adjoints;
        var partials = workspace.Partials;
        for (int i = ops.Length - 1; i >= InputCount; i--)
        {
            double adjoint = adjoints[i];
            if (adjoint == 0) continue;
            int start = operandStart[i], end = start + operandCount[i];
            for (int s = start; s < end; s++) adjoints[operands[s]] += adjoint * partials[s];
        }
    }

    private static void CheckLength(int actual, int expected, string what)
    {
        if (actual != expected) throw new ArgumentException($"The {what} span has {actual} entries; the tape needs {expected}.");
    }

    /// <summary>A readable listing, one instruction per line: <c>%3 = sin %2    ; sin(x)</c>.</summary>
    public override string ToString()
    {
        var text = new StringBuilder();
        for (int i = 0; i < ops.Length; i++)
        {
            var args = string.Join(", ", operands.Skip(operandStart[i]).Take(operandCount[i]).Select(o => "%" + o));
            string what = ops[i] switch
            {
                OpCode.Input => $"input {inputNames[i]}",
                OpCode.Constant => "constant " + constants[i].ToString("R", CultureInfo.InvariantCulture),
                OpCode.PowConstant => $"pow {args}, {constants[i].ToString("R", CultureInfo.InvariantCulture)}",
                OpCode.Scale => $"scale {args}, {constants[i].ToString("R", CultureInfo.InvariantCulture)}",
                OpCode.Call => $"{primitives[i]!.Name} {args}",
                _ => $"{ops[i].ToString().ToLowerInvariant()} {args}",
            };
            text.Append('%').Append(i).Append(" = ").Append(what);
            if (ops[i] is not (OpCode.Input or OpCode.Constant)) text.Append("    ; ").Append(Shorten(sources[i].ToString()));
            text.Append('\n');
        }
        text.Append("outputs: ").Append(string.Join(", ", outputs.Select(o => "%" + o)));
        return text.ToString();
    }

    private static string Shorten(string s) => s.Length <= 60 ? s : s[..57] + "...";
}
