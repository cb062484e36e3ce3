// The backward pass of define-by-run autograd. The nodes reachable from the outputs are visited in
// reverse creation order (a valid reverse topological order, since an op is recorded after its
// inputs exist); each applies its op's vector-Jacobian product, written here once per op with
// tensor operations. Without createGraph those operations run in no-grad mode (plain numbers);
// with it they are recorded, so the gradient has a graph of its own and can be differentiated
// again. Without retainGraph the visited nodes are freed: a second backward through them is an
// error that says how to keep them.
using Hybrid.Tapes;

namespace Hybrid.Tensors;

/// <summary>Grad mode, the functional gradient, and anomaly detection for <see cref="Tensor"/>.</summary>
public static partial class Autograd
{
    [ThreadStatic] private static int noGradDepth;
    [ThreadStatic] private static bool forceRecording;
    [ThreadStatic] private static int anomalyDepth;

    /// <summary>True when operations on tensors that require grad are recorded (the default; false inside <see cref="NoGrad"/>).</summary>
    public static bool IsRecording => forceRecording || noGradDepth == 0;

    /// <summary>Until disposed, nothing is recorded on this thread: results do not require grad (PyTorch's <c>torch.no_grad()</c>).</summary>
    public static IDisposable NoGrad()
    {
        noGradDepth++;
        return new Scope(() => noGradDepth--);
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
        ArgumentNullException.ThrowIfNull(inputs);
        var results = Run(outputs, gradOutputs, retainGraph || createGraph, createGraph, inputs, allowUnused);
        return results!;
    }

    // Buffers reused by every backward pass on this thread (a pass is not re-entrant on one thread).
    [ThreadStatic] private static Buffers? buffers;

    private sealed class Buffers
    {
        public readonly List<Node> Order = [];
        public readonly Stack<Node> Stack = new();
        public readonly List<Tensor> Touched = [];
        public Contribution[] Gradients = new Contribution[3];   // one per input of the node being visited (grown for a Cat of more)
    }

    private static int passes;
    private static readonly Comparison<Node> latestFirst = (a, b) => b.Sequence.CompareTo(a.Sequence);

    internal static Tensor[]? Run(Tensor[] outputs, Tensor[]? seeds, bool retainGraph, bool createGraph, Tensor[]? targets, bool allowUnused = false)
    {
        ArgumentNullException.ThrowIfNull(outputs);
        RequireNoNull(outputs, nameof(outputs));
        if (targets is not null) RequireNoNull(targets, "inputs");
        if (seeds is not null && seeds.Length != outputs.Length)
            throw new ArgumentException($"{seeds.Length} gradients were given for {outputs.Length} outputs.", nameof(seeds));
        var seedTensors = new Tensor[outputs.Length];
        for (int k = 0; k < outputs.Length; k++) seedTensors[k] = Seed(outputs[k], seeds?[k]);   // checked before anything changes
        var b = buffers ??= new Buffers();
        var (order, touched, gradients) = (b.Order, b.Touched, b.Gradients);
        Reachable(outputs, b);
        bool completed = false;
        bool previous = forceRecording;
        if (createGraph) forceRecording = true; else noGradDepth++;
        try
        {
            for (int k = 0; k < outputs.Length; k++)
            {
                outputs[k].Accumulate(seedTensors[k]);
                touched.Add(outputs[k]);
            }
            foreach (var node in order)
            {
                if (node.Output.Pending is not { } pending) continue;
                if (node.Inputs.Length > gradients.Length) b.Gradients = gradients = new Contribution[node.Inputs.Length];
                // A sum over fused elementwise work: its whole region differentiated chunk by chunk (Fusion.cs).
                if (node.Op == Op.Sum && !IsRecording && anomalyDepth == 0 && node.Inputs[0].Recipe is not null
                    && Fusion.Backward(node, targets, touched))
                    continue;
                if (node.Op == Op.Affine && !IsRecording) gradients[0] = new(pending, node.Output.PendingScale * node.Constant);   // scale·g: numbers only
                else Backward(node, node.Output.TakePending()!, gradients);
                for (int i = 0; i < node.Inputs.Length; i++)
                {
                    var (gi, scale, outerWith) = gradients[i];
                    if (gi is null) continue;
                    gradients[i] = default;
                    if (anomalyDepth > 0 && (double.IsNaN(scale) || gi.Data.Any(double.IsNaN)))
                        throw new ArithmeticException($"Backward of {node.Name} produced NaN in the gradient of its input {i} (shape {Tensor.ShapeText(node.Inputs[i].Shape)}); " +
                            $"its inputs were {string.Join(", ", node.Inputs.Select(t => t.ToString()))}.");
                    Deliver(node.Inputs[i], gi, targets, createGraph, touched, scale, outerWith);
                }
            }
            completed = true;
            if (targets is not null)
                return targets.Select(t => t.TakePending() ?? (allowUnused ? Tensor.ZerosLike(t) : null) ?? throw new InvalidOperationException(
                    $"An input of shape {Tensor.ShapeText(t.Shape)} was not used to compute the outputs (or does not require grad), so it has no gradient.")).ToArray();
            foreach (var t in touched)
                if (t.KeepsGrad && t.TakePending() is { } gradient)
                {
                    t.StoreGrad(gradient, createGraph);
                    t.ClearPending();   // a tensor used twice is in the list twice: store once
                }
            return null;
        }
        finally
        {
            if (createGraph) forceRecording = previous; else noGradDepth--;
            foreach (var t in touched) t.ClearPending();
            if (completed && !retainGraph) foreach (var node in order) node.Freed = true;
            Array.Clear(gradients);
            order.Clear();
            touched.Clear();
        }
    }

    // A gradient reaching an input: a leaf's straight into its reused buffer, any other's into its pending sum.
    internal static void Deliver(Tensor input, Tensor gradient, Tensor[]? targets, bool createGraph, List<Tensor> touched, double scale = 1, Tensor? outerWith = null)
    {
        if (targets is null && input.IsLeaf && input.KeepsGrad && !createGraph) input.AccumulateGrad(gradient, scale, outerWith);
        else
        {
            if (outerWith is not null) input.Accumulate(Tensor.Outer(gradient, outerWith));
            else input.Accumulate(gradient, scale);
            touched.Add(input);
        }
    }

    private static void RequireNoNull(Tensor[] tensors, string name)
    {
        int at = Array.IndexOf(tensors, null);
        if (at >= 0) throw new ArgumentNullException(name, $"{name}[{at}] is null: every element must be a tensor.");
    }

    // Recording on even inside an enclosing NoGrad: a trace records whatever its function does.
    internal static IDisposable Recording()
    {
        bool previous = forceRecording;
        forceRecording = true;
        return new Scope(() => forceRecording = previous);
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
            return output.Rank == 0 ? Tensor.Scalar(1) : Tensor.OnesLike(output);
        }
        if (!gradient.SameShape(output))
            throw new ArgumentException($"The gradient has shape {Tensor.ShapeText(gradient.Shape)}; the output has shape {Tensor.ShapeText(output.Shape)}.");
        return gradient;
    }

    // The recorded nodes the outputs depend on, latest first, into the buffers' order; an explicit stack, so any depth is safe.
    private static void Reachable(Tensor[] outputs, Buffers b)
    {
        int epoch = Interlocked.Increment(ref passes);   // a node visited in this pass carries its number: no set needed
        var (nodes, stack) = (b.Order, b.Stack);
        stack.Clear();
        foreach (var output in outputs)
            if (output.Creator is { } c && c.Visited != epoch) { c.Visited = epoch; stack.Push(c); }
        while (stack.Count > 0)
        {
            var node = stack.Pop();
            if (node.Freed)
            {
                nodes.Clear();
                throw new InvalidOperationException("Trying to backward through the graph a second time: the first Backward freed it (its saved values are gone). "
                    + "Call Backward(retainGraph: true) the first time if you need to backward through the same graph again.");
            }
            nodes.Add(node);
            foreach (var input in node.Inputs)
                if (input.Creator is { } c && c.Visited != epoch) { c.Visited = epoch; stack.Push(c); }
        }
        // A chain (the common case: each node's one recorded input made just before it) comes out in order already.
        bool sorted = true;
        for (int k = 1; k < nodes.Count && sorted; k++) sorted = nodes[k - 1].Sequence > nodes[k].Sequence;
        if (!sorted) nodes.Sort(latestFirst);
    }

    // The vector-Jacobian product of one node: the gradient of each input (null where none is needed).
    // A gradient given as scale·tensor, or as the outer product tensor·outerWithᵀ, so that scaling a large vector or
    // forming a weight matrix's gradient needs no temporary when it goes straight into a leaf's buffer.
    internal readonly record struct Contribution(Tensor? Tensor, double Scale, Tensor? OuterWith = null);

    private static void Backward(Node node, Tensor g, Contribution[] into)
    {
        var inputs = node.Inputs;
        if (!IsRecording)
            switch (node.Op)
            {
                case Op.Dot when ReferenceEquals(inputs[0], inputs[1]):   // d(a·a) = 2g·a
                    into[0] = new(inputs[0], 2 * g.Data[0]);
                    return;
                case Op.Dot:
                    into[0] = new(inputs[0].RequiresGradient ? inputs[1] : null, g.Data[0]);
                    into[1] = new(inputs[1].RequiresGradient ? inputs[0] : null, g.Data[0]);
                    return;
                case Op.MatMul when inputs[1].Rank == 1:   // d(A·b): outer(g, b) for A, Aᵀ·g for b
                    into[0] = new(inputs[0].RequiresGradient ? g : null, 1, inputs[1]);
                    into[1] = new(inputs[1].RequiresGradient ? Tensor.MatMul(inputs[0].Transpose(), g) : null, 1);
                    return;
            }
        var gradients = BackwardRule(node, g);
        for (int i = 0; i < gradients.Length; i++) into[i] = new(gradients[i], 1);
    }

    private static Tensor?[] BackwardRule(Node node, Tensor g)
    {
        var inputs = node.Inputs;
        var a = inputs[0];
        var b = inputs.Length > 1 ? inputs[1] : null;
        var output = node.Output;
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
            Op.Call when !IsRecording && inputs.Length == 1 => [Chain(g, node.Function!.FirstPartial(a, output))],
            Op.Call => inputs.Select((input, k) => input.RequiresGradient ? Reduce(Chain(g, Tensor.Map(node.Function!.Derivative(k), inputs)), input) : null).ToArray(),
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
            Op.Gather => [Tensor.ScatterAdd(g, node.Map!, a.ShapeArray)],
            Op.ScatterAdd => [g.Take(node.Map!, a.ShapeArray)],
            Op.Cat => CatBackward(node, g),
            Op.BatchMatMul => [needA ? Tensor.BatchMatMul(g, b!.Transpose(1, 2)) : null, needB ? Tensor.BatchMatMul(a.Transpose(1, 2), g) : null],
        };
    }

    // Each joined input receives its own stretch of the gradient along the joining dimension.
    private static Tensor?[] CatBackward(Node node, Tensor g)
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
