// Reductions along dimensions, as PyTorch's sum(dim, keepdim) family. A sum is one ScatterAdd that
// sends each element to its group (its backward is the Gather that repeats the gradient over the group);
// a maximum is a Gather of the chosen elements (the gradient goes to the index it returns, as PyTorch's
// max(dim)); a product multiplies halves pairwise, log₂ n recorded multiplications, so zeros and
// higher derivatives need no special rule; the norm and the mean are compositions.
namespace Hybrid.Tensors;

public sealed partial class Tensor
{
    // The dimensions a reduction removes (none given: all), and the shape of its result with and without them kept as 1.
    private (bool[] Reduced, int[] Kept, int[] Result) Reduction(string what, int[] dims, bool keepDim)
    {
        ArgumentNullException.ThrowIfNull(dims);
        var reduced = new bool[Rank];
        foreach (var dim in dims)
        {
            int d = Shapes.Dim(dim, Rank, what);
            if (Rank > 0 && reduced[d]) throw new ArgumentException($"{what}: dimension {dim} is named twice.", nameof(dims));
            if (Rank > 0) reduced[d] = true;
        }
        if (dims.Length == 0) Array.Fill(reduced, true);
        var kept = shape.Select((n, d) => reduced[d] ? 1 : n).ToArray();
        return (reduced, kept, keepDim ? kept : shape.Where((_, d) => !reduced[d]).ToArray());
    }

    /// <summary>The sum along <paramref name="dim"/>, removed (kept as size 1 with <paramref name="keepDim"/>), as <c>sum(dim, keepdim)</c>.</summary>
    public Tensor Sum(int dim, bool keepDim = false) => Sum([dim], keepDim);

    /// <summary>The sum over several dimensions (an empty list: all of them).</summary>
    public Tensor Sum(int[] dims, bool keepDim = false)
    {
        var (reduced, kept, result) = Reduction(nameof(Sum), dims, keepDim);
        if (Rank == 0) return this;
        var strides = Shapes.Strides(kept);
        for (int d = 0; d < Rank; d++) if (reduced[d]) strides[d] = 0;
        return ScatterAdd(this, Shapes.Map(shape, strides, 0), result);
    }

    /// <summary>The mean along <paramref name="dim"/>, as <c>mean(dim, keepdim)</c>.</summary>
    public Tensor Mean(int dim, bool keepDim = false) => Mean([dim], keepDim);

    /// <summary>The mean over several dimensions (an empty list: all of them).</summary>
    public Tensor Mean(int[] dims, bool keepDim = false)
    {
        var (reduced, _, _) = Reduction(nameof(Mean), dims, keepDim);
        return Sum(dims, keepDim) / shape.Where((_, d) => reduced[d]).Aggregate(1, (a, b) => a * b);
    }

    /// <summary>The Euclidean norm along <paramref name="dim"/>, as <c>norm(dim=dim, keepdim)</c>; its gradient at a zero group is 0.</summary>
    public Tensor Norm(int dim, bool keepDim = false) => Norm([dim], keepDim);

    /// <summary>The Euclidean norm over several dimensions (an empty list: all of them).</summary>
    public Tensor Norm(int[] dims, bool keepDim = false) => Sqrt((this * this).Sum(dims, keepDim));

    /// <summary>The product of all elements, as a scalar; exact gradients also where elements are 0.</summary>
    public Tensor Prod() => Prod([], keepDim: false);

    /// <summary>The product along <paramref name="dim"/>, as <c>prod(dim, keepdim)</c>.</summary>
    public Tensor Prod(int dim, bool keepDim = false) => Prod([dim], keepDim);

    /// <summary>The product over several dimensions (an empty list: all of them).</summary>
    public Tensor Prod(int[] dims, bool keepDim = false)
    {
        var (reduced, _, result) = Reduction(nameof(Prod), dims, keepDim);
        if (Rank == 0) return this;
        // The reduced dimensions moved last, one row per result element.
        var order = Enumerable.Range(0, Rank).Where(d => !reduced[d]).Concat(Enumerable.Range(0, Rank).Where(d => reduced[d])).ToArray();
        int n = Shapes.Count(order.Where(d => reduced[d]).Select(d => shape[d]).ToArray()), rows = Shapes.Count(result);
        var factors = Permute(order).Reshape(rows, n);
        while (n > 1)
        {
            int half = n / 2;
            var product = factors.Narrow(1, 0, half) * factors.Narrow(1, half, half);
            factors = n % 2 == 0 ? product : Cat([product, factors.Narrow(1, n - 1, 1)], 1);
            n = half + n % 2;
        }
        return n == 0 ? Ones(result) : factors.Reshape(result);
    }

    /// <summary>The largest element, as a scalar (NaN if any is NaN); equal largest elements share the gradient evenly, as PyTorch's <c>max()</c>.</summary>
    public Tensor Max() => Whole(Flatten().Max(0).Values);

    /// <summary>The smallest element, as a scalar (NaN if any is NaN); equal smallest elements share the gradient evenly, as PyTorch's <c>min()</c>.</summary>
    public Tensor Min() => Whole(Flatten().Min(0).Values);

    // The extreme m of the whole tensor, with the gradient shared among its c ties: m + Σ (tie − m)/c, where m is a
    // constant and every tie − m is exactly 0, so the value is m bit for bit and each tie's partial is 1/c.
    private Tensor Whole(Tensor first)
    {
        double m = first.Item();
        if (Rank == 0 || !double.IsFinite(m)) return Rank == 0 ? this : first;
        var values = Data;
        var ties = Enumerable.Range(0, Count).Where(i => values[i] == m).ToArray();
        return ties.Length == 1 ? first : Scalar(m) + ((Take(ties, [ties.Length]) - m) / ties.Length).Sum();
    }

    /// <summary>
    /// The largest elements along <paramref name="dim"/> and their positions (as whole numbers), as <c>max(dim, keepdim)</c>:
    /// the first of equal maxima, NaN wherever a NaN occurs; the gradient flows to the returned positions.
    /// </summary>
    /// <exception cref="ArgumentException">The dimension is empty.</exception>
    public (Tensor Values, Tensor Indices) Max(int dim, bool keepDim = false) => Extreme(nameof(Max), dim, keepDim, +1);

    /// <summary>The smallest elements along <paramref name="dim"/> and their positions, as <c>min(dim, keepdim)</c>.</summary>
    public (Tensor Values, Tensor Indices) Min(int dim, bool keepDim = false) => Extreme(nameof(Min), dim, keepDim, -1);

    /// <summary>The position of the largest element of the flattened tensor, as <c>argmax()</c>.</summary>
    public Tensor Argmax() => Rank == 0 ? Scalar(0) : Flatten().Max(0).Indices;

    /// <summary>The positions of the largest elements along <paramref name="dim"/>, as <c>argmax(dim, keepdim)</c>.</summary>
    public Tensor Argmax(int dim, bool keepDim = false) => Max(dim, keepDim).Indices;

    /// <summary>The position of the smallest element of the flattened tensor, as <c>argmin()</c>.</summary>
    public Tensor Argmin() => Rank == 0 ? Scalar(0) : Flatten().Min(0).Indices;

    /// <summary>The positions of the smallest elements along <paramref name="dim"/>, as <c>argmin(dim, keepdim)</c>.</summary>
    public Tensor Argmin(int dim, bool keepDim = false) => Min(dim, keepDim).Indices;

    private (Tensor Values, Tensor Indices) Extreme(string what, int dim, bool keepDim, int sign)
    {
        var (_, _, result) = Reduction(what, [dim], keepDim);
        if (Rank == 0) return (this, Scalar(0));
        int d = Shapes.Dim(dim, Rank, what), n = shape[d];
        if (n == 0) throw new ArgumentException($"{what}: dimension {dim} of shape {ShapeText(shape)} is empty; there is no extreme element.", nameof(dim));
        int inner = Shapes.Count(shape.AsSpan(d + 1)), outer = Shapes.Count(shape.AsSpan(0, d));
        var (map, indices, values) = (new int[outer * inner], new double[outer * inner], Data);
        for (int o = 0; o < outer; o++)
            for (int j = 0; j < inner; j++)
            {
                int start = o * n * inner + j, best = 0;
                for (int k = 0; k < n; k++)
                {
                    double v = values[start + k * inner];
                    if (double.IsNaN(v)) { best = k; break; }
                    if (sign * v > sign * values[start + best * inner]) best = k;
                }
                (map[o * inner + j], indices[o * inner + j]) = (start + best * inner, best);
            }
        return (Take(map, result), new Tensor(indices, result));
    }
}
