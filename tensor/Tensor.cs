// Define-by-run autograd in the PyTorch style: a Tensor (an N-dimensional array of doubles) that
// remembers the operation which produced it, when any input requires grad. The record of that
// operation is data (an Op, its inputs, a constant), not a closure; Backward walks the records in
// reverse creation order and applies each op's vector-Jacobian product, written in one switch
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
    private object storage;              // the values (double[], row-major), or the Deferred recipe that computes them (Fusion.cs)
    private readonly int[] shape;
    internal Node? Creator;              // the recorded operation that produced this tensor; null for leaves and untracked values
    internal Tensor? Pending;            // the gradient being accumulated during one backward pass is PendingScale·Pending
    internal double PendingScale = 1;    // kept apart so a chain of scalings (b = 2b, ...) multiplies numbers, not tensors
    private bool ownsPending;            // Pending is this tensor's own buffer (else it may be shared with other inputs)
    private bool retainsGrad;
    private bool ownsGrad;               // Grad is a plain buffer of this tensor's, not a tensor of a recorded graph (createGraph)
    private Tensor? grad;
    private bool gradIsZero;             // ZeroGrad deferred: the owned buffer's contents mean zero; the next backward overwrites it, a read clears it
    private Tensor[]? asInputs;          // [this], shared by every recorded one-input op that reads this tensor

    internal Tensor[] AsInputs => asInputs ??= [this];

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

    /// <summary>The values, row-major; a deferred tensor computes them now.</summary>
    internal double[] Data => storage as double[] ?? Materialize();

    /// <summary>The values if computed, else null (reading them does not compute them).</summary>
    internal double[]? Stored => storage as double[];

    /// <summary>The recipe of a deferred tensor, null once computed.</summary>
    internal Deferred? Recipe => storage as Deferred;

    internal double[] Materialize()
    {
        if (storage is double[] data) return data;
        var recipe = (Deferred)storage;
        var values = Uninitialized(recipe.Count);
        Fusion.Evaluate(recipe, values);
        storage = values;   // the recipe and its operands are no longer needed
        return values;
    }

    internal bool RetainsGrad => retainsGrad;

    /// <summary>The dimensions: empty for a scalar, [n] for a vector, [rows, columns] for a matrix, [batch, rows, columns], and so on.</summary>
    public IReadOnlyList<int> Shape => shape;

    /// <summary>The number of dimensions: 0 for a scalar, 1 for a vector, 2 for a matrix, up to <see cref="MaxRank"/>.</summary>
    public int Rank => shape.Length;

    /// <summary>The number of elements.</summary>
    public int Count => storage is double[] data ? data.Length : ((Deferred)storage).Count;

    /// <summary>
    /// True when gradients flow to or through this tensor: a leaf marked with <see cref="RequiresGrad"/>, or the
    /// result of an operation recorded while an input required grad (never inside <see cref="Autograd.NoGrad"/>, never after <see cref="Detach"/>).
    /// </summary>
    public bool RequiresGradient { get; private set; }

    /// <summary>True for a tensor that no recorded operation produced (created directly, detached, or computed without grad).</summary>
    public bool IsLeaf => Creator is null;

    /// <summary>
    /// The accumulated gradient: null until a backward pass reaches this leaf, then a tensor of the same shape that later
    /// passes add into in place (the same object every time). Non-leaf tensors keep no gradient unless <see cref="RetainGrad"/> was called.
    /// </summary>
    public Tensor? Grad
    {
        get
        {
            if (gradIsZero) ClearDeferred();
            return grad;
        }
    }

    private void ClearDeferred()
    {
        grad!.Data.AsSpan().Clear();
        gradIsZero = false;
    }

    /// <summary>Marks this leaf as a variable whose gradient <see cref="Backward"/> should compute; returns it, for chaining.</summary>
    /// <exception cref="InvalidOperationException">The tensor is not a leaf (gradients of intermediate results are requested with <see cref="RetainGrad"/>).</exception>
    public Tensor RequiresGrad(bool requires = true)
    {
        if (!IsLeaf) throw new InvalidOperationException("RequiresGrad applies to leaf tensors only; this one was computed by a recorded operation (" + Creator!.Name + "). Use RetainGrad() to keep the gradient of an intermediate result.");
        RequiresGradient = requires;
        return this;
    }

    /// <summary>Asks <see cref="Backward"/> to keep this non-leaf tensor's gradient in <see cref="Grad"/> (leaves always keep theirs).</summary>
    public Tensor RetainGrad()
    {
        retainsGrad = true;
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
        if (grad is null) return;
        // Deferred: the next backward writes the buffer instead of adding to it, which saves a pass over
        // memory (zeroing) per call; reading Grad before then clears it, so it always reads as zeros.
        if (ownsGrad) gradIsZero = true;
        else (grad, ownsGrad) = (Zeros(shape), true);
    }

    /// <summary>The same values with no history: a new leaf that does not require grad, sharing this tensor's storage.</summary>
    public Tensor Detach() => new(Data, shape);

    /// <summary>The value of a one-element tensor.</summary>
    /// <exception cref="InvalidOperationException">The tensor has more than one element.</exception>
    public double Item() => Count == 1 ? Data[0] : throw new InvalidOperationException($"Item() needs a tensor with one element; this one has shape {ShapeText(shape)}.");

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
    public static Tensor Scalar(double value) => new([value], []);

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
    internal void Accumulate(Tensor gradient, double scale = 1)
    {
        if (Pending is null) { (Pending, PendingScale, ownsPending) = (gradient, scale, false); return; }   // may be the very tensor another input received
        var current = TakePending()!;
        var added = scale == 1 ? gradient : gradient * scale;
        if (ownsPending && !Autograd.IsRecording) current.AddInPlace(added);
        else (Pending, ownsPending) = (current + added, true);   // out of place: recorded with createGraph, and never writes a shared buffer
    }

    // The pending gradient as one tensor (its scale applied).
    internal Tensor? TakePending()
    {
        if (Pending is not null && PendingScale != 1) (Pending, PendingScale, ownsPending) = (Pending * PendingScale, 1, true);
        return Pending;
    }

    internal void ClearPending() => (Pending, PendingScale) = (null, 1);

    internal bool KeepsGrad => IsLeaf ? RequiresGradient : retainsGrad;

    // Grad += scale·gradient (or += outer(gradient, outerWith)), in the leaf's own buffer (created at the first pass);
    // after a deferred ZeroGrad, = instead of +=.
    internal void AccumulateGrad(Tensor gradient, double scale, Tensor? outerWith)
    {
        var target = OwnGrad().Data;
        bool overwrite = gradIsZero;
        gradIsZero = false;
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
        else if (target.Length == 1) target[0] = (overwrite ? 0 : target[0]) + scale * gradient.Data[0];
        else if (gradient.Count == 1)
        {
            if (overwrite) target.AsSpan().Fill(scale * gradient.Data[0]);
            else System.Numerics.Tensors.TensorPrimitives.Add(target, scale * gradient.Data[0], target);
        }
        else if (overwrite) System.Numerics.Tensors.TensorPrimitives.Multiply(gradient.Data, scale, target);
        else if (scale == 1) System.Numerics.Tensors.TensorPrimitives.Add(target, gradient.Data, target);
        else System.Numerics.Tensors.TensorPrimitives.MultiplyAdd(gradient.Data, scale, target, target);
    }

    internal void StoreGrad(Tensor gradient, bool createGraph)
    {
        if (gradIsZero && (createGraph || gradient.Count != grad!.Count)) ClearDeferred();
        if (createGraph) (grad, ownsGrad) = (grad is null ? gradient : grad + gradient, false);   // recorded, out of place
        else if (grad is null) (grad, ownsGrad) = (gradient.Copy(), true);
        else if (gradIsZero)
        {
            gradient.Data.CopyTo(grad.Data);
            gradIsZero = false;
        }
        else OwnGrad().AddInPlace(gradient);
    }

    // The gradient buffer to add into directly (fused backward, Fusion.cs): this leaf's own, zeros after a deferred ZeroGrad.
    internal double[] GradientBuffer()
    {
        var target = OwnGrad().Data;
        if (gradIsZero) Array.Clear(target);
        gradIsZero = false;
        return target;
    }

    // The gradient buffer, made this tensor's own first if it is missing or belongs to a recorded graph.
    private Tensor OwnGrad()
    {
        if (grad is null || !ownsGrad) (grad, ownsGrad) = (grad?.Copy() ?? Zeros(shape), true);
        return grad;
    }

    internal Tensor Copy() => new((double[])Data.Clone(), shape);

    private void AddInPlace(Tensor other)
    {
        if (Count == 1) Data[0] += other.Data[0];
        else if (other.Count == Count) System.Numerics.Tensors.TensorPrimitives.Add(Data, other.Data, Data);
        else System.Numerics.Tensors.TensorPrimitives.Add(Data, other.Data[0], Data);
    }

    internal void MarkRecorded(Node creator)
    {
        Creator = creator;
        RequiresGradient = true;
    }
}
