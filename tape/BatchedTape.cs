// A tape evaluated at many points at once. Points are split into blocks; within a block every tape
// slot is a column of block-size values, so each instruction is one tight loop (or one
// TensorPrimitives kernel) over the block instead of one dispatch per point, and blocks run in
// parallel on all cores. The arithmetic per point is the interpreter's, in the same order (no fused
// multiply-add), so the results equal the interpreter's bit for bit; a zero adjoint sends nothing
// per point, so `where` masks its untaken branch here too. Matrices are MathNet's: one row per
// point, one column per input, which in MathNet's column-major storage puts each input's values
// for consecutive points side by side.
using System.Collections.Concurrent;
using System.Numerics.Tensors;
using Hybrid.Symbolic;
using MathNet.Numerics.LinearAlgebra;

namespace Hybrid.Tapes;

/// <summary>Value and gradient of a <see cref="Tape"/> at many points, in blocks, on all cores; results as MathNet vectors and matrices.</summary>
public sealed class BatchedTape
{
    private readonly Tape tape;
    private readonly Tape.Code code;
    private readonly ConcurrentBag<Block> blocks = [];   // reused buffers, one per worker at a time

    /// <summary>The most doubles one worker's block buffers may hold (values, adjoints and partials: 1 GiB).</summary>
    public const long MaxBlockDoubles = 1L << 27;

    internal BatchedTape(Tape tape, int blockSize)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(blockSize, 1);
        if ((2L * tape.Length + tape.OperandCount) * blockSize > MaxBlockDoubles)
            throw new ArgumentOutOfRangeException(nameof(blockSize), $"Blocks of {blockSize} points over a tape of {tape.Length} instructions need more than {MaxBlockDoubles} doubles per worker; use a smaller block size.");
        (this.tape, code, BlockSize) = (tape, tape.Instructions, blockSize);
    }

    /// <summary>Points per block: each block's slots are columns of this length.</summary>
    public int BlockSize { get; }

    /// <summary>The first output at each point (a row of <paramref name="points"/> per point, a column per input).</summary>
    public Vector<double> Evaluate(Matrix<double> points)
    {
        var values = Vector<double>.Build.Dense(points.RowCount);
        Run(points, values, null);
        return values;
    }

    /// <summary>The value of the (single) output and its gradient at each point: gradient row k belongs to point row k.</summary>
    /// <exception cref="InvalidOperationException">The tape has more than one output.</exception>
    public (Vector<double> Values, Matrix<double> Gradients) Gradient(Matrix<double> points)
    {
        var values = Vector<double>.Build.Dense(points.RowCount);
        var gradients = Matrix<double>.Build.Dense(points.RowCount, tape.InputCount);
        Gradient(points, values, gradients);
        return (values, gradients);
    }

    /// <summary>As <see cref="Gradient(Matrix{double})"/>, into dense results the caller owns.</summary>
    /// <exception cref="ArgumentException">A size does not match, or <paramref name="gradients"/> is not dense.</exception>
    public void Gradient(Matrix<double> points, Vector<double> values, Matrix<double> gradients)
    {
        if (tape.OutputCount != 1)
            throw new InvalidOperationException($"Gradient needs a tape with one output; this one has {tape.OutputCount}.");
        if (gradients.RowCount != points.RowCount || gradients.ColumnCount != tape.InputCount)
            throw new ArgumentException($"The gradients matrix is {gradients.RowCount}×{gradients.ColumnCount}; {points.RowCount} points of {tape.InputCount} inputs need {points.RowCount}×{tape.InputCount}.", nameof(gradients));
        Run(points, values, gradients);
    }

    private void Run(Matrix<double> points, Vector<double> values, Matrix<double>? gradients)
    {
        ArgumentNullException.ThrowIfNull(points);
        if (points.ColumnCount != tape.InputCount)
            throw new ArgumentException($"The points matrix has {points.ColumnCount} columns; the tape has {tape.InputCount} inputs (one column each, one row per point).", nameof(points));
        if (values.Count != points.RowCount)
            throw new ArgumentException($"The values vector has {values.Count} entries for {points.RowCount} points.", nameof(values));
        var input = points.AsColumnMajorArray() ?? points.ToColumnMajorArray();
        var output = values.AsArray() ?? throw new ArgumentException("The values vector must be dense.", nameof(values));
        var gradient = gradients is null ? null : gradients.AsColumnMajorArray() ?? throw new ArgumentException("The gradients matrix must be dense.", nameof(gradients));
        int n = points.RowCount, count = (n + BlockSize - 1) / BlockSize;
        Parallel.For(0, count, () => blocks.TryTake(out var b) ? b : new Block(tape, BlockSize), (k, _, block) =>
        {
            int first = k * BlockSize, length = Math.Min(BlockSize, n - first);
            block.Run(code, tape, input, n, first, length, output, gradient);
            return block;
        }, blocks.Add);
    }

    // One worker's buffers: a column of BlockSize per slot for values and adjoints, per operand slot for partials.
    private sealed class Block
    {
        private readonly int size;
        private readonly double[] values, adjoints, partials;
        private readonly NumericFunction?[] partialFunctions;

        public Block(Tape tape, int size)
        {
            this.size = size;
            partialFunctions = tape.PartialFunctions;
            var code = tape.Instructions;
            values = new double[tape.Length * size];
            adjoints = new double[tape.Length * size];
            partials = new double[tape.OperandCount * size];
            for (int i = 0; i < code.Ops.Length; i++) if (code.Ops[i] == OpCode.Constant) Column(values, i).Fill(code.Constants[i]);
            for (int s = 0; s < code.Weights.Length; s++) Column(partials, s).Fill(code.Weights[s]);   // Linear's partials are constant
        }

        private Span<double> Column(double[] buffer, int slot) => buffer.AsSpan(slot * size, size);

        public void Run(Tape.Code code, Tape tape, double[] input, int n, int first, int length, double[] output, double[]? gradient)
        {
            for (int j = 0; j < tape.InputCount; j++) input.AsSpan(j * n + first, length).CopyTo(Column(values, j));
            bool withPartials = gradient is not null;
            for (int i = tape.InputCount; i < code.Ops.Length; i++) Forward(code, i, length, withPartials);
            Column(values, tape.OutputSlots[0])[..length].CopyTo(output.AsSpan(first, length));
            if (gradient is null) return;

            Array.Clear(adjoints);
            Column(adjoints, tape.OutputSlots[0])[..length].Fill(1);
            for (int i = code.Ops.Length - 1; i >= tape.InputCount; i--)
            {
                var adjoint = Column(adjoints, i)[..length];
                for (int s = code.OperandStart[i]; s < code.OperandStart[i] + code.OperandCount[i]; s++)
                {
                    Span<double> target = Column(adjoints, code.Operands[s]), partial = Column(partials, s);
                    for (int p = 0; p < adjoint.Length; p++)
                    {
                        double a = adjoint[p];
                        if (a != 0) target[p] += Tape.Chain(a, partial[p]);   // zero adjoints and zero partials send nothing, as in the interpreter
                    }
                }
            }
            for (int j = 0; j < tape.InputCount; j++) Column(adjoints, j)[..length].CopyTo(gradient.AsSpan(j * n + first, length));
        }

        // Σ w_k·u_k of instruction i into v, in the interpreter's order: from 0, or from the first term.
        private void WeightedSum(Tape.Code code, int i, Span<double> v, bool fromZero)
        {
            int s = code.OperandStart[i];
            if (fromZero) v.Clear();
            else TensorPrimitives.Multiply(Column(values, code.Operands[s])[..v.Length], code.Weights[s], v);
            for (int k = fromZero ? 0 : 1; k < code.OperandCount[i]; k++)
            {
                var u = Column(values, code.Operands[s + k])[..v.Length];
                double w = code.Weights[s + k];
                for (int p = 0; p < v.Length; p++) v[p] += w * u[p];
            }
        }

        // Instruction i over the block: the formulas of Tape.Forward, a column at a time.
        private void Forward(Tape.Code code, int i, int length, bool withPartials)
        {
            int s = code.OperandStart[i], count = code.OperandCount[i];
            var v = Column(values, i)[..length];
            Span<double> U(int k) => Column(values, code.Operands[s + k])[..length];
            Span<double> D(int k) => Column(partials, s + k)[..length];
            switch (code.Ops[i])
            {
                case OpCode.Input or OpCode.Constant:
                    break;
                case OpCode.Linear:
                    WeightedSum(code, i, v, fromZero: count > 2);
                    break;
                case OpCode.SquaredLinear:
                {
                    // L column into v (summed as Forward.cs does), partials (2L)·w, then v = L².
                    WeightedSum(code, i, v, fromZero: count > 1);
                    if (withPartials)
                        for (int k = 0; k < count; k++) { TensorPrimitives.Multiply(v, 2.0, D(k)); TensorPrimitives.Multiply(D(k), code.Weights[s + k], D(k)); }
                    TensorPrimitives.Multiply(v, v, v);
                    break;
                }
                case OpCode.Multiply when count == 2:
                    TensorPrimitives.Multiply(U(0), U(1), v);
                    if (withPartials) { U(1).CopyTo(D(0)); U(0).CopyTo(D(1)); }
                    break;
                case OpCode.Multiply:
                    v.Fill(1);
                    for (int k = 0; k < count; k++) { if (withPartials) v.CopyTo(D(k)); TensorPrimitives.Multiply(v, U(k), v); }
                    if (withPartials)
                        for (int p = 0; p < length; p++)
                        {
                            double suffix = 1;
                            for (int k = count - 1; k >= 0; k--) { D(k)[p] *= suffix; suffix *= U(k)[p]; }
                        }
                    break;
                case OpCode.Square:
                    TensorPrimitives.Multiply(U(0), U(0), v);
                    if (withPartials) TensorPrimitives.Multiply(U(0), 2.0, D(0));
                    break;
                case OpCode.Reciprocal:
                    TensorPrimitives.Divide(1.0, U(0), v);
                    if (withPartials) { TensorPrimitives.Multiply(v, v, D(0)); TensorPrimitives.Negate(D(0), D(0)); }
                    break;
                case OpCode.Sqrt:
                    TensorPrimitives.Sqrt(U(0), v);
                    if (withPartials) TensorPrimitives.Divide(0.5, v, D(0));
                    break;
                case OpCode.PowConstant:
                {
                    double c = code.Constants[i];
                    Span<double> u = U(0), d = D(0);
                    for (int p = 0; p < length; p++)
                    {
                        v[p] = Formulas.Pow(u[p], c);
                        if (withPartials) d[p] = Formulas.PowBasePartial(u[p], c);
                    }
                    break;
                }
                case OpCode.Pow:
                {
                    Span<double> bases = U(0), exponents = U(1), d0 = D(0), d1 = D(1);
                    for (int p = 0; p < length; p++)
                    {
                        double a = bases[p], b = exponents[p];
                        v[p] = Formulas.Pow(a, b);
                        if (withPartials) { d0[p] = Formulas.PowBasePartial(a, b); d1[p] = Formulas.PowExponentPartial(a, v[p]); }
                    }
                    break;
                }
                case OpCode.Call when count == 1:
                {
                    var (evaluate, derivative) = (code.Primitives[i]!.Evaluate, partialFunctions[s]!);
                    Span<double> u = U(0), d = D(0), arg = stackalloc double[1];
                    for (int p = 0; p < length; p++)
                    {
                        arg[0] = u[p];
                        v[p] = evaluate(arg);
                        if (withPartials) d[p] = derivative(arg);
                    }
                    break;
                }
                case OpCode.Call:
                {
                    var evaluate = code.Primitives[i]!.Evaluate;
                    Span<double> args = stackalloc double[count];
                    for (int p = 0; p < length; p++)
                    {
                        for (int k = 0; k < count; k++) args[k] = U(k)[p];
                        v[p] = evaluate(args);
                        if (withPartials) for (int k = 0; k < count; k++) D(k)[p] = partialFunctions[s + k]!(args);
                    }
                    break;
                }
                default:   // never silent: an opcode without a rule here would leave its values and partials zero
                    throw new InvalidOperationException($"The batched tape has no rule for {code.Ops[i]}.");
            }
        }
    }
}
