// Fusion of elementwise work: forward and backward as passes over chunks, not whole arrays.
//
// Forward. An elementwise result of at least MinCount elements is deferred: it keeps its recipe (the op
// and its operands) instead of values, and is computed only when something reads its values — then in
// chunks of Chunk elements, the whole chain of deferred operands evaluated chunk by chunk in small
// buffers that stay in cache, each op with the same TensorPrimitives kernel the eager path uses (so
// the values are the same numbers). A sum of a deferred tensor never stores it. A deferred tensor that
// a second operation uses is computed then, once, so no work is repeated.
//
// Backward. When the backward pass reaches a Sum whose input is deferred, the region below it — deferred
// tensors that each feed exactly one operation of the region — is differentiated in one pass per chunk:
// its values recomputed in chunk buffers, the adjoints propagated through the region's ops in reverse
// (each op's rule as in Autograd.BackwardRule, the strong zero included), and only the gradients of the
// region's inputs written to memory. A region stops at a tensor that keeps its gradient (RetainGrad), that
// a functional gradient asks for, or that is not deferred; createGraph and anomaly detection take the
// ordinary path. Gradients agree with the unfused rules up to the order of additions (a sum's chunks, the
// accumulation of an operand used twice): see FusionTests.
using Hybrid.Symbolic;
using TP = System.Numerics.Tensors.TensorPrimitives;

namespace Hybrid.Tensors;

/// <summary>The recipe of a deferred elementwise result: the op, its operands (a scalar operand has rank 0) and constants.</summary>
internal sealed class Deferred(Op op, Tensor a, Tensor? b, double constant, double shift, Primitive? row, int depth, int count)
{
    public int Count { get; } = count;            // the number of elements of the result
    public Op Op { get; } = op;
    public Tensor A { get; } = a;
    public Tensor? B { get; } = b;
    public double Constant { get; } = constant;   // Power: the exponent; Affine: the scale
    public double Shift { get; } = shift;         // Affine: the constant added
    public Primitive? Row { get; } = row;         // Call: the one-argument row
    public int Offset => (int)Constant;           // Slice (a view of A): the first element
    public int Depth { get; } = depth;            // the longest chain of deferred operands below, plus one
    public int Uses { get; set; }                 // operations (and sums) that have taken this tensor as an operand
}

internal static class Fusion
{
    /// <summary>Elements per chunk: a few chunk buffers stay in the first-level cache.</summary>
    public const int Chunk = 512;

    /// <summary>
    /// The smallest elementwise result that is deferred: above the size where the eager ops run plain loops (Tensor.SmallCount),
    /// deferring already wins (W1 vectorized at n = 100: 8.4 → 5.3 µs; at n = 1000: 68 → 12 µs, 173 KB → 6 KB per call).
    /// </summary>
    public const int MinCount = Tensor.SmallCount + 1;

    /// <summary>The longest chain of deferred operands; a longer one computes its operand first (bounding the chunk evaluation's recursion and buffers).</summary>
    public const int MaxDepth = 16;

    [ThreadStatic] private static List<double[]>? buffers;
    [ThreadStatic] private static bool off;

    /// <summary>Until disposed, nothing is deferred on this thread: every op computes at once (the tests' reference).</summary>
    internal static IDisposable Off()
    {
        bool previous = off;
        off = true;
        return new Restore(() => off = previous);
    }

    private sealed class Restore(Action action) : IDisposable
    {
        public void Dispose() => action();
    }

    private static double[] Buffer(int index)
    {
        var list = buffers ??= [];
        while (list.Count <= index) list.Add(new double[Chunk]);
        return list[index];
    }

    /// <summary>A deferred result of <paramref name="op"/> (its operands claimed), or null when it is small enough to compute at once.</summary>
    public static Tensor? Defer(Op op, Tensor a, Tensor? b, int[] shape, int count, double constant = 0, double shift = 0, Primitive? row = null)
    {
        if (count < MinCount || off) return null;
        int depth = 1 + Math.Max(Claim(a), b is null || ReferenceEquals(a, b) ? 0 : Claim(b));
        return new Tensor(new Deferred(op, a, b, constant, shift, row, depth, count), shape);
    }

    /// <summary>A long contiguous slice as a view of its source (read in place by fused work, copied only if read otherwise), or null.</summary>
    public static Tensor? View(Tensor source, int start, int[] shape, int count) =>
        count < MinCount || off ? null : new Tensor(new Deferred(Op.Slice, source, null, start, 0, null, 1 + Claim(source), count), shape);

    // Takes t as an operand: a deferred t used a second time, or too deep, is computed now (a view costs nothing to
    // read again, so only depth computes it). Returns its depth.
    private static int Claim(Tensor t)
    {
        if (t.Recipe is not { } recipe) return 0;
        if (++recipe.Uses > 1 && recipe.Op != Op.Slice || recipe.Depth >= MaxDepth)
        {
            t.Materialize();
            return 0;
        }
        return recipe.Depth;
    }

    /// <summary>Takes a deferred tensor for a sum: true when the sum may read it in chunks without storing it.</summary>
    public static bool ClaimForSum(Tensor t) => t.Recipe is { } recipe && (++recipe.Uses == 1 || recipe.Op == Op.Slice);

    /// <summary>Σ of a deferred tensor, chunk by chunk.</summary>
    public static double Sum(Tensor t)
    {
        double total = 0;
        for (int start = 0; start < t.Count; start += Chunk)
        {
            int top = 0;
            total += TP.Sum(Values(t, start, Math.Min(Chunk, t.Count - start), ref top));
        }
        return total;
    }

    /// <summary>Writes a deferred tensor's values into <paramref name="result"/>, chunk by chunk.</summary>
    public static void Evaluate(Deferred recipe, double[] result)
    {
        for (int start = 0; start < result.Length; start += Chunk)
        {
            int length = Math.Min(Chunk, result.Length - start), top = 0;
            Compute(recipe, start, length, result.AsSpan(start, length), ref top);
        }
    }

    // The values of t on [start, start + length): a span of its storage, or computed into the next free chunk buffer.
    private static ReadOnlySpan<double> Values(Tensor t, int start, int length, ref int top)
    {
        if (t.Stored is { } data) return data.AsSpan(start, length);
        if (t.Recipe!.Op == Op.Slice) return Values(t.Recipe.A, t.Recipe.Offset + start, length, ref top);
        var into = Buffer(top++).AsSpan(0, length);
        Compute(t.Recipe!, start, length, into, ref top);
        return into;
    }

    private static void Compute(Deferred d, int start, int length, Span<double> into, ref int top)
    {
        int mark = top;
        if (d.Op == Op.Slice)
        {
            Values(d.A, d.Offset + start, length, ref top).CopyTo(into);
            top = mark;
            return;
        }
        var a = Operand(d.A, start, length, ref top);
        var b = d.B is null ? default : ReferenceEquals(d.B, d.A) ? a : Operand(d.B, start, length, ref top);
        Apply(d.Op, d.Constant, d.Shift, d.Row, a, b, into);
        top = mark;
    }

    /// <summary>An elementwise op over whole tensors (a rank-0 operand as a scalar) into <paramref name="into"/>: the eager path's kernels.</summary>
    public static void Kernel(Op op, Tensor a, Tensor? b, Span<double> into, double constant = 0, double shift = 0, Primitive? row = null)
    {
        static Values1 Whole(Tensor? t) => t is null ? default : t.Rank == 0 ? new(default, t.Data[0], true) : new(t.Data, 0, false);
        Apply(op, constant, shift, row, Whole(a), Whole(b), into);
    }

    // An operand's values: a scalar (rank 0) as one value, else its chunk.
    private readonly ref struct Values1(ReadOnlySpan<double> span, double scalar, bool isScalar)
    {
        public readonly ReadOnlySpan<double> Span = span;
        public readonly double Scalar = scalar;
        public readonly bool IsScalar = isScalar;
    }

    private static Values1 Operand(Tensor t, int start, int length, ref int top) =>
        t.Rank == 0 ? new(default, t.Data[0], true) : new(Values(t, start, length, ref top), 0, false);

    // One op on one chunk, or on whole tensors for the eager path (Kernel): constant is Power's exponent or Affine's scale.
    private static void Apply(Op op, double constant, double shift, Primitive? row, Values1 a, Values1 b, Span<double> into)
    {
        switch (op)
        {
            case Op.Add when a.IsScalar: TP.Add(b.Span, a.Scalar, into); break;
            case Op.Add when b.IsScalar: TP.Add(a.Span, b.Scalar, into); break;
            case Op.Add: TP.Add(a.Span, b.Span, into); break;
            case Op.Subtract when a.IsScalar: TP.Subtract(a.Scalar, b.Span, into); break;
            case Op.Subtract when b.IsScalar: TP.Subtract(a.Span, b.Scalar, into); break;
            case Op.Subtract: TP.Subtract(a.Span, b.Span, into); break;
            case Op.Multiply when a.IsScalar: TP.Multiply(b.Span, a.Scalar, into); break;
            case Op.Multiply when b.IsScalar: TP.Multiply(a.Span, b.Scalar, into); break;
            case Op.Multiply: TP.Multiply(a.Span, b.Span, into); break;
            case Op.Divide when a.IsScalar: TP.Divide(a.Scalar, b.Span, into); break;
            case Op.Divide when b.IsScalar: TP.Divide(a.Span, b.Scalar, into); break;
            case Op.Divide: TP.Divide(a.Span, b.Span, into); break;
            case Op.Affine:
                TP.Multiply(a.Span, constant, into);
                if (shift != 0) TP.Add(into, shift, into);
                break;
            case Op.Negate: TP.Negate(a.Span, into); break;
            case Op.Power when constant == 0.5: TP.Sqrt(a.Span, into); break;
            case Op.Power: TP.Pow(a.Span, constant, into); break;
            case Op.Call: row!.VectorEvaluate!(a.Span, into); break;
            default: throw new InvalidOperationException($"{op} is not an elementwise operation with a kernel.");
        }
    }

    // ---- Backward ---------------------------------------------------------------------------------

    /// <summary>The most tensors one region differentiates at once (two chunk buffers each): a larger region (a wide tree of deferred ops) takes the ordinary path.</summary>
    public const int MaxRegion = 64;

    // The inner tensors of the region below t (itself included), counted until past the cap.
    private static int InnerCount(Tensor t, Tensor[]? targets, int cap)
    {
        var recipe = t.Recipe!;
        int count = 1;
        if (Inner(recipe.A, targets)) count += InnerCount(recipe.A, targets, cap - count);
        if (count <= cap && recipe.B is { } b && !ReferenceEquals(b, recipe.A) && Inner(b, targets)) count += InnerCount(b, targets, cap - count);
        return count;
    }

    /// <summary>True when t is an inner tensor of a fused backward region.</summary>
    private static bool Inner(Tensor t, Tensor[]? targets) =>
        t.Recipe is { Uses: 1, Op: not Op.Slice } && PassesThrough(t, targets);

    // A recorded tensor whose own gradient nobody reads: its gradient only flows on to its operands.
    private static bool PassesThrough(Tensor t, Tensor[]? targets) =>
        t.IsRecorded && !t.RetainsGrad && (targets is null || Array.IndexOf(targets, t) < 0);

    /// <summary>
    /// The backward of a Sum over a deferred region in one pass per chunk (see the file's comment). Returns false, having
    /// changed nothing, when the Sum's input is not a region; otherwise hands each region input its gradient.
    /// </summary>
    public static bool Backward(Tensor sum, Tensor[]? targets)
    {
        var root = sum.First!;
        if (!Inner(root, targets) || InnerCount(root, targets, MaxRegion) > MaxRegion) return false;
        double seed = Autograd.TakePending(sum)!.FirstValue;
        var region = new Region(root, targets);
        int n = root.Count;
        for (int start = 0; start < n; start += Chunk) region.Run(start, Math.Min(Chunk, n - start), seed);
        region.Deliver(targets);
        return true;
    }

    private sealed class Region
    {
        private readonly List<Tensor> inner = [];                  // children before parents; the root last
        private readonly Dictionary<Tensor, int> index = new(ReferenceEqualityComparer.Instance);
        // Where each region input's gradient goes: an array and the offset of the input in it (a view's contributions go
        // straight to its source); the arrays to hand over at the end; scalar inputs' sums.
        private readonly Dictionary<Tensor, (double[] Array, int Offset)> routes = new(ReferenceEqualityComparer.Instance);
        private readonly Dictionary<Tensor, double[]> owned = new(ReferenceEqualityComparer.Instance);
        private readonly Dictionary<Tensor, int> scalars = new(ReferenceEqualityComparer.Instance);   // scalar inputs: their sum's index
        private readonly double[] scalarSums;
        private readonly (Link A, Link B)[] links;   // per inner tensor: its operands, resolved once (no lookups per chunk)
        private readonly double[][] values, adjoints;
        private readonly double[] scratch, partial;
        private readonly bool[] seeded;   // per inner tensor: its adjoint in this chunk has had a contribution
        private readonly bool direct;

        [ThreadStatic] private static List<double[]>? pool;   // chunk buffers of the region being differentiated (a backward pass is not re-entrant)

        public Region(Tensor root, Tensor[]? targets)
        {
            direct = targets is null;   // no functional gradient asked for: a leaf's gradient can go into its own buffer
            Collect(root, targets);
            var buffers = pool ??= [];
            while (buffers.Count < 2 * inner.Count + 2) buffers.Add(new double[Chunk]);
            values = buffers.GetRange(0, inner.Count).ToArray();
            adjoints = buffers.GetRange(inner.Count, inner.Count).ToArray();
            (scratch, partial) = (buffers[2 * inner.Count], buffers[2 * inner.Count + 1]);
            seeded = new bool[inner.Count];
            scalarSums = new double[scalars.Count];
            links = inner.Select(t => (LinkOf(t.Recipe!.A), t.Recipe.B is null ? Link.None : LinkOf(t.Recipe.B))).ToArray();
        }

        // An operand of an inner op: an inner tensor (its values and adjoint buffers), a region input whose gradient goes into an
        // array at an offset, a scalar input (its contributions summed), or a constant (nothing to send).
        private readonly record struct Link(int Inner, double[]? Gradient, int Offset, int Scalar)
        {
            public static Link None => new(-1, null, 0, -1);
        }

        private Link LinkOf(Tensor t) =>
            index.TryGetValue(t, out int k) ? new(k, null, 0, -1)
            : routes.TryGetValue(t, out var route) ? new(-1, route.Array, route.Offset, -1)
            : scalars.TryGetValue(t, out int j) ? new(-1, null, 0, j) : Link.None;

        private void Collect(Tensor t, Tensor[]? targets)
        {
            var recipe = t.Recipe!;
            foreach (var operand in recipe.B is null || ReferenceEquals(recipe.B, recipe.A) ? [recipe.A] : new[] { recipe.A, recipe.B })
            {
                if (index.ContainsKey(operand) || routes.ContainsKey(operand) || scalars.ContainsKey(operand)) continue;
                if (Inner(operand, targets)) Collect(operand, targets);
                else if (operand.RequiresGradient && operand.Rank == 0) scalars[operand] = scalars.Count;
                else if (operand.RequiresGradient) Route(operand, targets);
            }
            index[t] = inner.Count;
            inner.Add(t);
        }

        // Through views to the tensor whose gradient is stored: a leaf that keeps its gradient receives it in its own buffer.
        private void Route(Tensor operand, Tensor[]? targets)
        {
            var (target, offset) = (operand, 0);
            while (target.Recipe is { Op: Op.Slice } view && PassesThrough(target, targets) && view.A.RequiresGradient)
                (offset, target) = (offset + view.Offset, view.A);
            if (!owned.TryGetValue(target, out var array))
            {
                array = direct && target.IsLeaf && target.KeepsGrad ? target.GradientBuffer() : new double[target.Count];
                if (!(direct && target.IsLeaf && target.KeepsGrad)) owned[target] = array;
            }
            routes[operand] = (array, offset);
        }

        private Values1 RegionOperand(Tensor t, Link link, int start, int length, ref int top) =>
            link.Inner >= 0 ? new(values[link.Inner].AsSpan(0, length), 0, false) : Operand(t, start, length, ref top);

        // An operand's chunk: an inner tensor's computed values, a region input's storage (or its own deferred chunk), a scalar filled out.
        private ReadOnlySpan<double> OperandChunk(Tensor t, Link link, int start, int length, ref int top)
        {
            if (link.Inner >= 0) return values[link.Inner].AsSpan(0, length);
            if (t.Rank == 0)
            {
                var into = Buffer(top++).AsSpan(0, length);
                into.Fill(t.Data[0]);
                return into;
            }
            return Values(t, start, length, ref top);
        }

        public void Run(int start, int length, double seed)
        {
            int top = 0;
            // Forward: every inner value of this chunk (operands that are region inputs read or computed on the way).
            for (int k = 0; k < inner.Count; k++)
            {
                var (d, link) = (inner[k].Recipe!, links[k]);
                int mark = top;
                var a = RegionOperand(d.A, link.A, start, length, ref top);
                var b = d.B is null ? default : ReferenceEquals(d.B, d.A) ? a : RegionOperand(d.B, link.B, start, length, ref top);
                Apply(d.Op, d.Constant, d.Shift, d.Row, a, b, values[k].AsSpan(0, length));
                top = mark;
            }
            // Reverse: the sum's seed at the root, each op's rule sending to its operands.
            // An adjoint's first contribution is copied in, later ones added; one that gets none is 0 and sends nothing.
            Array.Clear(seeded);
            adjoints[^1].AsSpan(0, length).Fill(seed);
            seeded[^1] = true;
            for (int k = inner.Count - 1; k >= 0; k--)
            {
                if (!seeded[k]) continue;
                var (d, link) = (inner[k].Recipe!, links[k]);
                ReadOnlySpan<double> g = adjoints[k].AsSpan(0, length), y = values[k].AsSpan(0, length);
                var temp = scratch.AsSpan(0, length);
                int mark = top;
                var a = OperandChunk(d.A, link.A, start, length, ref top);
                var b = d.B is null ? default : OperandChunk(d.B, link.B, start, length, ref top);
                switch (d.Op)
                {
                    case Op.Add:
                        Send(link.A, g, start);
                        Send(link.B, g, start);
                        break;
                    case Op.Subtract:
                        Send(link.A, g, start);
                        TP.Negate(g, temp);
                        Send(link.B, temp, start);
                        break;
                    case Op.Multiply when ReferenceEquals(d.A, d.B):   // a·a: the two equal contributions at once (c + c = 2c exactly)
                        Chain(g, a, temp);
                        TP.Add(temp, temp, temp);
                        Send(link.A, temp, start);
                        break;
                    case Op.Multiply:
                        Chain(g, b, temp);
                        Send(link.A, temp, start);
                        Chain(g, a, temp);
                        Send(link.B, temp, start);
                        break;
                    case Op.Divide:
                        TP.Divide(g, b, temp);                  // g / b
                        Strong(g, temp);
                        Send(link.A, temp, start);
                        TP.Multiply(g, a, temp);                // −(g·a) / (b·b)
                        TP.Negate(temp, temp);
                        TP.Multiply(b, b, partial);
                        TP.Divide(temp, partial.AsSpan(0, length), temp);
                        Strong(g, temp);
                        Send(link.B, temp, start);
                        break;
                    case Op.Affine:
                        TP.Multiply(g, d.Constant, temp);
                        Send(link.A, temp, start);
                        break;
                    case Op.Negate:
                        TP.Negate(g, temp);
                        Send(link.A, temp, start);
                        break;
                    case Op.Power when d.Constant == 0:
                        break;                                  // u⁰ = 1: no gradient, also at u = 0
                    case Op.Power when d.Constant == 0.5:
                        TP.Multiply(y, 2, temp);                // g / (2√a)
                        TP.Divide(g, temp, temp);
                        Strong(g, temp);
                        Send(link.A, temp, start);
                        break;
                    case Op.Power:
                        TP.Pow(a, d.Constant - 1, partial.AsSpan(0, length));
                        TP.Multiply(partial.AsSpan(0, length), d.Constant, partial.AsSpan(0, length));
                        Chain(g, partial.AsSpan(0, length), temp);
                        Send(link.A, temp, start);
                        break;
                    case Op.Call:
                        RowPartial(d.Row!, a, y, partial.AsSpan(0, length));
                        Chain(g, partial.AsSpan(0, length), temp);
                        Send(link.A, temp, start);
                        break;
                    default: throw new InvalidOperationException($"{d.Op} is not a fused elementwise operation.");
                }
                top = mark;
            }
        }

        // The row's first partial at x (values y): its vector partial, or its numeric partial per element (its kink conventions).
        private static void RowPartial(Primitive row, ReadOnlySpan<double> x, ReadOnlySpan<double> y, Span<double> into)
        {
            if (row.VectorPartial is { } kernel) { kernel(x, y, into); return; }
            Span<double> arg = stackalloc double[1];
            for (int i = 0; i < into.Length; i++) { arg[0] = x[i]; into[i] = row.NumericPartials[0](arg); }
        }

        // Adds a contribution to an operand: an inner tensor's adjoint, a region input's gradient, or a scalar's sum.
        private void Send(Link link, ReadOnlySpan<double> contribution, int start)
        {
            if (link.Inner >= 0)
            {
                var adjoint = adjoints[link.Inner].AsSpan(0, contribution.Length);
                if (seeded[link.Inner]) TP.Add(adjoint, contribution, adjoint);
                else contribution.CopyTo(adjoint);
                seeded[link.Inner] = true;
            }
            else if (link.Gradient is { } gradient)
            {
                var target = gradient.AsSpan(link.Offset + start, contribution.Length);
                TP.Add(target, contribution, target);
            }
            else if (link.Scalar >= 0) scalarSums[link.Scalar] += TP.Sum(contribution);
        }

        public void Deliver(Tensor[]? targets)
        {
            foreach (var (input, gradient) in owned) Autograd.Deliver(input, new Tensor(gradient, input.ShapeArray), targets);
            foreach (var (input, k) in scalars) Autograd.Deliver(input, new Tensor(scalarSums[k]), targets);
        }
    }

    // g·p with the chain rule's strong zero: 0 where g or p is 0, even against ∞ or NaN (Autograd.Chain).
    private static void Chain(ReadOnlySpan<double> g, ReadOnlySpan<double> p, Span<double> into)
    {
        TP.Multiply(g, p, into);
        if (AllFinite(into)) return;
        for (int i = 0; i < into.Length; i++) if (!double.IsFinite(into[i]) && (g[i] == 0 || p[i] == 0)) into[i] = 0;
    }

    // A product formed from g (g/b, g/(2√a)), 0 where g is 0 even against ∞ or NaN (Autograd.Strong).
    private static void Strong(ReadOnlySpan<double> g, Span<double> product)
    {
        if (AllFinite(product)) return;
        for (int i = 0; i < product.Length; i++) if (g[i] == 0 && !double.IsFinite(product[i])) product[i] = 0;
    }

    // A sum with an infinity or NaN in it is not finite (one that overflows only sends the caller to its exact scan):
    // one vector pass decides the common case.
    private static bool AllFinite(ReadOnlySpan<double> values) => double.IsFinite(TP.Sum(values));
}
