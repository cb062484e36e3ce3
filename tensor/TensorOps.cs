// The operations on tensors: each computes its values with a TensorPrimitives kernel (or a plain
// loop) and, when grad mode is on and an input requires grad, records the op, its inputs and its
// constant in the result (Tensor.cs). Each op's backward rule is in Autograd.Backward, in one switch. Functions (exp,
// sin, erf, ...) are not ops of their own: one op, Call, applies any row of the primitive table, with
// the row's vector kernel where it has one, its numeric partials and its conventions at kinks.
using Hybrid.Symbolic;
using Hybrid.Tapes;
using TP = System.Numerics.Tensors.TensorPrimitives;

namespace Hybrid.Tensors;

/// <summary>The operations a <see cref="Tensor"/> records.</summary>
internal enum Op : byte
{
    None,   // not recorded: a leaf or an untracked value
    Add, Subtract, Multiply, Divide, PowerOf, Affine, Negate, Power,
    Call, Sum, Norm, Expand, Dot, MatMul, Outer, Transpose, Index, Scatter, Slice, Pad,
    Reshape, Gather, ScatterAdd, Cat, BatchMatMul,
}

public sealed partial class Tensor
{
    // Up to this many elements, elementwise operations run a plain loop instead of a TensorPrimitives kernel.
    internal const int SmallCount = 16;

    // A result buffer that the kernel overwrites entirely: skipping the zeroing matters for large tensors
    // (small ones take the ordinary path, which is cheaper than the runtime's size check).
    private static double[] Uninitialized(int count) => count < 1024 ? new double[count] : GC.AllocateUninitializedArray<double>(count);

    // Records the op producing result (into result itself) when grad mode is on and an input requires grad.
    private static Tensor Record(Tensor result, Op op, Tensor input, double constant = 0, int position = 0, double shift = 0, int[]? map = null) =>
        Autograd.IsRecording && input.RequiresGradient
            ? result.Recorded(op, input, position == 0 && shift == 0 && map is null ? null : new Details { Position = position, Shift = shift, Map = map }, constant)
            : result;

    private static Tensor Record(Tensor result, Op op, Tensor[] inputs, int position) =>
        Autograd.IsRecording && inputs.Any(t => t.RequiresGradient) ? result.Recorded(op, inputs[0], new Details { Inputs = inputs, Position = position }) : result;

    private static Tensor Record(Tensor result, Op op, Tensor a, Tensor b) =>
        Autograd.IsRecording && (a.RequiresGradient || b.RequiresGradient) ? result.Recorded(op, a, b) : result;

    private static Tensor Record(Tensor result, Op op, Tensor[] inputs, Elementwise function) =>
        Autograd.IsRecording && inputs.Any(t => t.RequiresGradient)
            ? result.Recorded(op, inputs[0], inputs.Length == 1 ? function : new Details { Inputs = inputs, Function = function })
            : result;

    // scale·a + shift with constant scale and shift: a·c, a + c, c − a, −a without a tensor for the constant.
    private static Tensor Affine(Tensor a, double scale, double shift)
    {
        ArgumentNullException.ThrowIfNull(a);
        if (a.Rank == 0) return Record(new Tensor(scale * a.FirstValue + shift), Op.Affine, a, constant: scale, shift: shift);
        if (Fusion.Defer(Op.Affine, a, null, a.shape, a.Count, scale, shift) is { } deferred) return Record(deferred, Op.Affine, a, constant: scale, shift: shift);
        var data = Uninitialized(a.Count);
        if (data.Length <= SmallCount) for (int i = 0; i < data.Length; i++) data[i] = scale * a.Data[i] + shift;
        else Fusion.Kernel(Op.Affine, a, null, data, scale, shift);
        return Record(new Tensor(data, a.shape), Op.Affine, a, constant: scale, shift: shift);
    }

    // Elementwise binary operations. Equal shapes and a scalar on either side run the kernels directly; other shapes
    // broadcast (NumPy's rule) by expanding the operands first, as recorded ops, so the gradient of a broadcast
    // operand is summed back to its shape by Expand's own backward rule.
    private static Tensor Binary(Op op, Tensor a, Tensor b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        if (!a.SameShape(b) && a.Rank != 0 && b.Rank != 0)
        {
            var common = Shapes.Broadcast(op.ToString(), a.shape, b.shape);
            (a, b) = (a.Expand(common), b.Expand(common));
        }
        int[] resultShape = a.Rank == 0 ? b.shape : a.shape;
        if (resultShape.Length == 0) return Record(new Tensor(BinaryValue(op, a.FirstValue, b.FirstValue)), op, a, b);
        int count = resultShape == a.shape ? a.Count : b.Count;
        if (op != Op.PowerOf && Fusion.Defer(op, a, b, resultShape, count) is { } deferred) return Record(deferred, op, a, b);
        var data = Uninitialized(count);
        // A plain loop on a few elements (cheaper than a kernel call) and for PowerOf (no kernel); else the kernels fused
        // chunks run too: the same numbers.
        if (data.Length <= SmallCount || op == Op.PowerOf)
            for (int i = 0; i < data.Length; i++) data[i] = BinaryValue(op, a.Data[a.Count == 1 ? 0 : i], b.Data[b.Count == 1 ? 0 : i]);
        else Fusion.Kernel(op, a, b, data);
        return Record(new Tensor(data, resultShape), op, a, b);
    }

    private static double BinaryValue(Op op, double x, double y) => op switch
    {
        Op.Add => x + y, Op.Subtract => x - y, Op.Multiply => x * y, Op.Divide => x / y, Op.PowerOf => Math.Pow(x, y),
        _ => throw new InvalidOperationException($"{op} is not a binary elementwise operation."),
    };

    // a^c elementwise (c = 1/2 through Math.Sqrt, as the tape's Sqrt instruction), or −a.
    private static Tensor Unary(Op op, Tensor a, double constant = 0)
    {
        ArgumentNullException.ThrowIfNull(a);
        if (a.Rank == 0) return Record(new Tensor(UnaryValue(op, a.FirstValue, constant)), op, a, constant);
        if (Fusion.Defer(op, a, null, a.shape, a.Count, constant) is { } deferred) return Record(deferred, op, a, constant);
        var data = Uninitialized(a.Count);
        if (data.Length > SmallCount) Fusion.Kernel(op, a, null, data, constant);
        else   // a plain loop: cheaper than a kernel call on a few elements
            for (int i = 0; i < data.Length; i++) data[i] = UnaryValue(op, a.Data[i], constant);
        return Record(new Tensor(data, a.shape), op, a, constant);
    }

    private static double UnaryValue(Op op, double x, double constant) => op == Op.Negate ? -x : constant == 0.5 ? Math.Sqrt(x) : Math.Pow(x, constant);

    // A one-argument row elementwise: its vector kernel on large tensors, else its scalar function per element.
    private static Tensor Call(Primitive row, Tensor a)
    {
        ArgumentNullException.ThrowIfNull(a);
        Span<double> arg = stackalloc double[1];
        if (a.Rank == 0)
        {
            arg[0] = a.FirstValue;
            return RecordCall(new Tensor(row.Evaluate(arg)), a, row);
        }
        if (row.VectorEvaluate is not null && Fusion.Defer(Op.Call, a, null, a.shape, a.Count, row: row) is { } deferred) return RecordCall(deferred, a, row);
        var data = Uninitialized(a.Count);
        if (row.VectorEvaluate is { } kernel && data.Length > SmallCount) kernel(a.Data, data);
        else for (int i = 0; i < data.Length; i++) { arg[0] = a.Data[i]; data[i] = row.Evaluate(arg); }
        return RecordCall(new Tensor(data, a.shape), a, row);
    }

    private static Tensor RecordCall(Tensor result, Tensor a, Primitive row) =>
        Autograd.IsRecording && a.RequiresGradient ? result.Recorded(Op.Call, a, Elementwise.Of(row)) : result;

    /// <summary>Elementwise sum (a scalar on either side broadcasts).</summary>
    public static Tensor operator +(Tensor a, Tensor b) => Binary(Op.Add, a, b);
    /// <summary>Elementwise difference.</summary>
    public static Tensor operator -(Tensor a, Tensor b) => Binary(Op.Subtract, a, b);
    /// <summary>Elementwise product (not the matrix product: see <see cref="MatMul"/>).</summary>
    public static Tensor operator *(Tensor a, Tensor b) => Binary(Op.Multiply, a, b);
    /// <summary>Elementwise quotient.</summary>
    public static Tensor operator /(Tensor a, Tensor b) => Binary(Op.Divide, a, b);
    /// <summary>Adds a constant.</summary>
    public static Tensor operator +(Tensor a, double c) => Affine(a, 1, c);
    /// <summary>Adds to a constant.</summary>
    public static Tensor operator +(double c, Tensor a) => Affine(a, 1, c);
    /// <summary>Subtracts a constant.</summary>
    public static Tensor operator -(Tensor a, double c) => Affine(a, 1, -c);
    /// <summary>Subtracts from a constant.</summary>
    public static Tensor operator -(double c, Tensor a) => Affine(a, -1, c);
    /// <summary>Scales by a constant.</summary>
    public static Tensor operator *(Tensor a, double c) => Affine(a, c, 0);
    /// <summary>Scales by a constant.</summary>
    public static Tensor operator *(double c, Tensor a) => Affine(a, c, 0);
    /// <summary>Divides by a constant.</summary>
    public static Tensor operator /(Tensor a, double c) => Binary(Op.Divide, a, Scalar(c));
    /// <summary>Divides a constant elementwise.</summary>
    public static Tensor operator /(double c, Tensor a) => Binary(Op.Divide, Scalar(c), a);
    /// <summary>Elementwise negation.</summary>
    public static Tensor operator -(Tensor a) => Unary(Op.Negate, a);

    /// <summary>Elementwise a^exponent.</summary>
    public static Tensor Pow(Tensor a, double exponent) => Unary(Op.Power, a, exponent);

    /// <summary>aᵇ elementwise, both tensors (or one a scalar), as torch.pow(a, b); its gradient follows the chain rule's
    /// strong zero, so x^x at 0 has the derivative −∞ as on the tape, not NaN.</summary>
    public static Tensor Pow(Tensor a, Tensor b) => Binary(Op.PowerOf, a, b);
    // The named functions: one row of the primitive table each (Apply reaches every row, registered ones too).

    /// <summary>Elementwise e^a.</summary>
    public static Tensor Exp(Tensor a) => Apply(Primitives.Exp, a);
    /// <summary>Elementwise natural logarithm (NaN below 0, as System.Math).</summary>
    public static Tensor Log(Tensor a) => Apply(Primitives.Log, a);
    /// <summary>Elementwise log(1 + a), accurate near 0.</summary>
    public static Tensor Log1p(Tensor a) => Apply(Primitives.Log1p, a);
    /// <summary>Elementwise e^a − 1, accurate near 0.</summary>
    public static Tensor Expm1(Tensor a) => Apply(Primitives.Expm1, a);
    /// <summary>Elementwise square root: a^(1/2), as the symbolic core writes it (its derivative at 0 is +inf).</summary>
    public static Tensor Sqrt(Tensor a) => Unary(Op.Power, a, 0.5);
    /// <summary>Elementwise sine.</summary>
    public static Tensor Sin(Tensor a) => Apply(Primitives.Sin, a);
    /// <summary>Elementwise cosine.</summary>
    public static Tensor Cos(Tensor a) => Apply(Primitives.Cos, a);
    /// <summary>Elementwise tangent.</summary>
    public static Tensor Tan(Tensor a) => Apply(Primitives.Tan, a);
    /// <summary>Elementwise hyperbolic tangent.</summary>
    public static Tensor Tanh(Tensor a) => Apply(Primitives.Tanh, a);
    /// <summary>Elementwise 1 / (1 + e^−a).</summary>
    public static Tensor Sigmoid(Tensor a) => Apply(Primitives.Sigmoid, a);
    /// <summary>Elementwise log(1 + e^a), without overflow.</summary>
    public static Tensor Softplus(Tensor a) => Apply(Primitives.Softplus, a);
    /// <summary>Elementwise max(a, 0); its derivative at 0 is 0 (the table's convention).</summary>
    public static Tensor Relu(Tensor a) => Apply(Primitives.Relu, a);
    /// <summary>Elementwise |a|; its derivative at 0 is 0.</summary>
    public static Tensor Abs(Tensor a) => Apply(Primitives.Abs, a);
    /// <summary>Elementwise error function.</summary>
    public static Tensor Erf(Tensor a) => Apply(Primitives.Erf, a);
    /// <summary>Elementwise larger of a and b (a scalar broadcasts), as <c>torch.maximum</c>; at a tie each gets half the gradient.</summary>
    public static Tensor Maximum(Tensor a, Tensor b) => Apply(Primitives.Max, a, b);
    /// <summary>Elementwise smaller of a and b, as <c>torch.minimum</c>; at a tie each gets half the gradient.</summary>
    public static Tensor Minimum(Tensor a, Tensor b) => Apply(Primitives.Min, a, b);
    /// <summary>Elementwise 1 where a &lt; b, else 0, as <c>torch.lt</c> (derivative 0).</summary>
    public static Tensor Lt(Tensor a, Tensor b) => Apply(Primitives.Less, a, b);
    /// <summary>Elementwise 1 where a ≤ b, else 0, as <c>torch.le</c>.</summary>
    public static Tensor Le(Tensor a, Tensor b) => Apply(Primitives.LessOrEqual, a, b);
    /// <summary>Elementwise 1 where a &gt; b, else 0, as <c>torch.gt</c>.</summary>
    public static Tensor Gt(Tensor a, Tensor b) => Apply(Primitives.Greater, a, b);
    /// <summary>Elementwise 1 where a ≥ b, else 0, as <c>torch.ge</c>.</summary>
    public static Tensor Ge(Tensor a, Tensor b) => Apply(Primitives.GreaterOrEqual, a, b);
    /// <summary>
    /// a where <paramref name="condition"/> is non-zero, else b, elementwise, as <c>torch.where</c>; the gradient flows only
    /// through the branch taken, so a NaN or infinity in the other (sqrt of a negative) never leaks into it.
    /// </summary>
    public static Tensor Where(Tensor condition, Tensor a, Tensor b) => Apply(Primitives.Where, condition, a, b);

    /// <summary>
    /// Any primitive of the symbolic table, elementwise (<c>Tensor.Apply(Primitives.Atan2, y, x)</c>); its derivatives come
    /// from the table's exact partials, to any order. Arguments of equal shape, or scalars that broadcast.
    /// </summary>
    public static Tensor Apply(Primitive primitive, params Tensor[] args)
    {
        ArgumentNullException.ThrowIfNull(primitive);
        if (args.Length != primitive.Arity)
            throw new ArgumentException($"{primitive.Name} takes {primitive.Arity} arguments; {args.Length} were given.", nameof(args));
        return args.Length == 1 ? Call(primitive, args[0]) : Map(Elementwise.Of(primitive), args);
    }

    // An elementwise scalar function of the arguments: values by its small tape, recorded as one op. Arguments of
    // different shapes broadcast (scalars as they are, others expanded to the common shape first).
    internal static Tensor Map(Elementwise function, Tensor[] args)
    {
        var shaped = args.FirstOrDefault(a => a.Rank != 0) ?? args[0];
        if (args.Any(a => a.Rank != 0 && !a.SameShape(shaped)))
        {
            var common = Shapes.Broadcast(function.Name, args.Select(a => a.shape).ToArray());
            args = args.Select(a => a.Rank == 0 ? a : a.Expand(common)).ToArray();
            shaped = args.First(a => a.Rank != 0);
        }
        var data = Uninitialized(shaped.Count);
        function.Evaluate(args.Select(a => a.Data).ToArray(), data);
        return Record(new Tensor(data, shaped.shape), Op.Call, args, function);
    }

    /// <summary>The sum of all elements, as a scalar.</summary>
    public Tensor Sum() => Record(new Tensor(Count == 1 ? FirstValue : Fusion.ClaimForSum(this) ? Fusion.Sum(this) : TP.Sum(Data)), Op.Sum, this);

    /// <summary>The mean of all elements, as a scalar.</summary>
    public Tensor Mean() => Sum() / Count;

    /// <summary>The Euclidean norm √(Σ a²), as a scalar; its gradient at 0 is 0, as PyTorch's (the subgradient of least norm).</summary>
    public Tensor Norm() => Record(new Tensor(Count == 1 ? Math.Abs(FirstValue) : TP.Norm(Data)), Op.Norm, this);

    // A scalar repeated in a shape: the backward of Sum.
    internal static Tensor ExpandScalar(Tensor scalar, int[] shape) => Record(Full(scalar.FirstValue, shape), Op.Expand, scalar);

    /// <summary>Elements [start, start + length) of a vector, as a vector that stays in the graph (<c>x.Slice(1, n - 1)</c> is x[1:]).</summary>
    public Tensor Slice(int start, int length)
    {
        if (Rank != 1 || start < 0 || length < 0 || length > Count - start)   // not start + length: it can overflow
            throw new ArgumentOutOfRangeException(nameof(start), $"Slice({start}, {length}) does not fit shape {ShapeText(shape)} (slices take a vector and a range inside it).");
        return SliceFlat(start, [length]);
    }

    // A contiguous run of the elements from a flat position, in the given shape: the fast form of a slice (a long one
    // is a view that fused work reads in place, Fusion.cs).
    internal Tensor SliceFlat(int start, int[] resultShape)
    {
        int count = Shapes.Count(resultShape);
        var result = Fusion.View(this, start, resultShape, count) ?? new Tensor(Data.AsSpan(start, count).ToArray(), resultShape);
        return Record(result, Op.Slice, this, position: start);
    }

    // The backward of a slice: zeros of the sliced tensor's shape with the gradient at its place.
    internal static Tensor Pad(Tensor g, int start, int[] shape)
    {
        var data = new double[Shapes.Count(shape)];
        g.Data.CopyTo(data, start);
        return Record(new Tensor(data, shape), Op.Pad, g, position: start);
    }

    /// <summary>The inner product of two vectors of equal length, as a scalar.</summary>
    public static Tensor Dot(Tensor a, Tensor b)
    {
        if (a.Rank != 1 || !a.SameShape(b))
            throw new ArgumentException($"Dot: needs two vectors of equal length; got shapes {ShapeText(a.shape)} and {ShapeText(b.shape)}.");
        return Record(new Tensor(TP.Dot(a.Data, b.Data)), Op.Dot, a, b);
    }

    /// <summary>
    /// The matrix product, as <c>torch.matmul</c>: vector · vector (the inner product), matrix · vector, vector · matrix,
    /// matrix · matrix, and batches: tensors of more than two dimensions are stacks of matrices whose leading (batch)
    /// dimensions broadcast, a vector on either side taking part as a single row or column.
    /// </summary>
    /// <exception cref="ArgumentException">A scalar operand, inner dimensions that differ, or batch dimensions that do not broadcast.</exception>
    public static Tensor MatMul(Tensor a, Tensor b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        if (a.Rank == 0 || b.Rank == 0 || a.shape[^1] != b.shape[b.Rank == 1 ? 0 : b.Rank - 2])
            throw new ArgumentException($"MatMul: shapes {ShapeText(a.shape)} and {ShapeText(b.shape)} do not fit (the last dimension of the first must equal the " +
                "first dimension of a vector, or the next-to-last of a matrix or batch, as in a matrix m×k times a vector of k or a matrix k×n).");
        if (a.Rank == 1 && b.Rank == 1) return Dot(a, b);
        if (a.Rank == 1) return MatMul(a.Unsqueeze(0), b).Squeeze(-2);
        if (a.Rank > 2 && b.Rank == 1) return MatMul(a, b.Unsqueeze(1)).Squeeze(-1);
        if (a.Rank > 2 || b.Rank > 2) return BatchedMatMul(a, b);
        int m = a.shape[0], k = a.shape[1];
        if (b.Rank == 1)
        {
            var result = Uninitialized(m);
            for (int i = 0; i < m; i++) result[i] = TP.Dot(a.Data.AsSpan(i * k, k), b.Data);
            return Record(new Tensor(result, [m]), Op.MatMul, a, b);
        }
        int n = b.shape[1];
        var data = new double[CheckedCount([m, n])];
        MatrixProduct(a.Data, b.Data, data, m, k, n);
        return Record(new Tensor(data, [m, n]), Op.MatMul, a, b);
    }

    // c = a·b for row-major a (m×k), b (k×n) and a zeroed c (m×n): rows of b scaled and added, vectorized along n.
    private static void MatrixProduct(ReadOnlySpan<double> a, ReadOnlySpan<double> b, Span<double> c, int m, int k, int n)
    {
        for (int i = 0; i < m; i++)
        {
            var row = c.Slice(i * n, n);
            for (int j = 0; j < k; j++) TP.MultiplyAdd(b.Slice(j * n, n), a[i * k + j], row, row);
        }
    }

    // Batches of matrices: the batch dimensions broadcast by recorded expansions, then one product per matrix.
    private static Tensor BatchedMatMul(Tensor a, Tensor b)
    {
        int[] batchA = a.shape[..^2], batchB = b.shape[..^2];
        var batch = Shapes.TryBroadcast(batchA, batchB) ?? throw new ArgumentException(
            $"MatMul: shapes {ShapeText(a.shape)} and {ShapeText(b.shape)} do not match: the batch dimensions {ShapeText(batchA)} and {ShapeText(batchB)} do not broadcast (aligned from the right, each must be equal or 1).");
        int m = a.shape[^2], k = a.shape[^1], n = b.shape[^1], count = Shapes.Count(batch);
        var left = a.Expand([.. batch, m, k]).Reshape(count, m, k);
        var right = b.Expand([.. batch, k, n]).Reshape(count, k, n);
        return BatchMatMul(left, right).Reshape([.. batch, m, n]);
    }

    // [batch, m, k] · [batch, k, n] → [batch, m, n], one op: its backward is two more of the same.
    internal static Tensor BatchMatMul(Tensor a, Tensor b)
    {
        int count = a.shape[0], m = a.shape[1], k = a.shape[2], n = b.shape[2];
        var data = new double[CheckedCount([count, m, n])];
        for (int p = 0; p < count; p++)
            MatrixProduct(a.Data.AsSpan(p * m * k, m * k), b.Data.AsSpan(p * k * n, k * n), data.AsSpan(p * m * n, m * n), m, k, n);
        return Record(new Tensor(data, [count, m, n]), Op.BatchMatMul, a, b);
    }

    /// <summary>The outer product a·bᵀ of two vectors: a matrix.</summary>
    public static Tensor Outer(Tensor a, Tensor b)
    {
        if (a.Rank != 1 || b.Rank != 1) throw new ArgumentException($"Outer: needs two vectors; got shapes {ShapeText(a.shape)} and {ShapeText(b.shape)}.");
        int m = a.Count, n = b.Count;
        var data = Uninitialized(m * n);
        for (int i = 0; i < m; i++) TP.Multiply(b.Data, a.Data[i], data.AsSpan(i * n, n));
        return Record(new Tensor(data, [m, n]), Op.Outer, a, b);
    }

    /// <summary>The transpose of a matrix, as <c>t()</c> (a vector or scalar is returned as is, recorded); for more dimensions use <see cref="Transpose(int, int)"/> or <see cref="Permute"/>.</summary>
    /// <exception cref="InvalidOperationException">The tensor has more than two dimensions.</exception>
    public Tensor Transpose()
    {
        if (Rank > 2) throw new InvalidOperationException($"Transpose() takes a matrix, as t(); this tensor has shape {ShapeText(shape)}: name the two dimensions to swap, Transpose(0, 1), or use Permute.");
        if (Rank < 2) return Record(new Tensor(Data, shape), Op.Transpose, this);
        int m = shape[0], n = shape[1];
        var data = Uninitialized(Count);
        for (int i = 0; i < m; i++) for (int j = 0; j < n; j++) data[j * m + i] = Data[i * n + j];
        return Record(new Tensor(data, [n, m]), Op.Transpose, this);
    }

    /// <summary>
    /// Element i of a vector as a scalar tensor, or row i of a matrix (the sub-tensor at i along the first dimension), staying
    /// in the graph; a negative i counts from the end, as in PyTorch (x[-1] is the last).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">i is outside [−n, n).</exception>
    [System.Runtime.CompilerServices.IndexerName("Element")]   // Item is the PyTorch name of the value accessor
    public Tensor this[int i] => Rank == 1 ? At(CheckIndex(i, shape[0], "index")) : Select(0, i);

    /// <summary>Element (i, j) of a matrix as a scalar tensor (the sub-tensor at (i, j) of more dimensions), staying in the graph; negative indices count from the end.</summary>
    [System.Runtime.CompilerServices.IndexerName("Element")]
    public Tensor this[int i, int j] => Rank == 2 ? At(CheckIndex(i, shape[0], "row") * shape[1] + CheckIndex(j, shape[1], "column")) : this[[i, j]];

    private int CheckIndex(int i, int length, string what) =>
        i >= -length && i < length ? (i < 0 ? i + length : i)
        : throw new ArgumentOutOfRangeException(what, $"The {what} {i} is outside [{-length}, {length}) for shape {ShapeText(shape)}.");

    private Tensor At(int position) => Record(new Tensor(Data[position]), Op.Index, this, position: position);

    // The backward of indexing: zeros of the indexed shape with the gradient at the position.
    internal static Tensor ScatterAt(Tensor g, int position, int[] shape)
    {
        var data = new double[CheckedCount(shape)];
        data[position] = g.Data[0];
        return Record(new Tensor(data, shape), Op.Scatter, g, position: position);
    }

    // Comparisons steer control flow: each returns a plain bool, and a Trace being recorded keeps it as a guard.

    /// <summary>True when the one-element tensor is below <paramref name="c"/>; recorded as a guard by <see cref="Trace"/>.</summary>
    public static bool operator <(Tensor a, double c) => Trace.Guard(a, Primitives.Less, c, a.Item() < c);
    /// <summary>True when the one-element tensor is above <paramref name="c"/>; recorded as a guard by <see cref="Trace"/>.</summary>
    public static bool operator >(Tensor a, double c) => Trace.Guard(a, Primitives.Greater, c, a.Item() > c);
    /// <summary>True when the one-element tensor is at most <paramref name="c"/>; recorded as a guard by <see cref="Trace"/>.</summary>
    public static bool operator <=(Tensor a, double c) => Trace.Guard(a, Primitives.LessOrEqual, c, a.Item() <= c);
    /// <summary>True when the one-element tensor is at least <paramref name="c"/>; recorded as a guard by <see cref="Trace"/>.</summary>
    public static bool operator >=(Tensor a, double c) => Trace.Guard(a, Primitives.GreaterOrEqual, c, a.Item() >= c);
}
