// Operations that move data rather than compute it: reshaping, permuting, broadcasting, slicing,
// indexing, gathering, scattering, concatenating and splitting. Reshape keeps the storage (values are
// contiguous and never changed in place, so the new shape is a view); every other one is one Gather
// through an index map (Shapes.Map), whose backward is a ScatterAdd through the same map, and back — so
// each of them has first and higher derivatives without a rule of its own.
namespace Hybrid.Tensors;

/// <summary>
/// One entry of a tensor index: an integer (that dimension is removed), a range (C# <c>1..3</c>, <c>..</c>, <c>^2..</c>, or
/// <see cref="Slice"/> with a step), <see cref="NewAxis"/> (a new dimension of size 1) or <see cref="Ellipsis"/> (every
/// dimension not otherwise indexed): <c>x[.., 0]</c> is the first column, <c>x[TensorIndex.Ellipsis, 1..]</c> drops the first
/// element of the last dimension, as <c>x[..., 1:]</c> in PyTorch.
/// </summary>
public readonly struct TensorIndex
{
    private enum Kind { Single, Range, NewAxis, Ellipsis }

    private readonly Kind kind;
    private readonly Index single;
    private readonly Index start, end;
    private readonly int step;

    private TensorIndex(Kind kind, Index single = default, Index start = default, Index end = default, int step = 1) =>
        (this.kind, this.single, this.start, this.end, this.step) = (kind, single, start, end, step);

    /// <summary>The element at <paramref name="index"/> along the dimension (negative counts from the end); the dimension is removed.</summary>
    public static implicit operator TensorIndex(int index) => new(Kind.Single, single: index < 0 ? Index.FromEnd(-index) : Index.FromStart(index));

    /// <summary>The element at a C# index along the dimension (<c>^1</c> is the last); the dimension is removed.</summary>
    public static implicit operator TensorIndex(Index index) => new(Kind.Single, single: index);

    /// <summary>The elements of the range along the dimension (out-of-range bounds clamp, as in PyTorch).</summary>
    public static implicit operator TensorIndex(Range range) => new(Kind.Range, start: range.Start, end: range.End);

    /// <summary>Every <paramref name="step"/>-th element from <paramref name="start"/> below <paramref name="end"/> (negative bounds count from the end; null: the whole), as <c>start:end:step</c>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The step is not positive (PyTorch does not take negative steps either).</exception>
    public static TensorIndex Slice(int? start, int? end, int step = 1)
    {
        if (step <= 0) throw new ArgumentOutOfRangeException(nameof(step), $"A slice step must be positive; got {step}.");
        static Index At(int? i, Index whole) => i is null ? whole : i < 0 ? Index.FromEnd(-i.Value) : Index.FromStart(i.Value);
        return new(Kind.Range, start: At(start, Index.Start), end: At(end, Index.End), step: step);
    }

    /// <summary>A new dimension of size 1 at this place, as <c>None</c> in a PyTorch index.</summary>
    public static TensorIndex NewAxis => new(Kind.NewAxis);

    /// <summary>As many whole dimensions as the other entries leave, as <c>...</c> in a PyTorch index.</summary>
    public static TensorIndex Ellipsis => new(Kind.Ellipsis);

    internal bool TakesDimension => kind is Kind.Single or Kind.Range;
    internal bool IsEllipsis => kind == Kind.Ellipsis;
    internal bool IsNewAxis => kind == Kind.NewAxis;
    internal bool IsSingle => kind == Kind.Single;
    // The position of a single index in a dimension of this length, checked.
    internal int Position(int length, string shapeText)
    {
        int at = single.IsFromEnd ? length - single.Value : single.Value;
        if (at < 0 || at >= length)
            throw new ArgumentOutOfRangeException("index", $"The index {(single.IsFromEnd ? -single.Value : single.Value)} is outside [{-length}, {length}) for shape {shapeText}.");
        return at;
    }

    // The first element, step and count of a range over a dimension of this length (bounds clamped).
    internal (int First, int Step, int Count) Resolve(int length)
    {
        int from = Math.Clamp(start.IsFromEnd ? length - start.Value : start.Value, 0, length);
        int to = Math.Clamp(end.IsFromEnd ? length - end.Value : end.Value, 0, length);
        return (from, step, Math.Max(0, (to - from + step - 1) / step));
    }
}

public sealed partial class Tensor
{
    // Result[i] = this[map[i]], in the given shape: one Gather op (a contiguous run is a span copy, a slice).
    internal Tensor Take(int[] map, int[] resultShape)
    {
        if (map.Length > 0 && Shapes.IsRun(map)) return map.Length == Count ? Reshape(resultShape) : SliceFlat(map[0], resultShape);
        var (data, source) = (Uninitialized(map.Length), Data);
        for (int i = 0; i < data.Length; i++) data[i] = source[map[i]];
        return Record(new Tensor(data, resultShape), Op.Gather, this, map: map);
    }

    // Result[map[i]] += g[i] over zeros of the given shape: the adjoint of Take, and the sum of groups (reductions).
    internal static Tensor ScatterAdd(Tensor g, int[] map, int[] resultShape)
    {
        var (data, source) = (new double[CheckedCount(resultShape)], g.Data);
        for (int i = 0; i < map.Length; i++) data[map[i]] += source[i];
        return Record(new Tensor(data, resultShape), Op.ScatterAdd, g, map: map);
    }

    // The values broadcast to a shape, as an array (no graph): for comparisons and masks.
    internal double[] ValuesIn(int[] resultShape) =>
        shape.AsSpan().SequenceEqual(resultShape) ? Data : Shapes.BroadcastMap(shape, resultShape).Select(i => Data[i]).ToArray();

    /// <summary>
    /// The same values in another shape with the same number of elements, sharing this tensor's storage; one dimension
    /// may be −1 and is then inferred (<c>Tensor.Arange(6).Reshape(2, -1)</c> is 2×3).
    /// </summary>
    /// <exception cref="ArgumentException">The counts differ, several dimensions are −1, or a dimension is negative.</exception>
    public Tensor Reshape(params int[] shape)
    {
        ArgumentNullException.ThrowIfNull(shape);
        var resolved = (int[])shape.Clone();
        int inferred = Array.IndexOf(resolved, -1);
        if (inferred >= 0)
        {
            if (Array.IndexOf(resolved, -1, inferred + 1) >= 0) throw new ArgumentException($"Reshape {ShapeText(shape)}: only one dimension can be inferred (−1).", nameof(shape));
            resolved[inferred] = 1;
            int known = CheckedCount(resolved);
            resolved[inferred] = known == 0 ? 0 : Count / known;
        }
        if (CheckedCount(resolved) != Count)
            throw new ArgumentException($"Reshape: shape {ShapeText(shape)} does not fit a tensor of shape {ShapeText(this.shape)} ({Count} elements).", nameof(shape));
        if (resolved.AsSpan().SequenceEqual(this.shape)) return this;
        return Record(new Tensor(Data, resolved), Op.Reshape, this);
    }

    /// <summary>The same as <see cref="Reshape"/> (storage is always contiguous, so every reshape is a view), as PyTorch's <c>view</c>.</summary>
    public Tensor View(params int[] shape) => Reshape(shape);

    /// <summary>Dimensions <paramref name="startDim"/> to <paramref name="endDim"/> merged into one, as <c>torch.flatten</c> (by default: all, a vector).</summary>
    public Tensor Flatten(int startDim = 0, int endDim = -1)
    {
        if (Rank == 0) return Reshape(1);
        int first = Shapes.Dim(startDim, Rank, nameof(Flatten)), last = Shapes.Dim(endDim, Rank, nameof(Flatten));
        if (first > last) throw new ArgumentException($"Flatten: the start dimension {startDim} comes after the end dimension {endDim}.");
        return Reshape([.. shape[..first], Shapes.Count(shape.AsSpan(first, last - first + 1)), .. shape[(last + 1)..]]);
    }

    /// <summary>The dimensions reordered: dimension k of the result is dimension <paramref name="dims"/>[k] of this tensor, as <c>permute</c>.</summary>
    /// <exception cref="ArgumentException">The dimensions are not a permutation of 0 … Rank − 1.</exception>
    public Tensor Permute(params int[] dims)
    {
        ArgumentNullException.ThrowIfNull(dims);
        var order = dims.Select(d => Shapes.Dim(d, Rank, nameof(Permute))).ToArray();
        if (order.Length != Rank || order.Distinct().Count() != Rank)
            throw new ArgumentException($"Permute {ShapeText(dims)}: needs each of the {Rank} dimensions of shape {ShapeText(shape)} exactly once.", nameof(dims));
        var strides = Shapes.Strides(shape);
        int[] resultShape = order.Select(d => shape[d]).ToArray();
        return Take(Shapes.Map(resultShape, order.Select(d => strides[d]).ToArray(), 0), resultShape);
    }

    /// <summary>Dimensions <paramref name="dim0"/> and <paramref name="dim1"/> swapped, as <c>transpose(dim0, dim1)</c>; <c>Transpose(-2, -1)</c> transposes each matrix of a batch.</summary>
    public Tensor Transpose(int dim0, int dim1)
    {
        int first = Shapes.Dim(dim0, Rank, nameof(Transpose)), second = Shapes.Dim(dim1, Rank, nameof(Transpose));
        if (Rank == 0) return this;
        var order = Enumerable.Range(0, Rank).ToArray();
        (order[first], order[second]) = (second, first);
        return Permute(order);
    }

    /// <summary>A new dimension of size 1 inserted at <paramref name="dim"/> (in [−Rank − 1, Rank]), as <c>unsqueeze</c>.</summary>
    public Tensor Unsqueeze(int dim)
    {
        int at = Shapes.Dim(dim, Rank + 1, nameof(Unsqueeze));
        return Reshape([.. shape[..at], 1, .. shape[at..]]);
    }

    /// <summary>Every dimension of size 1 removed, as <c>squeeze()</c>.</summary>
    public Tensor Squeeze() => Reshape(shape.Where(n => n != 1).ToArray());

    /// <summary>Dimension <paramref name="dim"/> removed if its size is 1 (otherwise the tensor unchanged), as <c>squeeze(dim)</c>.</summary>
    public Tensor Squeeze(int dim)
    {
        if (Rank == 0) return this;
        int at = Shapes.Dim(dim, Rank, nameof(Squeeze));
        return shape[at] == 1 ? Reshape(Shapes.Without(shape, at)) : this;
    }

    /// <summary>
    /// The values repeated along dimensions of size 1 (and new leading dimensions) to <paramref name="shape"/>, as <c>expand</c>
    /// (−1 keeps a dimension); the gradient sums back over the repeats.
    /// </summary>
    /// <exception cref="ArgumentException">A dimension is neither 1 nor the target size, or the target has fewer dimensions.</exception>
    public Tensor Expand(params int[] shape)
    {
        ArgumentNullException.ThrowIfNull(shape);
        int offset = shape.Length - Rank;
        var target = shape.Select((n, d) => n == -1 && d >= offset ? this.shape[d - offset] : n).ToArray();
        if (offset < 0 || target.Where((n, d) => d >= offset && this.shape[d - offset] != 1 && this.shape[d - offset] != n).Any() || target.Any(n => n < 0))
            throw new ArgumentException($"Expand: shape {ShapeText(this.shape)} cannot expand to {ShapeText(shape)} (only dimensions of size 1 repeat, and new ones go in front).", nameof(shape));
        CheckedCount(target);
        if (target.AsSpan().SequenceEqual(this.shape)) return this;
        if (Rank == 0) return ExpandScalar(this, target);
        return Take(Shapes.BroadcastMap(this.shape, target), target);
    }

    /// <summary>This tensor expanded to the shape of <paramref name="other"/>, as <c>expand_as</c>.</summary>
    public Tensor ExpandAs(Tensor other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return Expand(other.shape);
    }

    /// <summary>Elements [start, start + length) along dimension <paramref name="dim"/>, as <c>narrow</c>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The range does not fit in the dimension.</exception>
    public Tensor Narrow(int dim, int start, int length)
    {
        int d = Shapes.Dim(dim, Rank, nameof(Narrow));
        if (Rank == 0 || start < 0 || length < 0 || length > shape[d] - start)
            throw new ArgumentOutOfRangeException(nameof(start), $"Narrow({dim}, {start}, {length}) does not fit shape {ShapeText(shape)}.");
        var strides = Shapes.Strides(shape);
        var resultShape = Shapes.Replace(shape, d, length);
        return Take(Shapes.Map(resultShape, strides, start * strides[d]), resultShape);
    }

    /// <summary>The sub-tensor at <paramref name="index"/> along <paramref name="dim"/>, which is removed, as <c>select</c> (a negative index counts from the end).</summary>
    public Tensor Select(int dim, int index)
    {
        int d = Shapes.Dim(dim, Rank, nameof(Select));
        RequireDimensions(nameof(Select));
        int i = CheckIndex(index, shape[d], "index");
        var strides = Shapes.Strides(shape);
        var resultShape = Shapes.Without(shape, d);
        return Take(Shapes.Map(resultShape, Shapes.Without(strides, d), i * strides[d]), resultShape);
    }

    /// <summary>
    /// PyTorch-style basic indexing: one entry per dimension (integers, ranges, stepped slices), <see cref="TensorIndex.NewAxis"/>
    /// and <see cref="TensorIndex.Ellipsis"/>; dimensions left over are taken whole. <c>x[.., 1..]</c> is <c>x[:, 1:]</c>.
    /// </summary>
    /// <exception cref="ArgumentException">More entries than dimensions, or two ellipses.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An integer index outside its dimension.</exception>
    [System.Runtime.CompilerServices.IndexerName("Element")]
    public Tensor this[params TensorIndex[] indices]
    {
        get
        {
            ArgumentNullException.ThrowIfNull(indices);
            int taking = indices.Count(i => i.TakesDimension), ellipses = indices.Count(i => i.IsEllipsis);
            if (taking > Rank || ellipses > 1)
                throw new ArgumentException($"Indexing shape {ShapeText(shape)} with {taking} indices{(ellipses > 1 ? " and several ellipses" : "")}: at most one index per dimension and one ellipsis.", nameof(indices));
            var strides = Shapes.Strides(shape);
            var (resultShape, resultStrides) = (new List<int>(), new List<int>());
            int offset = 0, d = 0;
            void Whole() { resultShape.Add(shape[d]); resultStrides.Add(strides[d]); d++; }
            foreach (var index in indices)
            {
                if (index.IsEllipsis) { for (int k = 0; k < Rank - taking; k++) Whole(); }
                else if (index.IsNewAxis) { resultShape.Add(1); resultStrides.Add(0); }
                else if (index.IsSingle) { offset += index.Position(shape[d], ShapeText(shape)) * strides[d]; d++; }
                else
                {
                    var (first, step, count) = index.Resolve(shape[d]);
                    offset += first * strides[d];
                    resultShape.Add(count);
                    resultStrides.Add(step * strides[d]);
                    d++;
                }
            }
            while (d < Rank) Whole();
            int[] result = [.. resultShape];
            return Take(Shapes.Map(result, [.. resultStrides], offset), result);
        }
    }

    /// <summary>The elements where <paramref name="mask"/> (broadcast to this shape) is non-zero, as a vector in row-major order, as <c>masked_select</c> (or <c>x[mask]</c> for a boolean mask).</summary>
    public Tensor MaskedSelect(Tensor mask)
    {
        ArgumentNullException.ThrowIfNull(mask);
        if (!Shapes.Broadcast(nameof(MaskedSelect), shape, mask.shape).AsSpan().SequenceEqual(shape))
            throw new ArgumentException($"MaskedSelect: the mask's shape {ShapeText(mask.shape)} must broadcast to the tensor's {ShapeText(shape)}.", nameof(mask));
        var selected = mask.ValuesIn(shape);
        var map = Enumerable.Range(0, Count).Where(i => selected[i] != 0).ToArray();
        return Take(map, [map.Length]);
    }

    /// <summary><paramref name="value"/> where <paramref name="mask"/> is non-zero, else this tensor's element, as <c>masked_fill</c> (no gradient reaches the filled elements).</summary>
    public Tensor MaskedFill(Tensor mask, double value) => Where(mask, Scalar(value), this);

    private void RequireDimensions(string what)
    {
        if (Rank == 0) throw new ArgumentException($"{what}: a scalar has no dimension to index; reshape it to [1] first.");
    }

    // The integer values of an index tensor, each checked against a dimension's length.
    private static int[] Indices(Tensor index, int length, string what)
    {
        var result = new int[index.Count];
        for (int i = 0; i < result.Length; i++)
        {
            double v = index.Data[i];
            if (v != Math.Floor(v) || v < 0 || v >= length)
                throw new ArgumentOutOfRangeException(nameof(index), $"{what}: index {v} is not an integer in [0, {length}).");
            result[i] = (int)v;
        }
        return result;
    }

    /// <summary>The sub-tensors at the (integer) <paramref name="index"/> values along <paramref name="dim"/>, in their order, as <c>index_select</c>.</summary>
    public Tensor IndexSelect(int dim, Tensor index)
    {
        ArgumentNullException.ThrowIfNull(index);
        int d = Shapes.Dim(dim, Rank, nameof(IndexSelect));
        RequireDimensions(nameof(IndexSelect));
        if (index.Rank > 1) throw new ArgumentException($"IndexSelect: the index must be a vector; it has shape {ShapeText(index.shape)}.", nameof(index));
        var picked = Indices(index, shape[d], nameof(IndexSelect));
        var resultShape = Shapes.Replace(shape, d, picked.Length);
        var map = new int[CheckedCount(resultShape)];
        int inner = Shapes.Count(shape.AsSpan(d + 1)), outer = Shapes.Count(shape.AsSpan(0, d));
        for (int o = 0, at = 0; o < outer; o++)
            foreach (var p in picked)
                for (int j = 0; j < inner; j++) map[at++] = (o * shape[d] + p) * inner + j;
        return Take(map, resultShape);
    }

    // The position in this tensor of each element of index (its shape), with dimension d replaced by the index's value.
    private int[] GatherMap(int d, Tensor index, string what)
    {
        RequireDimensions(what);
        if (index.Rank != Rank || index.shape.Where((n, k) => k != d && n > shape[k]).Any())
            throw new ArgumentException($"{what}: the index has shape {ShapeText(index.shape)}; it needs the tensor's {Rank} dimensions, none larger than {ShapeText(shape)} except dimension {d}.", nameof(index));
        var strides = Shapes.Strides(shape);
        var map = Shapes.Map(index.shape, Shapes.Replace(strides, d, 0), 0);
        var values = Indices(index, shape[d], what);
        for (int i = 0; i < map.Length; i++) map[i] += values[i] * strides[d];
        return map;
    }

    /// <summary>result[i][j][k] = this[index[i][j][k]][j][k] for <paramref name="dim"/> = 0 (and likewise for others), as <c>torch.gather</c>; the result has the index's shape.</summary>
    public Tensor Gather(int dim, Tensor index)
    {
        ArgumentNullException.ThrowIfNull(index);
        int d = Shapes.Dim(dim, Rank, nameof(Gather));
        return Take(GatherMap(d, index, nameof(Gather)), index.shape);
    }

    /// <summary>
    /// A copy of this tensor with <paramref name="source"/>'s values written at the places <paramref name="index"/> names along
    /// <paramref name="dim"/> (the inverse of <see cref="Gather"/>), as <c>scatter</c> out of place; the overwritten elements get no gradient.
    /// </summary>
    /// <exception cref="ArgumentException">The index names one place twice (the result would depend on the order: use <see cref="ScatterAdd(int, Tensor, Tensor)"/>), or shapes differ.</exception>
    public Tensor Scatter(int dim, Tensor index, Tensor source)
    {
        var map = ScatterMap(dim, index, source, nameof(Scatter));
        var kept = Ones(shape);
        foreach (var p in map)
        {
            if (kept.Data[p] == 0) throw new ArgumentException($"Scatter: the index names the place {p} (flat) twice; the result would depend on the order. Use ScatterAdd to add instead.", nameof(index));
            kept.Data[p] = 0;
        }
        return Where(kept, this, Scalar(0)) + ScatterAdd(source, map, shape);
    }

    /// <summary>This tensor plus <paramref name="source"/>'s values added at the places <paramref name="index"/> names along <paramref name="dim"/> (repeats add up), as <c>scatter_add</c> out of place.</summary>
    public Tensor ScatterAdd(int dim, Tensor index, Tensor source) => this + ScatterAdd(source, ScatterMap(dim, index, source, nameof(ScatterAdd)), shape);

    private int[] ScatterMap(int dim, Tensor index, Tensor source, string what)
    {
        ArgumentNullException.ThrowIfNull(index);
        ArgumentNullException.ThrowIfNull(source);
        if (!source.SameShape(index)) throw new ArgumentException($"{what}: the source has shape {ShapeText(source.shape)}; it must have the index's shape {ShapeText(index.shape)}.", nameof(source));
        return GatherMap(Shapes.Dim(dim, Rank, what), index, what);
    }

    /// <summary>The tensors joined along <paramref name="dim"/>, as <c>torch.cat</c>: equal shapes except in that dimension.</summary>
    /// <exception cref="ArgumentException">No tensors, different numbers of dimensions, or other dimensions that differ.</exception>
    public static Tensor Cat(Tensor[] tensors, int dim = 0)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        if (tensors.Length == 0) throw new ArgumentException("Cat needs at least one tensor.", nameof(tensors));
        var first = tensors[0];
        int d = Shapes.Dim(dim, first.Rank, nameof(Cat));
        foreach (var t in tensors)
            if (t is null || t.Rank != first.Rank || first.Rank == 0 || t.shape.Where((n, k) => k != d && n != first.shape[k]).Any())
                throw new ArgumentException($"Cat: shapes {string.Join(", ", tensors.Select(x => x is null ? "null" : ShapeText(x.shape)))} do not fit along dimension {dim} (equal except in that dimension; scalars cannot be joined, stack them).", nameof(tensors));
        var resultShape = Shapes.Replace(first.shape, d, tensors.Sum(t => t.shape[d]));
        var data = Uninitialized(CheckedCount(resultShape));
        int inner = Shapes.Count(first.shape.AsSpan(d + 1)), outer = Shapes.Count(first.shape.AsSpan(0, d)), row = resultShape[d] * inner;
        int at = 0;
        foreach (var t in tensors)
        {
            int block = t.shape[d] * inner;
            for (int o = 0; o < outer; o++) t.Data.AsSpan(o * block, block).CopyTo(data.AsSpan(o * row + at, block));
            at += block;
        }
        return Record(new Tensor(data, resultShape), Op.Cat, (Tensor[])tensors.Clone(), d);
    }

    /// <summary>The tensors (of one shape) stacked along a new dimension <paramref name="dim"/>, as <c>torch.stack</c>.</summary>
    public static Tensor Stack(Tensor[] tensors, int dim = 0)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        if (tensors.Length == 0) throw new ArgumentException("Stack needs at least one tensor.", nameof(tensors));
        if (tensors.Any(t => t is null || !t.SameShape(tensors[0])))
            throw new ArgumentException($"Stack: shapes {string.Join(", ", tensors.Select(x => x is null ? "null" : ShapeText(x.shape)))} differ (stacking needs one shape).", nameof(tensors));
        return Cat(tensors.Select(t => t.Unsqueeze(dim)).ToArray(), dim);
    }

    /// <summary>Pieces of <paramref name="size"/> along <paramref name="dim"/> (the last may be smaller), as <c>torch.split(size)</c>.</summary>
    public Tensor[] Split(int size, int dim = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(size);
        int d = Shapes.Dim(dim, Rank, nameof(Split)), n = Rank == 0 ? 1 : shape[d];
        return Split(Enumerable.Range(0, (n + size - 1) / size).Select(k => Math.Min(size, n - k * size)).ToArray(), dim);
    }

    /// <summary>Pieces of the given sizes along <paramref name="dim"/>, which must add up to its length, as <c>torch.split([sizes])</c>.</summary>
    public Tensor[] Split(int[] sizes, int dim = 0)
    {
        ArgumentNullException.ThrowIfNull(sizes);
        int d = Shapes.Dim(dim, Rank, nameof(Split));
        if (Rank == 0 || sizes.Any(s => s < 0) || sizes.Sum() != shape[d])
            throw new ArgumentException($"Split: sizes {ShapeText(sizes)} do not add up to dimension {dim} of shape {ShapeText(shape)}.", nameof(sizes));
        var pieces = new Tensor[sizes.Length];
        for (int k = 0, start = 0; k < sizes.Length; start += sizes[k], k++) pieces[k] = Narrow(d, start, sizes[k]);
        return pieces;
    }

    /// <summary><paramref name="chunks"/> pieces of (nearly) equal size along <paramref name="dim"/>, as <c>torch.chunk</c>.</summary>
    public Tensor[] Chunk(int chunks, int dim = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(chunks);
        int n = Rank == 0 ? 1 : shape[Shapes.Dim(dim, Rank, nameof(Chunk))];
        return Split(Math.Max(1, (n + chunks - 1) / chunks), dim);
    }

    // The offset of each input of a Cat along its dimension, for the backward pass and the trace.
    internal static int[] CatOffsets(Tensor node)
    {
        var (inputs, dim) = (node.Inputs, node.Position);
        var offsets = new int[inputs.Length];
        for (int k = 1; k < offsets.Length; k++) offsets[k] = offsets[k - 1] + inputs[k - 1].shape[dim];
        return offsets;
    }
}
