// Shape arithmetic for N-dimensional tensors: broadcasting (NumPy's rule), dimension numbers (negative
// ones count from the end, as in PyTorch) and index maps. Every movement of data — a permutation, a
// strided slice, a broadcast, a reduction's grouping — is described by an index map: the flat position in
// the source of each element of the result (or, for a reduction, the result position of each source
// element). One pair of ops, Gather and ScatterAdd, applies such maps; each is the other's adjoint, so
// every view-like operation differentiates to any order with no rule of its own.
namespace Hybrid.Tensors;

internal static class Shapes
{
    /// <summary>The largest number of dimensions of one tensor.</summary>
    public const int MaxRank = 64;

    public static int Count(ReadOnlySpan<int> shape)
    {
        int count = 1;
        foreach (var n in shape) count *= n;
        return count;
    }

    /// <summary>Row-major strides of a contiguous tensor of this shape.</summary>
    public static int[] Strides(ReadOnlySpan<int> shape)
    {
        var strides = new int[shape.Length];
        int stride = 1;
        for (int d = shape.Length - 1; d >= 0; d--)
        {
            strides[d] = stride;
            stride *= shape[d];
        }
        return strides;
    }

    /// <summary>A dimension number in [−rank, rank) as one in [0, rank).</summary>
    public static int Dim(int dim, int rank, string what)
    {
        int r = Math.Max(rank, 1);   // a scalar accepts 0 and −1, as in PyTorch
        if (dim < -r || dim >= r)
            throw new ArgumentOutOfRangeException(nameof(dim), $"{what}: dimension {dim} is out of range for a tensor with {rank} dimension{(rank == 1 ? "" : "s")} (expected one in [{-r}, {r - 1}]).");
        return dim < 0 ? dim + r : dim;
    }

    /// <summary>The shape the arguments broadcast to: aligned from the right, each dimension equal or 1.</summary>
    /// <exception cref="ArgumentException">They do not broadcast; the message starts with <paramref name="what"/> and names the shapes.</exception>
    public static int[] Broadcast(string what, params int[][] shapes) => TryBroadcast(shapes) ??
        throw new ArgumentException($"{what}: shapes {string.Join(" and ", shapes.Select(Tensor.ShapeText))} do not match (elementwise operations broadcast: aligned from the right, each dimension must be equal or 1).");

    /// <summary>The shape the arguments broadcast to, or null.</summary>
    public static int[]? TryBroadcast(params int[][] shapes)
    {
        int rank = shapes.Max(s => s.Length);
        var result = new int[rank];
        for (int d = 0; d < rank; d++)
        {
            int size = 1;
            foreach (var s in shapes)
            {
                int k = d - (rank - s.Length);
                if (k < 0 || s[k] == 1) continue;
                if (size != 1 && s[k] != size) return null;
                size = s[k];
            }
            result[d] = size;
        }
        return result;
    }

    /// <summary>
    /// The source position of each element of a result of <paramref name="shape"/> read with <paramref name="strides"/>
    /// (one per result dimension, 0 for a broadcast dimension) from <paramref name="offset"/>, row-major.
    /// </summary>
    public static int[] Map(int[] shape, int[] strides, int offset)
    {
        var map = new int[Count(shape)];
        if (map.Length == 0) return map;
        int rank = shape.Length;
        if (rank == 0) { map[0] = offset; return map; }
        var index = new int[rank];
        int position = offset, last = rank - 1, n = shape[last], stride = strides[last];
        for (int i = 0; i < map.Length; i += n)
        {
            for (int j = 0; j < n; j++) map[i + j] = position + j * stride;
            // the odometer over the leading dimensions
            for (int d = last - 1; d >= 0; d--)
            {
                position += strides[d];
                if (++index[d] < shape[d]) break;
                position -= strides[d] * shape[d];
                index[d] = 0;
            }
        }
        return map;
    }

    /// <summary>The map of a broadcast: for each element of <paramref name="to"/>, the position in a tensor of <paramref name="from"/> it repeats.</summary>
    public static int[] BroadcastMap(int[] from, int[] to)
    {
        var source = Strides(from);
        var strides = new int[to.Length];
        for (int d = 0; d < from.Length; d++)
            if (from[d] != 1) strides[d + to.Length - from.Length] = source[d];
        return Map(to, strides, 0);
    }

    /// <summary>True when the map reads one contiguous run in order (then a copy of a span does it).</summary>
    public static bool IsRun(int[] map)
    {
        for (int i = 1; i < map.Length; i++) if (map[i] != map[0] + i) return false;
        return true;
    }

    public static int[] Without(int[] shape, int dim) => [.. shape[..dim], .. shape[(dim + 1)..]];

    public static int[] Replace(int[] shape, int dim, int size)
    {
        var result = (int[])shape.Clone();
        result[dim] = size;
        return result;
    }
}
