// Define-by-run autograd in the PyTorch style: a Tensor (an N-dimensional array of doubles) that
// remembers the operation which produced it, when any input requires grad. The record of that
// operation is data in the tensor itself (an Op, its inputs, a constant), not a closure; Backward walks
// the records deepest first and applies each op's vector-Jacobian product, written in one switch
// (Autograd.cs) with tensor operations, so that with createGraph the gradient is itself recorded
// and can be differentiated again. Values are row-major double arrays; kernels use TensorPrimitives.
using System.Globalization;
using MathNet.Numerics.LinearAlgebra;
using Hybrid.Tapes;

namespace Hybrid.Tensors;

/// <summary>
/// An N-dimensional array of doubles (a scalar, a vector, a matrix, a batch of matrices, ...) that records the operations applied to it for reverse-mode
/// differentiation when it (or an input) requires grad: <c>x.RequiresGrad(); var y = 2 * Tensor.Dot(x, x); y.Backward();</c> then <c>x.Grad</c> is 4x.
/// </summary>
public sealed partial class Tensor
{
    // One object per tensor, and so per recorded operation (W4 records 25 operations on scalars per repetition): the
    // values, the shape and the record of the operation that produced the tensor are all fields of this class. A
    // scalar's value is a field too, not a one-element array. The fields fill 80 bytes with the object header; the
    // rarer parts of a record (an index map, a position, three or more inputs) and a gradient's state are objects of
    // their own. During a backward pass, each tensor's pending gradient lives in the pass's buffers (Autograd.cs).
    private object? storage;             // the values (double[], row-major), the Deferred recipe that computes them (Fusion.cs), or null: a scalar in `scalar`
    private readonly int[] shape;
    private double scalar;               // the value of a scalar while storage is null
    internal Op Op;                      // the recorded operation that produced this tensor; Op.None for leaves and untracked values
    private Flags flags;
    internal int Slot;                   // during a backward pass: 1 + this tensor's entry in the pass's buffers; 0 otherwise
    internal Tensor? First;              // the recorded operation's first input
    private object? rest;                // recorded: the second input (Tensor), a one-input Call's function (Elementwise) or Details; a leaf: its GradState
    internal double Constant;            // Power: the exponent; Affine: the scale
    internal int Depth;                  // 1 + the largest depth of the recorded operation's inputs (0: a leaf): deepest first goes backward

    [Flags]
    private enum Flags : byte { RequiresGradient = 1, RetainsGrad = 2, Freed = 4, Visited = 8 }

    /// <summary>The rarer parts of a record: three or more inputs (or a Call's several), an index map, a position, an Affine's shift.</summary>
    internal sealed class Details
    {
        public Tensor[]? Inputs { get; init; }          // Cat, a Call of several arguments: every input, First included
        public Elementwise? Function { get; init; }     // Call: the scalar function applied (a row, or a derivative of one)
        public int[]? Map { get; init; }                // Gather: the source position of each result element; ScatterAdd: the result position of each source element
        public int Position { get; init; }              // Index, Scatter, Slice, Pad: the (first) flat position; Cat: the dimension
        public double Shift { get; init; }              // Affine: the constant added
    }

    // A gradient kept across passes: a leaf's (held in `rest`) or a retained intermediate's (in a side table: rare).
    private sealed class GradState
    {
        public Tensor? Value;
        public bool Owned;                  // a plain buffer of this tensor's, not a tensor of a recorded graph (createGraph)
        public bool IsZero;                 // ZeroGrad deferred: the owned buffer's contents mean zero; the next backward overwrites it, a read clears it
    }

    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<Tensor, GradState> retainedGrads = new();

    internal Tensor(double[] data, int[] shape)
    {
        storage = data;
        this.shape = shape;
    }

    // A deferred elementwise result: its values are computed when first read.
    internal Tensor(Deferred recipe, int[] shape)
    {
        storage = recipe;
        this.shape = shape;
    }

    // A scalar, its value held in a field.
    internal Tensor(double value)
    {
        scalar = value;
        shape = [];
    }

    /// <summary>The values, row-major; a deferred tensor computes them now, a scalar puts its value in an array.</summary>
    internal double[] Data => storage as double[] ?? Materialize();

    /// <summary>The first value (a scalar's value) without making an array for a scalar.</summary>
    internal double FirstValue => storage is null ? scalar : Data[0];

    /// <summary>The values if computed (a scalar's in an array), else null: reading them does not compute a deferred tensor.</summary>
    internal double[]? Stored => storage is null ? Data : storage as double[];

    /// <summary>The recipe of a deferred tensor, null once computed.</summary>
    internal Deferred? Recipe => storage as Deferred;

    internal double[] Materialize()
    {
        if (storage is double[] data) return data;
        if (storage is null) return (double[])(storage = new[] { scalar });
        var recipe = (Deferred)storage;
        var values = Uninitialized(recipe.Count);
        Fusion.Evaluate(recipe, values);
        storage = values;   // the recipe and its operands are no longer needed
        return values;
    }

    // The record. -------------------------------------------------------------------------------

    /// <summary>True when a recorded operation produced this tensor.</summary>
    internal bool IsRecorded => Op != Op.None;

    /// <summary>The recorded operation's second input, for the ops of two.</summary>
    internal Tensor? Second => rest as Tensor;

    /// <summary>The recorded operation's number of inputs.</summary>
    internal int InputCount => rest is Details { Inputs: { } all } ? all.Length : rest is Tensor ? 2 : 1;

    /// <summary>The recorded operation's inputs (a new array for the ops of one or two inputs).</summary>
    internal Tensor[] Inputs => rest is Details { Inputs: { } all } ? all : rest is Tensor second ? [First!, second] : [First!];

    /// <summary>The recorded input <paramref name="k"/>.</summary>
    internal Tensor Input(int k) => rest is Details { Inputs: { } all } ? all[k] : k == 0 ? First! : (Tensor)rest!;

    internal Elementwise? Function => rest as Elementwise ?? (rest as Details)?.Function;
    internal int[]? IndexMap => (rest as Details)?.Map;
    internal int Position => (rest as Details)?.Position ?? 0;
    internal double Shift => (rest as Details)?.Shift ?? 0;

    /// <summary>Set by a backward pass that did not retain the graph: its saved values are gone.</summary>
    internal bool Freed
    {
        get => (flags & Flags.Freed) != 0;
        set => flags = value ? flags | Flags.Freed : flags & ~Flags.Freed;
    }

    /// <summary>Reached by the search of the backward pass under way.</summary>
    internal bool Visited
    {
        get => (flags & Flags.Visited) != 0;
        set => flags = value ? flags | Flags.Visited : flags & ~Flags.Visited;
    }

    // Makes this new result the record of op applied to first (and what rest holds).
    internal Tensor Recorded(Op op, Tensor first, object? rest, double constant = 0)
    {
        (Op, First, this.rest, Constant) = (op, first, rest, constant);
        int depth = first.Depth;
        if (rest is Tensor second) depth = Math.Max(depth, second.Depth);
        else if (rest is Details { Inputs: { } all }) foreach (var input in all) depth = Math.Max(depth, input.Depth);
        Depth = checked(depth + 1);
        flags |= Flags.RequiresGradient;
        return this;
    }

    // For messages: what the user wrote (the row's name, not "Call"; Sqrt, not a power of 1/2; x * 2 is a Multiply,
    // x + 1 an Add, 1 - x a Subtract, not the Affine op that computes all three).
    internal string OpName => Op switch
    {
        Op.Call => Function!.Name,
        Op.Power when Constant == 0.5 => "Sqrt",
        Op.Affine when Shift == 0 => "Multiply",
        Op.Affine when Constant == 1 => "Add",
        Op.Affine when Constant == -1 => "Subtract",
        _ => Op.ToString(),
    };

    internal bool RetainsGrad => (flags & Flags.RetainsGrad) != 0;

    /// <summary>The dimensions: empty for a scalar, [n] for a vector, [rows, columns] for a matrix, [batch, rows, columns], and so on.</summary>
    public IReadOnlyList<int> Shape => shape;

    /// <summary>The number of dimensions: 0 for a scalar, 1 for a vector, 2 for a matrix, up to <see cref="MaxRank"/>.</summary>
    public int Rank => shape.Length;

    /// <summary>The number of elements.</summary>
    public int Count => storage is null ? 1 : storage is double[] data ? data.Length : ((Deferred)storage).Count;   // a scalar first: no type test

    /// <summary>
    /// True when gradients flow to or through this tensor: a leaf marked with <see cref="RequiresGrad"/>, or the
    /// result of an operation recorded while an input required grad (never inside <see cref="Autograd.NoGrad"/>, never after <see cref="Detach"/>).
    /// </summary>
    public bool RequiresGradient => (flags & Flags.RequiresGradient) != 0;

    /// <summary>True for a tensor that no recorded operation produced (created directly, detached, or computed without grad).</summary>
    public bool IsLeaf => Op == Op.None;

    /// <summary>
    /// The accumulated gradient: null until a backward pass reaches this leaf, then a tensor of the same shape that later
    /// passes add into in place (the same object every time). Non-leaf tensors keep no gradient unless <see cref="RetainGrad"/> was called.
    /// </summary>
    public Tensor? Grad
    {
        get
        {
            if (Grads is not { } state) return null;
            if (state.IsZero) ClearDeferred(state);
            return state.Value;
        }
    }

    private static void ClearDeferred(GradState state)
    {
        state.Value!.Data.AsSpan().Clear();
        state.IsZero = false;
    }

    // This tensor's kept gradient, if it has one; GradStateForWriting makes it.
    private GradState? Grads => IsLeaf ? rest as GradState : RetainsGrad && retainedGrads.TryGetValue(this, out var state) ? state : null;

    private GradState GradStateForWriting => IsLeaf ? (GradState)(rest ??= new GradState()) : retainedGrads.GetValue(this, _ => new GradState());

    /// <summary>Marks this leaf as a variable whose gradient <see cref="Backward"/> should compute; returns it, for chaining.</summary>
    /// <exception cref="InvalidOperationException">The tensor is not a leaf (gradients of intermediate results are requested with <see cref="RetainGrad"/>).</exception>
    public Tensor RequiresGrad(bool requires = true)
    {
        if (!IsLeaf) throw new InvalidOperationException("RequiresGrad applies to leaf tensors only; this one was computed by a recorded operation (" + OpName + "). Use RetainGrad() to keep the gradient of an intermediate result.");
        flags = requires ? flags | Flags.RequiresGradient : flags & ~Flags.RequiresGradient;
        return this;
    }

    /// <summary>Asks <see cref="Backward"/> to keep this non-leaf tensor's gradient in <see cref="Grad"/> (leaves always keep theirs).</summary>
    public Tensor RetainGrad()
    {
        flags |= Flags.RetainsGrad;
        return this;
    }

    /// <summary>
    /// Reverse mode from this tensor: adds the gradient of this output with respect to every leaf that requires grad into that
    /// leaf's <see cref="Grad"/>. A non-scalar output needs <paramref name="gradient"/> (the vector in the vector-Jacobian product).
    /// The graph is freed afterwards unless <paramref name="retainGraph"/>; with <paramref name="createGraph"/> the gradients are
    /// recorded too and can be differentiated again (this implies retaining the graph).
    /// </summary>
    /// <exception cref="InvalidOperationException">This tensor does not require grad, is not scalar and no gradient was given, or the graph was freed by an earlier backward.</exception>
    public void Backward(Tensor? gradient = null, bool retainGraph = false, bool createGraph = false) =>
        Autograd.Run([this], gradient is null ? null : [gradient], retainGraph || createGraph, createGraph, targets: null);

    /// <summary>
    /// Clears <see cref="Grad"/> in place (the buffer is kept and reused). A gradient that is part of a recorded graph
    /// (from <c>createGraph</c>) is replaced by a plain zero buffer instead, so the graph's values stay intact.
    /// </summary>
    public void ZeroGrad()
    {
        if (Grads is not { Value: not null } state) return;
        // Deferred: the next backward writes the buffer instead of adding to it, which saves a pass over
        // memory (zeroing) per call; reading Grad before then clears it, so it always reads as zeros.
        if (state.Owned) state.IsZero = true;
        else (state.Value, state.Owned) = (Zeros(shape), true);
    }

    /// <summary>The same values with no history: a new leaf that does not require grad, sharing this tensor's storage (a scalar's value is copied).</summary>
    public Tensor Detach() => storage is null ? new(scalar) : new(Data, shape);

    /// <summary>The value of a one-element tensor.</summary>
    /// <exception cref="InvalidOperationException">The tensor has more than one element.</exception>
    public double Item() => Count == 1 ? FirstValue : throw new InvalidOperationException($"Item() needs a tensor with one element; this one has shape {ShapeText(shape)}.");

    /// <summary>The value of a one-element tensor, for control flow: <c>if ((double)t.Sum() &gt; 0)</c>.</summary>
    public static explicit operator double(Tensor t) => t.Item();

    /// <summary>A copy of the values, row-major (the last dimension varies fastest).</summary>
    public double[] ToArray() => (double[])Data.Clone();

    /// <summary>The values as a MathNet vector (a copy).</summary>
    public Vector<double> ToVector() => Vector<double>.Build.DenseOfArray(ToArray());

    /// <summary>A matrix tensor as a MathNet matrix (a copy).</summary>
    /// <exception cref="InvalidOperationException">The tensor is not a matrix.</exception>
    public Matrix<double> ToMatrix() => Rank == 2
        ? Matrix<double>.Build.Dense(shape[0], shape[1], (i, j) => Data[i * shape[1] + j])
        : throw new InvalidOperationException($"ToMatrix needs a matrix; this tensor has shape {ShapeText(shape)}.");

    // Creation ---------------------------------------------------------------------------------

    /// <summary>A scalar.</summary>
    public static Tensor Scalar(double value) => new(value);

    /// <summary>A vector holding a copy of <paramref name="values"/>.</summary>
    public static Tensor FromArray(params double[] values) => new((double[])values.Clone(), [values.Length]);

    /// <summary>A matrix holding a copy of <paramref name="values"/>.</summary>
    public static Tensor FromArray(double[,] values)
    {
        int rows = values.GetLength(0), columns = values.GetLength(1);
        var data = new double[rows * columns];
        for (int i = 0; i < rows; i++) for (int j = 0; j < columns; j++) data[i * columns + j] = values[i, j];
        return new(data, [rows, columns]);
    }

    /// <summary>A vector copied from a MathNet vector.</summary>
    public static Tensor From(Vector<double> vector) => new(vector.ToArray(), [vector.Count]);

    /// <summary>A matrix copied from a MathNet matrix.</summary>
    public static Tensor From(Matrix<double> matrix) => new(matrix.ToRowMajorArray(), [matrix.RowCount, matrix.ColumnCount]);

    /// <summary>The vector [0, 1, ..., n − 1], as PyTorch's <c>arange</c>.</summary>
    public static Tensor Arange(int n)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        return new(Enumerable.Range(0, n).Select(i => (double)i).ToArray(), [n]);
    }

    /// <summary>Zeros of the given shape (no dimensions: a scalar; one: a vector; two: a matrix; any number up to <see cref="MaxRank"/>).</summary>
    public static Tensor Zeros(params int[] shape) => new(new double[CheckedCount(shape)], (int[])shape.Clone());

    /// <summary>Ones of the given shape.</summary>
    public static Tensor Ones(params int[] shape) => Full(1, shape);

    /// <summary>The value everywhere, in the given shape.</summary>
    public static Tensor Full(double value, params int[] shape)
    {
        var data = new double[CheckedCount(shape)];
        Array.Fill(data, value);
        return new(data, (int[])shape.Clone());
    }

    /// <summary>Uniform values in [0, 1) from a seeded generator, so runs repeat.</summary>
    public static Tensor Random(int seed, params int[] shape)
    {
        var random = new Random(seed);
        var data = new double[CheckedCount(shape)];
        for (int i = 0; i < data.Length; i++) data[i] = random.NextDouble();
        return new(data, (int[])shape.Clone());
    }

    /// <summary>Ones in the shape of <paramref name="like"/>.</summary>
    public static Tensor OnesLike(Tensor like) => Full(1, like.shape);

    /// <summary>Zeros in the shape of <paramref name="like"/>.</summary>
    public static Tensor ZerosLike(Tensor like) => Zeros(like.shape);

    /// <summary>The largest number of elements one tensor may hold.</summary>
    public const int MaxCount = 1 << 28;

    /// <summary>The largest number of dimensions of one tensor (PyTorch's limit too).</summary>
    public const int MaxRank = Shapes.MaxRank;

    private static int CheckedCount(int[] shape)
    {
        ArgumentNullException.ThrowIfNull(shape);
        if (shape.Length > MaxRank) throw new ArgumentException($"Tensors have at most {MaxRank} dimensions; this shape has {shape.Length}.", nameof(shape));
        long count = 1;
        foreach (var n in shape)
        {
            if (n < 0) throw new ArgumentException($"Shape {ShapeText(shape)} has a negative dimension.", nameof(shape));
            count *= n;
            if (count > MaxCount) throw new ArgumentException($"Shape {ShapeText(shape)} has more than {MaxCount} elements (the limit of one tensor).", nameof(shape));
        }
        return (int)count;
    }

    internal static string ShapeText(IReadOnlyList<int> shape) => "[" + string.Join(", ", shape) + "]";

    internal bool SameShape(Tensor other) => shape.AsSpan().SequenceEqual(other.shape);

    internal int[] ShapeArray => shape;

    /// <summary>The largest number of elements <see cref="ToString"/> prints in full; larger tensors are summarized, as PyTorch does.</summary>
    public const int PrintLimit = 1000;

    /// <summary>The values, shaped as PyTorch prints them: <c>tensor([0, 4, 8, 12])</c>; past <see cref="PrintLimit"/> elements, the first and last three of each dimension around "...".</summary>
    public override string ToString()
    {
        // Whole numbers in full below 10^15 (1638400, not 1.6384E+06, as PyTorch writes 1638400.); others to 6 digits.
        static string F(double v) => Math.Abs(v) < 1e15 && v == Math.Floor(v) ? ((long)v).ToString(CultureInfo.InvariantCulture) : v.ToString("G6", CultureInfo.InvariantCulture);
        bool summarize = Count > PrintLimit;
        var strides = Shapes.Strides(shape);
        IEnumerable<int> Indices(int length) => summarize && length > 6 ? [0, 1, 2, -1, length - 3, length - 2, length - 1] : Enumerable.Range(0, length);
        string Block(int dim, int start) => "[" + string.Join(", ", Indices(shape[dim]).Select(k =>
            k < 0 ? "..." : dim == Rank - 1 ? F(Data[start + k]) : Block(dim + 1, start + k * strides[dim]))) + "]";
        return "tensor(" + (Rank == 0 ? F(Data[0]) : Block(0, 0)) + ")";
    }

    // Gradient bookkeeping used by Autograd.Backward.
    internal bool KeepsGrad => IsLeaf ? RequiresGradient : RetainsGrad;

    // Grad += scale·gradient (or += outer(gradient, outerWith)), in the leaf's own buffer (created at the first pass);
    // after a deferred ZeroGrad, = instead of +=.
    internal void AccumulateGrad(Tensor gradient, double scale, Tensor? outerWith)
    {
        var state = GradStateForWriting;
        var target = OwnGrad(state).Data;
        bool overwrite = state.IsZero;
        state.IsZero = false;
        if (outerWith is not null)
        {
            int n = outerWith.Count;
            for (int i = 0; i < gradient.Count; i++)
            {
                var row = target.AsSpan(i * n, n);
                if (overwrite) System.Numerics.Tensors.TensorPrimitives.Multiply(outerWith.Data, gradient.Data[i], row);
                else System.Numerics.Tensors.TensorPrimitives.MultiplyAdd(outerWith.Data, gradient.Data[i], row, row);
            }
        }
        else if (target.Length == 1) target[0] = (overwrite ? 0 : target[0]) + scale * gradient.FirstValue;
        else if (gradient.Count == 1)
        {
            if (overwrite) target.AsSpan().Fill(scale * gradient.FirstValue);
            else System.Numerics.Tensors.TensorPrimitives.Add(target, scale * gradient.FirstValue, target);
        }
        else if (overwrite) System.Numerics.Tensors.TensorPrimitives.Multiply(gradient.Data, scale, target);
        else if (scale == 1) System.Numerics.Tensors.TensorPrimitives.Add(target, gradient.Data, target);
        else System.Numerics.Tensors.TensorPrimitives.MultiplyAdd(gradient.Data, scale, target, target);
    }

    internal void StoreGrad(Tensor gradient, bool createGraph)
    {
        var state = GradStateForWriting;
        if (state.IsZero && (createGraph || gradient.Count != state.Value!.Count)) ClearDeferred(state);
        if (createGraph) (state.Value, state.Owned) = (state.Value is null ? gradient : state.Value + gradient, false);   // recorded, out of place
        else if (state.Value is null) (state.Value, state.Owned) = (gradient.Copy(), true);
        else if (state.IsZero)
        {
            gradient.Data.CopyTo(state.Value.Data);
            state.IsZero = false;
        }
        else OwnGrad(state).AddInPlace(gradient);
    }

    // The gradient buffer to add into directly (fused backward, Fusion.cs): this leaf's own, zeros after a deferred ZeroGrad.
    internal double[] GradientBuffer()
    {
        var state = GradStateForWriting;
        var target = OwnGrad(state).Data;
        if (state.IsZero) Array.Clear(target);
        state.IsZero = false;
        return target;
    }

    // The gradient buffer, made this tensor's own first if it is missing or belongs to a recorded graph.
    private Tensor OwnGrad(GradState state)
    {
        if (state.Value is null || !state.Owned) (state.Value, state.Owned) = (state.Value?.Copy() ?? Zeros(shape), true);
        return state.Value;
    }

    internal Tensor Copy() => new((double[])Data.Clone(), shape);

    internal void AddInPlace(Tensor other)
    {
        if (Count == 1) Data[0] += other.FirstValue;
        else if (other.Count == Count) System.Numerics.Tensors.TensorPrimitives.Add(Data, other.Data, Data);
        else System.Numerics.Tensors.TensorPrimitives.Add(Data, other.FirstValue, Data);
    }
}
