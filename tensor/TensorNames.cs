// The names a reader of Dive into Deep Learning types, in C# casing: ranges on doubles, linspace, seeded
// random tensors with PyTorch's manual-seed semantics, *_like, and the comparisons (Equal, AllClose,
// IsClose). `==` on tensors is a compile error: in PyTorch it compares elements, in C# it would compare
// references, and `x.Grad == 4 * x` silently false is worse than a message that names the method to use.
using System.Runtime.CompilerServices;

namespace Hybrid.Tensors;

public sealed partial class Tensor
{
    /// <summary>start, start + step, ... below <paramref name="end"/> (above it for a negative step), as <c>torch.arange(start, end, step)</c>.</summary>
    /// <exception cref="ArgumentException">The step is 0 or not finite, or a bound is not finite.</exception>
    public static Tensor Arange(double start, double end, double step = 1)
    {
        if (step == 0 || !double.IsFinite(step) || !double.IsFinite(start) || !double.IsFinite(end))
            throw new ArgumentException($"Arange({start}, {end}, {step}): the bounds must be finite and the step finite and non-zero.", nameof(step));
        double count = Math.Ceiling((end - start) / step);
        if (count > MaxCount) throw new ArgumentOutOfRangeException(nameof(step), $"Arange({start}, {end}, {step}) would hold {count} elements, more than Tensor.MaxCount ({MaxCount}).");
        int n = Math.Max(0, (int)count);
        var data = new double[n];
        for (int i = 0; i < n; i++) data[i] = start + i * step;
        return new Tensor(data, [n]);
    }

    /// <summary>0, 1, ... below <paramref name="end"/>, as <c>torch.arange(4.0)</c>.</summary>
    public static Tensor Arange(double end) => Arange(0, end);

    /// <summary><paramref name="steps"/> evenly spaced values from start to end, both included, as <c>torch.linspace</c>.</summary>
    public static Tensor Linspace(double start, double end, int steps)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(steps);
        var data = new double[steps];
        for (int i = 0; i < steps; i++) data[i] = steps == 1 ? start : i == steps - 1 ? end : start + (end - start) * i / (steps - 1);
        return new Tensor(data, [steps]);
    }

    /// <summary>The value everywhere, in the shape of <paramref name="like"/>.</summary>
    public static Tensor FullLike(Tensor like, double value)
    {
        ArgumentNullException.ThrowIfNull(like);
        return Full(value, like.shape);
    }

    private static readonly Lock generatorLock = new();
    private static Random generator = new(0);

    /// <summary>Reseeds the generator of <see cref="Rand"/>, <see cref="Randn"/> and <see cref="Randint"/>, as <c>torch.manual_seed</c>: the same seed, the same tensors.</summary>
    public static void ManualSeed(int seed)
    {
        lock (generatorLock) generator = new Random(seed);
    }

    /// <summary>Uniform values in [0, 1) from the seedable generator (<see cref="ManualSeed"/>).</summary>
    public static Tensor Rand(params int[] shape) => Drawn(shape, r => r.NextDouble());

    /// <summary>Standard normal values (Box–Muller) from the seedable generator (<see cref="ManualSeed"/>).</summary>
    public static Tensor Randn(params int[] shape) =>
        Drawn(shape, r => Math.Sqrt(-2 * Math.Log(1 - r.NextDouble())) * Math.Cos(2 * Math.PI * r.NextDouble()));

    /// <summary>Integers in [low, high) as doubles, from the seedable generator (<see cref="ManualSeed"/>).</summary>
    /// <exception cref="ArgumentException"><paramref name="high"/> is not above <paramref name="low"/>.</exception>
    public static Tensor Randint(int low, int high, params int[] shape)
    {
        if (high <= low) throw new ArgumentException($"Randint({low}, {high}): high must be above low.", nameof(high));
        return Drawn(shape, r => r.Next(low, high));
    }

    private static Tensor Drawn(int[] shape, Func<Random, double> draw)
    {
        var data = new double[CheckedCount(shape)];
        lock (generatorLock)
            for (int i = 0; i < data.Length; i++) data[i] = draw(generator);
        return new Tensor(data, (int[])shape.Clone());
    }

    /// <summary>True when the tensors have the same shape and equal elements, as <c>torch.equal</c> (NaN equals nothing).</summary>
    public static bool Equal(Tensor a, Tensor b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        return a.SameShape(b) && a.Data.AsSpan().SequenceEqual(b.Data) && !a.Data.Any(double.IsNaN);
    }

    /// <summary>
    /// 1 where |a − b| ≤ absoluteTolerance + relativeTolerance·|b|, else 0, elementwise (a scalar on either side broadcasts),
    /// as <c>torch.isclose</c>; infinities are close only to themselves, NaN only with <paramref name="equalNaN"/>.
    /// </summary>
    public static Tensor IsClose(Tensor a, Tensor b, double relativeTolerance = 1e-5, double absoluteTolerance = 1e-8, bool equalNaN = false)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        int[] resultShape = a.SameShape(b) ? a.shape : Shapes.Broadcast(nameof(IsClose), a.shape, b.shape);
        var (left, right) = (a.ValuesIn(resultShape), b.ValuesIn(resultShape));
        var data = new double[left.Length];
        for (int i = 0; i < data.Length; i++)
        {
            double x = left[i], y = right[i];
            bool close = double.IsNaN(x) || double.IsNaN(y) ? equalNaN && double.IsNaN(x) && double.IsNaN(y)
                : x == y || double.IsFinite(x) && double.IsFinite(y) && Math.Abs(x - y) <= absoluteTolerance + relativeTolerance * Math.Abs(y);
            data[i] = close ? 1 : 0;
        }
        return new Tensor(data, resultShape);
    }

    /// <summary>True when every element is close (<see cref="IsClose"/>), as <c>torch.allclose</c>: <c>Tensor.AllClose(x.Grad!, 4 * x)</c>.</summary>
    public static bool AllClose(Tensor a, Tensor b, double relativeTolerance = 1e-5, double absoluteTolerance = 1e-8, bool equalNaN = false) =>
        IsClose(a, b, relativeTolerance, absoluteTolerance, equalNaN).Data.All(v => v == 1);

    /// <summary>Not available: compare elements with <see cref="Equal"/>, <see cref="AllClose"/> or <see cref="IsClose"/>, references with <c>ReferenceEquals</c> or <c>is null</c>.</summary>
    [Obsolete("== on tensors would compare references (PyTorch compares elements): use Tensor.Equal, Tensor.AllClose or Tensor.IsClose for values, ReferenceEquals or 'is null' for identity.", error: true)]
    public static bool operator ==(Tensor? a, Tensor? b) => ReferenceEquals(a, b);

    /// <summary>Not available: see <see cref="op_Equality"/>.</summary>
    [Obsolete("!= on tensors would compare references (PyTorch compares elements): use !Tensor.Equal, Tensor.AllClose or Tensor.IsClose for values, !ReferenceEquals or 'is not null' for identity.", error: true)]
    public static bool operator !=(Tensor? a, Tensor? b) => !ReferenceEquals(a, b);

    /// <summary>Reference equality (a tensor is a mutable buffer with a graph, not a value); compare values with <see cref="Equal"/>.</summary>
    public override bool Equals(object? obj) => ReferenceEquals(this, obj);

    /// <summary>A hash of the reference, consistent with <see cref="Equals(object?)"/>.</summary>
    public override int GetHashCode() => RuntimeHelpers.GetHashCode(this);
}
