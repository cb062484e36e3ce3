// The tape: an expression lowered to flat arrays (struct of arrays), one instruction per distinct
// subexpression (common subexpressions shared, constants folded). The forward sweep computes each
// value and its local partials from the opcode or the primitive's row; the reverse sweep is one
// loop that knows no operations: adjoint(operand) += adjoint(result) * partial. A zero adjoint or a
// zero partial sends nothing (JAX's symbolic zero; Chain), which is also what masks the untaken
// branch of `where`, even behind an infinite adjoint.
using System.Diagnostics;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using Hybrid.Symbolic;

namespace Hybrid.Tapes;

/// <summary>An expression (or several) lowered to a flat instruction list for fast numeric evaluation and reverse mode.</summary>
public sealed partial class Tape
{
    // Per instruction: ops, operandStart, operandCount, constants (Constant: the value; PowConstant: the
    // exponent), primitives (Call: the row), sources (the subexpression it computes, for listings and
    // errors). Per operand slot: operands (the instruction read), weights and weightSources (Linear).
    internal readonly record struct Code(OpCode[] Ops, int[] OperandStart, int[] OperandCount, int[] Operands, double[] Weights,
        Expr?[] WeightSources, double[] Constants, Primitive?[] Primitives, Expr[] Sources)
    {
        // Whether every weight of instruction i is finite: then its partials are finite constants, and sending 0·w changes nothing.
        public bool FiniteWeights(int i)
        {
            foreach (var w in Weights.AsSpan(OperandStart[i], OperandCount[i])) if (!double.IsFinite(w)) return false;
            return true;
        }
    }

    private readonly OpCode[] ops;
    private readonly int[] operandStart;
    private readonly int[] operandCount;
    private readonly int[] operands;
    private readonly double[] weights;
    private readonly Expr?[] weightSources;
    private readonly double[] constants;
    private readonly Primitive?[] primitives;
    private readonly Expr[] sources;
    private readonly int[] outputs;
    private readonly string[] inputNames;
    // Derived for the sweeps: the dispatch per instruction, and the rows' delegates unpacked so a call
    // does not go through the row's lists (Call: evaluators per instruction, partials per operand slot).
    private readonly Dispatch[] dispatches;
    private readonly NumericFunction?[] evaluators;
    private readonly NumericFunction?[] partialFunctions;

    internal Tape(Code code, int[] outputs, string[] inputNames)
    {
        (ops, operandStart, operandCount, operands, weights, weightSources, constants, primitives, sources) = code;
        this.outputs = outputs;
        this.inputNames = inputNames;
        dispatches = new Dispatch[ops.Length];
        evaluators = new NumericFunction?[ops.Length];
        partialFunctions = new NumericFunction?[operands.Length];
        for (int i = 0; i < ops.Length; i++)
        {
            dispatches[i] = DispatchOf(ops[i], operandCount[i]);
            Debug.Assert(operandStart[i] + operandCount[i] <= operands.Length && operands.AsSpan(operandStart[i], operandCount[i]).ToArray().All(o => o < i));
            if (primitives[i] is not { } row) continue;
            evaluators[i] = row.Evaluate;
            for (int k = 0; k < operandCount[i]; k++) partialFunctions[operandStart[i] + k] = row.NumericPartials[k];
        }
        Debug.Assert(outputs.All(o => o < ops.Length));
    }

    internal Code Instructions => new(ops, operandStart, operandCount, operands, weights, weightSources, constants, primitives, sources);

    internal ReadOnlySpan<int> OutputSlots => outputs;

    internal NumericFunction?[] PartialFunctions => partialFunctions;

    private (int[] First, int[] Last)? consumerRange;

    /// <summary>Per instruction, the first and last instruction that reads it (an output counts as read after the end; none: Length, −1).</summary>
    internal (int[] First, int[] Last) ConsumerRange => consumerRange ??= FindConsumers();

    private (int[] First, int[] Last) FindConsumers()
    {
        var (first, last) = (new int[ops.Length], new int[ops.Length]);
        Array.Fill(first, ops.Length);
        Array.Fill(last, -1);
        for (int c = 0; c < ops.Length; c++)
            for (int s = operandStart[c]; s < operandStart[c] + operandCount[c]; s++)
            {
                int u = operands[s];
                first[u] = Math.Min(first[u], c);
                last[u] = Math.Max(last[u], c);
            }
        foreach (var o in outputs) last[o] = ops.Length;
        return (first, last);
    }

    /// <summary>The number of instructions, inputs and constants included.</summary>
    public int Length => ops.Length;

    /// <summary>The number of inputs; they are the first instructions, in the order given when lowering.</summary>
    public int InputCount => inputNames.Length;

    /// <summary>The inputs' names (the symbols given when lowering), in input order.</summary>
    public IReadOnlyList<string> InputNames => inputNames;

    /// <summary>The number of outputs.</summary>
    public int OutputCount => outputs.Length;

    internal int OperandCount => operands.Length;

    /// <summary>New buffers for this tape; reuse them across calls (one per thread).</summary>
    public Workspace CreateWorkspace() => new(this);

    /// <summary>
    /// Compiles the tape to delegates for value and gradient (same results as the interpreter, faster).
    /// Compiling costs milliseconds per thousand instructions: worth it for a tape evaluated many times.
    /// </summary>
    public CompiledTape Compile() => new(this);

    /// <summary>Evaluation at many points at once (MathNet matrices in and out), in blocks of <paramref name="blockSize"/> points, on all cores.</summary>
    public BatchedTape Batched(int blockSize = 256) => new(this, blockSize);

    // What a new workspace starts from: constants in their value slots and the constant partials
    // (Linear's weights) in their partial slots, so that no sweep writes them again.
    internal void Prefill(double[] values, double[] partials)
    {
        for (int i = 0; i < ops.Length; i++) if (ops[i] == OpCode.Constant) values[i] = constants[i];
        weights.CopyTo(partials, 0);
    }

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
    /// <exception cref="InvalidOperationException">The tape has more than one output (use <see cref="VectorJacobianProduct"/>).</exception>
    public double Gradient(ReadOnlySpan<double> point, Span<double> gradient, Workspace workspace, EvaluationOptions? options = null)
    {
        RequireOneOutput(nameof(Gradient));
        Span<double> seed = [1.0];
        VectorJacobianProduct(point, seed, gradient, workspace, options);
        return workspace.Values[outputs[0]];
    }

    /// <summary>seedᵀ·J: the gradient of Σ seed[k]·output[k], written to <paramref name="result"/> (one entry per input).</summary>
    public void VectorJacobianProduct(ReadOnlySpan<double> point, ReadOnlySpan<double> seed, Span<double> result, Workspace workspace, EvaluationOptions? options = null)
    {
        CheckLength(seed.Length, OutputCount, "seed");
        CheckLength(result.Length, InputCount, "gradient");
        Forward(point, workspace, partials: true, options);
        Adjoints(seed, result, workspace);
    }

    // The reverse sweep after a forward sweep with partials: seedᵀ·J into result.
    internal void Adjoints(ReadOnlySpan<double> seed, Span<double> result, Workspace workspace)
    {
        var adjoints = workspace.Adjoints;
        Array.Clear(adjoints);
        for (int k = 0; k < outputs.Length; k++) adjoints[outputs[k]] += seed[k];
        Reverse(workspace);
        adjoints.AsSpan(0, InputCount).CopyTo(result);
    }

    // The forward sweep with local partials that the sweeps above and the second-order ones start from.
    internal void ForwardWithPartials(ReadOnlySpan<double> point, Workspace workspace) => Forward(point, workspace, partials: true, null);

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

    private void Reverse(Workspace workspace)
    {
        var adjoints = workspace.Adjoints;
        var partials = workspace.Partials;
        var (start, count, operand) = (operandStart, operandCount, operands);
        // By steps (Forward.cs): the copies of a run column by column where that keeps the sums, the rest in tape order.
        var plan = SweepPlan?.Reverse;
        for (int t = (plan?.Length ?? 1) - 1; t >= 0; t--)
        {
            var (first, copies, period, slots, constants) = plan is null ? new Step(InputCount, ops.Length - InputCount, 1, InTapeOrder) : At(plan, t);
            if (slots == InTapeOrder)
                for (int i = first + copies - 1; i >= first; i--) Send(i, At(start, i), At(count, i), 0);
            else
            {
                int n = At(count, first);
                for (int k = copies - 1, i = first + k * period, s0 = At(start, first) + k * slots; k >= 0; k--, i -= period, s0 -= slots)
                    Send(i, s0, n, constants);
            }
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        void Send(int i, int s, int n, byte constants)
        {
            double adjoint = At(adjoints, i);
            if (adjoint == 0) return;
            // A zero partial times a finite adjoint is zero anyway: only an infinite or NaN adjoint needs Chain's test.
            if (!double.IsFinite(adjoint))
            {
                for (int end = s + n; s < end; s++) At(adjoints, At(operand, s)) += Chain(adjoint, At(partials, s));
                return;
            }
            if (n == 1) { if (constants == 0) At(adjoints, At(operand, s)) += adjoint * At(partials, s); }   // the common arities, without a loop
            else if (n == 2)
            {
                if ((constants & 1) == 0) At(adjoints, At(operand, s)) += adjoint * At(partials, s);
                if ((constants & 2) == 0) At(adjoints, At(operand, s + 1)) += adjoint * At(partials, s + 1);
            }
            else for (int end = s + n; s < end; s++) At(adjoints, At(operand, s)) += adjoint * At(partials, s);
        }
    }

    /// <summary>
    /// One term of the chain rule, adjoint × partial, where a zero partial sends exactly zero even when the
    /// adjoint is infinite or NaN (0·∞ = 0, the symbolic zero of the canonical form): a where's untaken
    /// branch and a comparison's operands get nothing. (A zero adjoint is skipped before this is reached.)
    /// Every path uses it: the interpreter, the compiled code, the batched kernels and Tensor.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static double Chain(double adjoint, double partial) => partial == 0 ? 0 : adjoint * partial;

    /// <summary>a·b with 0·anything = 0: the products inside a power's partials (x^x at 0: 0·0^-1 is 0).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static double StrongProduct(double a, double b) => a == 0 || b == 0 ? 0 : a * b;

    internal void RequireOneOutput(string what)
    {
        if (OutputCount != 1)
            throw new InvalidOperationException($"{what} needs a tape with one output; this one has {OutputCount}. Use VectorJacobianProduct with a seed per output.");
    }

    internal static void CheckLength(int actual, int expected, string what)
    {
        if (actual != expected) throw new ArgumentException($"The {what} span has {actual} entries; the tape needs {expected}.");
    }

    /// <summary>A readable listing, one instruction per line: <c>%3 = sin %2    ; sin(x)</c>.</summary>
    public override string ToString()
    {
        var text = new StringBuilder();
        for (int i = 0; i < ops.Length; i++)
        {
            var args = string.Join(", ", operands.AsSpan(operandStart[i], operandCount[i]).ToArray().Select(o => "%" + o));
            string what = ops[i] switch
            {
                OpCode.Input => $"input {inputNames[i]}",
                OpCode.Constant => "constant " + Show(constants[i]),
                OpCode.Linear => "linear " + LinearTerms(i),
                OpCode.SquaredLinear => "squared linear " + LinearTerms(i),
                OpCode.PowConstant => $"pow {args}, {Show(constants[i])}",
                OpCode.Call => $"{primitives[i]!.Name} {args}",
                OpCode.Multiply or OpCode.Square or OpCode.Reciprocal or OpCode.Sqrt or OpCode.Pow => $"{ops[i].ToString().ToLowerInvariant()} {args}",
            };
            text.Append('%').Append(i).Append(" = ").Append(what);
            // A comment shows the source only when it is small: printing a shared DAG as text can take exponential time.
            if (ops[i] is not (OpCode.Input or OpCode.Constant))
                text.Append("    ; ").Append(TreeSizeAtMost(sources[i], 200) ? Shorten(sources[i].ToString()) : "...");
            text.Append('\n');
        }
        text.Append("outputs: ").Append(string.Join(", ", outputs.Select(o => "%" + o)));
        return text.ToString();
    }

    // "%3 - 2*%5 + %7": the weights as a reader would write them.
    private string LinearTerms(int i)
    {
        var text = new StringBuilder();
        for (int s = operandStart[i]; s < operandStart[i] + operandCount[i]; s++)
        {
            double w = weights[s];
            bool first = s == operandStart[i];
            text.Append(first ? (w < 0 ? "-" : "") : (w < 0 ? " - " : " + "));
            if (Math.Abs(w) != 1) text.Append(Show(Math.Abs(w))).Append('*');
            text.Append('%').Append(operands[s]);
        }
        return text.ToString();
    }

    private static string Show(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    // Whether the tree (shared subtrees counted each time, as printing would) has at most cap nodes; it
    // stops counting past cap, so a listing of a deep chain costs O(cap) per line, not the chain's length.
    private static bool TreeSizeAtMost(Expr root, int cap)
    {
        var pending = new Stack<Expr>();
        pending.Push(root);
        for (int seen = 0; pending.Count > 0; )
        {
            if (++seen > cap) return false;
            foreach (var child in pending.Pop().Args) pending.Push(child);
        }
        return true;
    }

    private static string Shorten(string s) => s.Length <= 60 ? s : s[..57] + "...";
}
