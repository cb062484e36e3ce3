// The backward pass of define-by-run autograd. The recorded tensors ("nodes") reachable from the outputs
// are visited deepest first (a valid reverse topological order: a node's depth is one more than its
// deepest input's); each applies its op's vector-Jacobian product, written here once per op with
// tensor operations. Without createGraph those operations run in no-grad mode (plain numbers);
// with it they are recorded, so the gradient has a graph of its own and can be differentiated
// again. Without retainGraph the visited nodes are freed: a second backward through them is an
// error that says how to keep them.
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Hybrid.Tapes;

namespace Hybrid.Tensors;

/// <summary>Grad mode, the functional gradient, and anomaly detection for <see cref="Tensor"/>.</summary>
public static partial class Autograd
{
    [ThreadStatic] private static int noGradDepth;
    [ThreadStatic] private static bool forceRecording;
    [ThreadStatic] private static bool notRecording;   // !(forceRecording || noGradDepth == 0), kept so every op reads one thread-static
    [ThreadStatic] private static int anomalyDepth;

    /// <summary>True when operations on tensors that require grad are recorded (the default; false inside <see cref="NoGrad"/>).</summary>
    public static bool IsRecording => !notRecording;

    private static void SetGradMode(int noGrad, bool force) => (noGradDepth, forceRecording, notRecording) = (noGrad, force, !(force || noGrad == 0));

    /// <summary>Until disposed, nothing is recorded on this thread: results do not require grad (PyTorch's <c>torch.no_grad()</c>).</summary>
    public static IDisposable NoGrad()
    {
        SetGradMode(noGradDepth + 1, forceRecording);
        return new Scope(() => SetGradMode(noGradDepth - 1, forceRecording));
    }

    /// <summary>Until disposed, every backward pass on this thread checks each gradient it computes and throws at the first NaN, naming the operation.</summary>
    public static IDisposable DetectAnomaly()
    {
        anomalyDepth++;
        return new Scope(() => anomalyDepth--);
    }

    private sealed class Scope(Action exit) : IDisposable
    {
        private bool disposed;
        public void Dispose()
        {
            if (disposed) return;
            disposed = true;
            exit();
        }
    }

    /// <summary>
    /// The gradients of Σ gradOutputs[k]·outputs[k] with respect to <paramref name="inputs"/>, returned rather than accumulated
    /// into <see cref="Tensor.Grad"/> (PyTorch's <c>torch.autograd.grad</c>). With <paramref name="createGraph"/> the results are
    /// recorded and can be differentiated again (Hessian-vector products, second derivatives).
    /// </summary>
    /// <param name="outputs">The tensors to differentiate.</param>
    /// <param name="inputs">The tensors to differentiate with respect to.</param>
    /// <param name="gradOutputs">The vector of each vector-Jacobian product (required for an output with several elements).</param>
    /// <param name="retainGraph">Keep the graph for another backward pass.</param>
    /// <param name="createGraph">Record the gradients, for derivatives of higher order.</param>
    /// <param name="allowUnused">An input the outputs do not depend on gets zeros (PyTorch's <c>allow_unused</c> with <c>materialize_grads</c>) instead of an error.</param>
    /// <exception cref="InvalidOperationException">An output does not require grad, is not scalar and has no gradient given, the graph was freed, or an input was not used (without <paramref name="allowUnused"/>).</exception>
    public static Tensor[] Grad(Tensor[] outputs, Tensor[] inputs, Tensor[]? gradOutputs = null, bool retainGraph = false, bool createGraph = false, bool allowUnused = false)
    {
        ArgumentNullException.ThrowIfNull(outputs);
        ArgumentNullException.ThrowIfNull(inputs);
        var results = Run(outputs, gradOutputs, retainGraph || createGraph, createGraph, inputs, allowUnused);
        return results!;
    }

    // Buffers reused by every backward pass on this thread (a pass is not re-entrant on one thread).
    [ThreadStatic] private static Buffers? buffers;

    private sealed class Buffers
    {
        // Plain arrays and counts, not List and Stack: a backward pass of W4 visits 13 nodes, and their overhead showed.
        // Slotted[k] is the tensor with Slot k + 1 and Pending[k] its pending gradient; the first OrderCount are the
        // recorded tensors the outputs depend on, deepest first (the order of the pass), then come the tensors that
        // received a gradient without being recorded (leaves, in a functional gradient or with createGraph).
        public Tensor[] Slotted = new Tensor[16];
        public PendingGradient[] Pending = new PendingGradient[16];
        public int SlottedCount, OrderCount;
        public Tensor[] Stack = new Tensor[16];
        public int StackCount;
        public Contribution[] Gradients = new Contribution[3];   // one per input of the node being visited (grown for a Cat of more)

        public static void Push(ref Tensor[] array, ref int count, Tensor t)
        {
            if (count == array.Length) Array.Resize(ref array, 2 * count);
            // Stored through a reference: Tensor is sealed, so the covariance check a store into an array makes is never needed.
            Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(array), count++) = t;
        }

        // The tensor's entry, made on first use (the tensor's Slot says where it is).
        public ref PendingGradient PendingOf(Tensor t)
        {
            if (t.Slot == 0)
            {
                if (SlottedCount == Pending.Length) Array.Resize(ref Pending, 2 * SlottedCount);
                Push(ref Slotted, ref SlottedCount, t);
                t.Slot = SlottedCount;
                Pending[t.Slot - 1].Scale = 1;   // the rest is already clear (Finish): no reference written, so no write barrier
            }
            return ref Pending[t.Slot - 1];
        }

        // After a pass: every slot released, the graph freed unless retained, no reference kept to it.
        public void Finish(bool free)
        {
            for (int k = 0; k < SlottedCount; k++)
            {
                var t = Slotted[k];
                t.Slot = 0;
                t.Visited = false;
                if (free && k < OrderCount) t.Freed = true;
                Slotted[k] = null!;
                Pending[k] = default;
            }
            for (int k = 0; k < StackCount; k++) Stack[k] = null!;   // only after an error: a completed search empties it
            Array.Clear(Gradients);
            (SlottedCount, OrderCount, StackCount) = (0, 0, 0);
        }

        // Adds scale·gradient to the tensor's pending gradient.
        public void Accumulate(Tensor t, Tensor gradient, double scale = 1)
        {
            ref var pending = ref PendingOf(t);
            if (pending.Gradient is null)
            {
                pending = new() { Gradient = gradient, Scale = scale };
                return;
            }
            var current = Take(ref pending)!;
            var added = scale == 1 ? gradient : gradient * scale;
            if (pending.Owned && !IsRecording) current.AddInPlace(added);
            else pending = new() { Gradient = current + added, Scale = 1, Owned = true };   // out of place: recorded with createGraph, and never writes a shared buffer
        }

        public Tensor? TakePending(Tensor t) => t.Slot == 0 ? null : Take(ref Pending[t.Slot - 1]);

        private static Tensor? Take(ref PendingGradient pending)
        {
            if (pending.Gradient is not null && pending.Scale != 1) pending = new() { Gradient = pending.Gradient * pending.Scale, Scale = 1, Owned = true };
            return pending.Gradient;
        }
    }

    // The gradient accumulated for one tensor during a pass is Scale·Gradient: kept apart so that a chain of scalings
    // (b = 2b, ...) multiplies numbers, not tensors. Owned: Gradient is this pass's own buffer (else it may be the very
    // tensor another input received, which must not change).
    private struct PendingGradient
    {
        public Tensor? Gradient;
        public double Scale;
        public bool Owned;
    }

    // Deepest first (a valid reverse topological order: an op is deeper than its inputs); equal depths, which never depend on
    // each other, in the order the search reached them, so the order (and the sums of gradients) is the same every time.
    private static readonly Comparison<Tensor> deepestFirst = (a, b) => a.Depth != b.Depth ? b.Depth.CompareTo(a.Depth) : a.Slot.CompareTo(b.Slot);

    // The seed of a scalar output's backward pass, shared by every pass (no allocation per pass). It is never written
    // (pending gradients not owned are never changed in place) and never handed to the user (Exposed).
    private static readonly Tensor one = Tensor.Scalar(1);

    private static Tensor Exposed(Tensor gradient) => ReferenceEquals(gradient, one) ? Tensor.Scalar(1) : gradient;

    internal static Tensor[]? Run(ReadOnlySpan<Tensor> outputs, Tensor[]? seeds, bool retainGraph, bool createGraph, Tensor[]? targets, bool allowUnused = false)
    {
        for (int k = 0; k < outputs.Length; k++)
            if (outputs[k] is null) throw new ArgumentNullException(nameof(outputs), $"outputs[{k}] is null: every element must be a tensor.");
        if (targets is not null) RequireNoNull(targets, "inputs");
        if (seeds is not null && seeds.Length != outputs.Length)
            throw new ArgumentException($"{seeds.Length} gradients were given for {outputs.Length} outputs.", nameof(seeds));
        for (int k = 0; k < outputs.Length; k++) Seed(outputs[k], seeds?[k]);   // checked before anything changes
        var b = buffers ??= new Buffers();
        bool completed = false, anomaly = anomalyDepth > 0;
        var (previousNoGrad, previousForce) = (noGradDepth, forceRecording);
        if (createGraph) SetGradMode(noGradDepth, true); else SetGradMode(noGradDepth + 1, forceRecording);
        try
        {
            Reachable(outputs, b);
            for (int k = 0; k < outputs.Length; k++) b.Accumulate(outputs[k], Seed(outputs[k], seeds?[k]));
            for (int k = 0; k < b.OrderCount; k++)
            {
                var node = b.Slotted[k];
                var pending = b.Pending[k];
                if (pending.Gradient is null) continue;
                if (node.Op == Op.Affine && !createGraph && !anomaly)   // scale·g: numbers only, straight to the input
                {
                    Deliver(b, node.First!, pending.Gradient, targets, createGraph, pending.Scale * node.Constant);
                    continue;
                }
                // A sum over fused elementwise work: its whole region differentiated chunk by chunk (Fusion.cs).
                if (node.Op == Op.Sum && !createGraph && !anomaly && node.First!.Recipe is not null && Fusion.Backward(node, targets))
                    continue;
                int inputCount = node.InputCount;
                if (inputCount > b.Gradients.Length) b.Gradients = new Contribution[inputCount];
                var gradients = b.Gradients;
                if (node.Op == Op.Affine && !createGraph) gradients[0] = new(pending.Gradient, pending.Scale * node.Constant);
                else Backward(node, b.TakePending(node)!, gradients);
                for (int i = 0; i < inputCount; i++)
                {
                    var (gi, scale, outerWith) = gradients[i];
                    if (gi is null) continue;
                    gradients[i] = default;
                    var input = node.Input(i);
                    if (anomaly && (double.IsNaN(scale) || gi.Data.Any(double.IsNaN)))
                        throw new ArithmeticException($"Backward of {node.OpName} produced NaN in the gradient of its input {i} (shape {Tensor.ShapeText(input.Shape)}); " +
                            $"its inputs were {string.Join(", ", node.Inputs.Select(t => t.ToString()))}.");
                    Deliver(b, input, gi, targets, createGraph, scale, outerWith);
                }
            }
            completed = true;
            if (targets is not null) return TargetGradients(b, targets, allowUnused);
            for (int k = 0; k < b.SlottedCount; k++)
                if (b.Slotted[k] is { KeepsGrad: true } t && b.TakePending(t) is { } gradient) t.StoreGrad(Exposed(gradient), createGraph);
            return null;
        }
        finally
        {
            SetGradMode(previousNoGrad, previousForce);
            b.Finish(free: completed && !retainGraph);
        }
    }

    // The functional gradient's results. A method of its own: its lambda's captured state would otherwise be allocated on every pass.
    private static Tensor[] TargetGradients(Buffers b, Tensor[] targets, bool allowUnused) =>
        targets.Select(t => (b.TakePending(t) is { } g ? Exposed(g) : null) ?? (allowUnused ? Tensor.ZerosLike(t) : null) ?? throw new InvalidOperationException(
            $"An input of shape {Tensor.ShapeText(t.Shape)} was not used to compute the outputs (or does not require grad), so it has no gradient.")).ToArray();

    // A gradient reaching an input: a leaf's straight into its reused buffer, any other's into its pending sum.
    private static void Deliver(Buffers b, Tensor input, Tensor gradient, Tensor[]? targets, bool createGraph, double scale = 1, Tensor? outerWith = null)
    {
        if (targets is null && input.IsLeaf && input.KeepsGrad && !createGraph) input.AccumulateGrad(gradient, scale, outerWith);
        else if (outerWith is not null) b.Accumulate(input, Tensor.Outer(gradient, outerWith));
        else b.Accumulate(input, gradient, scale);
    }

    /// <summary>Delivers a gradient to an input during this thread's backward pass (the fused backward's results).</summary>
    internal static void Deliver(Tensor input, Tensor gradient, Tensor[]? targets) => Deliver(buffers!, input, gradient, targets, createGraph: false);

    /// <summary>The tensor's pending gradient in this thread's backward pass as one tensor (its scale applied); null if none arrived.</summary>
    internal static Tensor? TakePending(Tensor t) => buffers!.TakePending(t);

    private static void RequireNoNull(Tensor[] tensors, string name)
    {
        int at = Array.IndexOf(tensors, null);
        if (at >= 0) throw new ArgumentNullException(name, $"{name}[{at}] is null: every element must be a tensor.");
    }

    // Recording on even inside an enclosing NoGrad: a trace records whatever its function does.
    internal static IDisposable Recording()
    {
        bool previous = forceRecording;
        SetGradMode(noGradDepth, true);
        return new Scope(() => SetGradMode(noGradDepth, previous));
    }


    private static Tensor Seed(Tensor output, Tensor? gradient)
    {
        if (!output.RequiresGradient)
            throw new InvalidOperationException("Backward was called on a tensor that does not require grad and has no recorded operation: call RequiresGrad() on the leaf tensors "
                + "to differentiate with respect to before computing with them (and not inside Autograd.NoGrad() or on a Detach()ed value).");
        if (gradient is null)
        {
            if (output.Count != 1)
                throw new InvalidOperationException($"grad can be implicitly created only for scalar outputs; this output has shape {Tensor.ShapeText(output.Shape)}. "
                    + "Pass a gradient of the same shape (y.Backward(gradient: Tensor.OnesLike(y))) or reduce the output first (y.Sum().Backward()).");
            return output.Rank == 0 ? one : Tensor.OnesLike(output);
        }
        if (!gradient.SameShape(output))
            throw new ArgumentException($"The gradient has shape {Tensor.ShapeText(gradient.Shape)}; the output has shape {Tensor.ShapeText(output.Shape)}.");
        return gradient;
    }

    // The recorded tensors the outputs depend on, latest first, into the buffers' order, each given its slot (which also
    // marks it visited); an explicit stack, so any depth is safe.
    private static void Reachable(ReadOnlySpan<Tensor> outputs, Buffers b)
    {
        foreach (var output in outputs) Visit(output, b);
        while (b.StackCount > 0)
        {
            var node = b.Stack[--b.StackCount];
            b.Stack[b.StackCount] = null!;
            while (true)   // down a chain of one-input records without the stack (W4's doublings)
            {
                if (node.Freed)
                    throw new InvalidOperationException("Trying to backward through the graph a second time: the first Backward freed it (its saved values are gone). "
                        + "Call Backward(retainGraph: true) the first time if you need to backward through the same graph again.");
                b.PendingOf(node);
                int n = node.InputCount;
                if (n == 1 && node.First is { IsRecorded: true, Visited: false } next)
                {
                    next.Visited = true;
                    node = next;
                    continue;
                }
                for (int i = 0; i < n; i++) Visit(node.Input(i), b);
                break;
            }
        }
        b.OrderCount = b.SlottedCount;
        // A chain (the common case: each node's one recorded input made just before it) comes out in order already.
        var order = b.Slotted.AsSpan(0, b.OrderCount);
        bool sorted = true;
        for (int k = 1; k < order.Length && sorted; k++) sorted = order[k - 1].Depth > order[k].Depth;
        if (sorted) return;
        order.Sort(deepestFirst);   // ties by Slot: the order the search reached them
        for (int k = 0; k < order.Length; k++) order[k].Slot = k + 1;   // every entry is still {no gradient, scale 1}
    }

    private static void Visit(Tensor t, Buffers b)
    {
        if (!t.IsRecorded || t.Visited) return;
        t.Visited = true;
        Buffers.Push(ref b.Stack, ref b.StackCount, t);
    }

    // The vector-Jacobian product of one node: the gradient of each input (null where none is needed).
    // A gradient given as scale·tensor, or as the outer product tensor·outerWithᵀ, so that scaling a large vector or
    // forming a weight matrix's gradient needs no temporary when it goes straight into a leaf's buffer.
    internal readonly record struct Contribution(Tensor? Tensor, double Scale, Tensor? OuterWith = null);

    private static void Backward(Tensor node, Tensor g, Contribution[] into)
    {
        var (a, b) = (node.First!, node.Second);
        if (!IsRecording)
            switch (node.Op)
            {
                case Op.Dot when ReferenceEquals(a, b):   // d(a·a) = 2g·a
                    into[0] = new(a, 2 * g.FirstValue);
                    return;
                case Op.Dot:
                    into[0] = new(a.RequiresGradient ? b : null, g.FirstValue);
                    into[1] = new(b!.RequiresGradient ? a : null, g.FirstValue);
                    return;
                case Op.MatMul when b!.Rank == 1:   // d(A·b): outer(g, b) for A, Aᵀ·g for b
                    into[0] = new(a.RequiresGradient ? g : null, 1, b);
                    into[1] = new(b.RequiresGradient ? Tensor.MatMul(a.Transpose(), g) : null, 1);
                    return;
            }
        var gradients = BackwardRule(node, g);
        for (int i = 0; i < gradients.Length; i++) into[i] = new(gradients[i], 1);
    }

    private static Tensor?[] BackwardRule(Tensor node, Tensor g)
    {
        var (a, b, output) = (node.First!, node.Second, node);
        bool needA = a.RequiresGradient, needB = b?.RequiresGradient ?? false;
        // A switch expression with no discard: a new Op without a backward rule does not build.
        return node.Op switch
        {
            Op.Add => [needA ? Reduce(g, a) : null, needB ? Reduce(g, b!) : null],
            Op.Subtract => [needA ? Reduce(g, a) : null, needB ? Reduce(-g, b!) : null],
            // Elementwise rules go through Chain (or Strong where the product is formed from g directly): a zero gradient
            // element or a zero partial sends zero, even against ∞ or NaN (the chain rule's 0·∞ = 0, as on the tape;
            // docs/tape.md, Singular points).
            Op.Multiply => [needA ? Reduce(Chain(g, b!), a) : null, needB ? Reduce(Chain(g, a), b!) : null],
            Op.Divide => [needA ? Reduce(Strong(g, g / b!), a) : null, needB ? Reduce(Strong(g, -(g * a) / (b! * b!)), b!) : null],
            // ∂/∂a = b·a^(b−1), ∂/∂b = aᵇ·log a, each product with 0·anything = 0 (x^x at 0: −∞, as on the tape)
            Op.PowerOf => [needA ? Reduce(Chain(g, Chain(b!, Tensor.Pow(a, b! - 1))), a) : null, needB ? Reduce(Chain(g, Chain(output, Tensor.Log(a))), b!) : null],
            Op.Affine => [g * node.Constant],
            Op.Negate => [-g],
            Op.Power when node.Constant == 0 => [Tensor.ZerosLike(a)],   // u^0 = 1: its derivative is 0 everywhere, also at u = 0
            Op.Power when node.Constant == 0.5 => [Strong(g, g / (2 * output))],   // √a: sqrt'(0) = +inf, as on the tape
            Op.Power => [Chain(g, node.Constant * Tensor.Pow(a, node.Constant - 1))],
            // A row's first partial from its numeric facets (the row's kink conventions); under createGraph, the partial
            // is the row's exact derivative applied elementwise, itself recorded, so every order is available.
            Op.Call when !IsRecording && node.InputCount == 1 => [Chain(g, node.Function!.FirstPartial(a, output))],
            Op.Call => CallBackward(node, g),
            Op.Sum => [Tensor.ExpandScalar(g, a.ShapeArray)],
            Op.Expand => [g.Sum()],
            Op.Norm => [output.Data[0] == 0 ? Tensor.ZerosLike(a) : a * g / output],
            Op.Slice => [Tensor.Pad(g, node.Position, a.ShapeArray)],
            Op.Pad => [g.SliceFlat(node.Position, a.ShapeArray)],
            Op.Dot => [needA ? g * b! : null, needB ? g * a : null],
            Op.MatMul when b!.Rank == 1 => [needA ? Tensor.Outer(g, b) : null, needB ? Tensor.MatMul(a.Transpose(), g) : null],
            Op.MatMul => [needA ? Tensor.MatMul(g, b.Transpose()) : null, needB ? Tensor.MatMul(a.Transpose(), g) : null],
            Op.Outer => [needA ? Tensor.MatMul(g, b!) : null, needB ? Tensor.MatMul(g.Transpose(), a) : null],
            Op.Transpose => [g.Transpose()],
            Op.Index => [Tensor.ScatterAt(g, node.Position, a.ShapeArray)],
            Op.Scatter => [g.Reshape(g.Count)[node.Position]],
            // Data movement: each map's adjoint is the other direction through the same map.
            Op.Reshape => [g.Reshape(a.ShapeArray)],
            Op.Gather => [Tensor.ScatterAdd(g, node.IndexMap!, a.ShapeArray)],
            Op.ScatterAdd => [g.Take(node.IndexMap!, a.ShapeArray)],
            Op.Cat => CatBackward(node, g),
            Op.BatchMatMul => [needA ? Tensor.BatchMatMul(g, b!.Transpose(1, 2)) : null, needB ? Tensor.BatchMatMul(a.Transpose(1, 2), g) : null],
            Op.None => throw new InvalidOperationException("A tensor that no recorded operation produced has no backward rule."),
        };
    }

    // Each argument of a Call: g times the exact partial, itself a Call (recorded under createGraph: every order is available).
    private static Tensor?[] CallBackward(Tensor node, Tensor g)
    {
        var inputs = node.Inputs;   // once: a one-input record makes the array on each read
        return inputs.Select((input, k) => input.RequiresGradient ? Reduce(Chain(g, Tensor.Map(node.Function!.Derivative(k), inputs)), input) : null).ToArray();
    }

    // Each joined input receives its own stretch of the gradient along the joining dimension.
    private static Tensor?[] CatBackward(Tensor node, Tensor g)
    {
        var offsets = Tensor.CatOffsets(node);
        return node.Inputs.Select((t, k) => t.RequiresGradient ? g.Narrow(node.Position, offsets[k], t.Shape[node.Position]) : null).ToArray();
    }

    // g·partial, elementwise, where a zero on either side gives 0 even against ∞ or NaN: Tape.Chain for tensors.
    private static Tensor Chain(Tensor g, Tensor partial) => Strong(partial, Strong(g, g * partial));

    // The product computed from g (g·partial, g/a), with 0 wherever g is 0. Scans first: the common case, no
    // zero meeting a non-finite product, returns the product itself. With createGraph the fix is a where() over
    // a constant mask, so the result stays differentiable.
    private static Tensor Strong(Tensor g, Tensor product)
    {
        if (g.Count != product.Count && g.Count != 1) return product;
        var (gd, pd) = (g.Data, product.Data);
        bool leaks = false;
        for (int i = 0; i < pd.Length && !leaks; i++) leaks = gd[g.Count == 1 ? 0 : i] == 0 && !double.IsFinite(pd[i]);
        if (!leaks) return product;
        var mask = new Tensor(pd.Select((_, i) => gd[g.Count == 1 ? 0 : i] != 0 ? 1.0 : 0).ToArray(), product.ShapeArray);
        if (IsRecording) return Tensor.Apply(Hybrid.Symbolic.Primitives.Where, mask, product, Tensor.ZerosLike(product));
        var data = (double[])pd.Clone();
        for (int i = 0; i < data.Length; i++) if (mask.Data[i] == 0) data[i] = 0;
        return new Tensor(data, product.ShapeArray);
    }

    // A scalar input that was broadcast against a larger tensor receives the sum of the gradient.
    private static Tensor Reduce(Tensor g, Tensor input) => input.Rank == 0 && g.Rank != 0 ? g.Sum() : g;
}
