// A tape compiled to IL (DynamicMethod): code per instruction, no dispatch, constants and weights
// inlined, partials computed where the reverse sweep uses them. Small tapes become one method whose
// values and adjoints are locals (registers where the JIT can). Larger tapes are first re-rolled
// (Segments.cs: repeated stretches become loops) and the code that remains is cut into pieces of
// methods over the workspace's arrays: one huge method would exceed what the JIT optimizes
// (thousands of locals send it to minimal optimization) or accepts, and pieces compile in time
// linear in the code. Past CompileLimit instructions of code the interpreter runs instead:
// straight-line code that large misses the instruction cache and takes the JIT seconds. Semantics
// are the interpreter's: the same partials, the same order of accumulation, and a zero adjoint
// sends nothing — except where the output is a long sum of re-rolled terms (Fusion.cs): the gradient
// then computes and sweeps each term in one loop, and the adjoints the terms send to the inputs arrive
// in another order than the interpreter's, so the gradient may differ in the last bits (the value not;
// the value alone is computed by the same loops without their reverse half).
using System.Runtime.CompilerServices;

namespace Hybrid.Tapes;

/// <summary>A <see cref="Tape"/> compiled to delegates for fast value and reverse-mode gradient; same results as the interpreter.</summary>
public sealed unsafe class CompiledTape
{
    /// <summary>Tapes up to this many instructions compile to one method with locals; longer ones to chunks over arrays.</summary>
    public const int LocalsLimit = 256;

    /// <summary>
    /// Tapes that need more than this many instructions of straight-line code (after repeated stretches are re-rolled into
    /// loops) are not compiled: <see cref="IsInterpreted"/> is true and calls run the interpreter.
    /// </summary>
    public const int CompileLimit = 20_000;

    /// <summary>Instructions of straight-line code per compiled method for tapes longer than <see cref="LocalsLimit"/>.</summary>
    public const int ChunkLength = 200;

    private readonly CompiledPiece[] forward;   // each fills the values of its chunk
    private readonly CompiledPiece[] reverse;   // each accumulates the adjoints of its chunk, last chunk first
    private readonly CompiledPiece[] fusedValues = [];    // with a fusion plan: each computes one fused run's terms into the sum
    private readonly CompiledPiece[] fused = [];          // ... and each also sweeps its copies back (Emitter.FusedRun): seed 1
    private readonly Lazy<CompiledPiece[]>? fusedSeeded;  // the same for any other seed (a vector-Jacobian product), made on first use
    private readonly (int Start, int Length)[] fusedAdjoints = [];   // the adjoint slots a fused gradient uses: cleared per call
    private readonly Lazy<CompiledPiece>? whole;   // small tapes: forward and reverse in one method (a one-output tape's on first use)
    private readonly CompiledGradient? gradient;   // small one-output tapes: Gradient in one method, the seed 1 folded in
    private readonly CompiledPiece? valueOnly;  // small tapes: forward only

    /// <summary>Products of more factors than this are not compiled (each factor's suffix product is a local of the method); the interpreter runs such tapes.</summary>
    public const int MaxFactors = 64;

    internal CompiledTape(Tape tape, int localsLimit = LocalsLimit, int chunkLength = ChunkLength, int compileLimit = CompileLimit, bool? dynamicCode = null, bool allowInPlace = true)
    {
        Tape = tape;
        var code = tape.Instructions;
        // Without dynamic code (native AOT, or a file-based app, which defaults to PublishAot) IL cannot
        // be emitted: the interpreter runs, with the same results.
        if (!(dynamicCode ?? RuntimeFeature.IsDynamicCodeSupported)
            || Enumerable.Range(0, tape.Length).Any(i => code.Ops[i] == OpCode.Multiply && code.OperandCount[i] > MaxFactors))
        {
            (forward, reverse, IsInterpreted) = ([], [], true);
            return;
        }
        if (tape.Length <= localsLimit)
        {
            (forward, reverse) = ([], []);
            whole = new(() => new Emitter(tape).Whole());
            if (tape.OutputCount == 1) gradient = Emitter.Gradient(tape);
            else _ = whole.Value;
            valueOnly = new Emitter(tape).ForwardOnly();
            return;
        }
        // Repeated stretches become loops; what remains to emit is measured in template instructions.
        var segments = tape.Rerolled;
        if (segments.Sum(s => s.Period) > compileLimit)
        {
            (forward, reverse, IsInterpreted) = ([], [], true);
            return;
        }
        var plan = Fusion.Plan(tape, code, segments);
        // In place: the pieces read the inputs from the point and add their adjoints into the result (no copy in, no copy
        // out), unless an output is an input, or a reference covers inputs and other slots at once (a guard: re-rolled
        // copies and operand runs of the tapes we lower do not straddle the inputs' end); then through the workspace.
        inPlace = allowInPlace && System.Numerics.Tensors.TensorPrimitives.Min(tape.OutputSlots) >= tape.InputCount;
        bool mixed = false;
        bool Retry()
        {
            if (!mixed || !inPlace) return false;
            inPlace = false;   // once more, through the workspace
            return true;
        }
        CompiledPiece Made(Emitter emitter, Func<Emitter, CompiledPiece> make)
        {
            var piece = make(emitter);
            mixed |= emitter.Mixed;
            return piece;
        }
        if (plan is null)
        {
            var chunks = Chunks(segments, chunkLength);
            do
            {
                mixed = false;
                forward = chunks.Select(c => Made(new Emitter(tape, c, inPlace: inPlace), e => e.ForwardOnly())).ToArray();
                reverse = chunks.Select(c => Made(new Emitter(tape, c, inPlace: inPlace), e => e.ReverseOnly())).ToArray();
            }
            while (Retry());
            return;
        }
        // A long sum of terms: the fused runs in pieces of their own (values only, or values and adjoints), the rest as above
        // without them (the output's value is the fused pieces' sum; its reverse sends only to the terms outside the runs).
        var runs = segments.Where(plan.Runs.Contains).ToList();
        var rest = Chunks(segments.Where(s => !plan.Runs.Contains(s)).ToList(), chunkLength);
        CompiledPiece Fused(int k, bool gradient, bool unitSeed = false) =>
            Made(new Emitter(tape, [], plan, inPlace), e => e.FusedRun(plan, runs[k], first: k == 0, last: k == runs.Count - 1, gradient, unitSeed));
        do
        {
            mixed = false;
            forward = rest.Select(c => Made(new Emitter(tape, c.Where(s => s.Start != plan.Output).ToList(), inPlace: inPlace), e => e.ForwardOnly())).ToArray();
            fusedValues = runs.Select((_, k) => Fused(k, gradient: false)).ToArray();
            fused = runs.Select((_, k) => Fused(k, gradient: true, unitSeed: true)).ToArray();
            reverse = rest.Select(c => Made(new Emitter(tape, c, plan, inPlace), e => e.ReverseOnly())).ToArray();
        }
        while (Retry());
        fusedSeeded = new(() => runs.Select((_, k) => Fused(k, gradient: true)).ToArray());   // the same references as fused: never mixed
        // The fused runs keep their adjoints in locals: only the inputs' slots and the rest's need clearing.
        fusedAdjoints = [.. plan.UsedAdjoints(tape, segments)];
    }

    /// <summary>Whether the pieces read the point and write the result in place (see the constructor).</summary>
    internal bool InPlace => inPlace;

    private bool inPlace;

    // Consecutive segments in chunks of at most chunkLength instructions of code (a longer segment alone).
    private static List<List<Segment>> Chunks(IReadOnlyList<Segment> segments, int chunkLength)
    {
        var chunks = new List<List<Segment>>();
        int size = 0;
        foreach (var segment in segments)
        {
            if (chunks.Count == 0 || size + segment.Period > chunkLength) { chunks.Add([]); size = 0; }
            chunks[^1].Add(segment);
            size += segment.Period;
        }
        return chunks;
    }

    /// <summary>
    /// True when the interpreter runs the tape: it was too long to compile (see <see cref="CompileLimit"/> and
    /// <see cref="MaxFactors"/>), or the runtime cannot generate code (native AOT).
    /// </summary>
    public bool IsInterpreted { get; }

    /// <summary>Whether the gradient runs fused pieces (each term of the output's sum computed and swept back in one loop).</summary>
    internal bool IsFused => fused.Length > 0;

    /// <summary>The tape this was compiled from.</summary>
    public Tape Tape { get; }

    /// <summary>New buffers for this tape; reuse them across calls (one per thread).</summary>
    public Workspace CreateWorkspace() => Tape.CreateWorkspace();

    /// <summary>The value of the first output at <paramref name="point"/>.</summary>
    public double Evaluate(ReadOnlySpan<double> point, Workspace workspace)
    {
        if (IsInterpreted) return Tape.Evaluate(point, workspace);
        RunForward(point, workspace);
        return workspace.Values[Tape.OutputSlots[0]];
    }

    /// <summary>Every output at <paramref name="point"/>, written to <paramref name="values"/>.</summary>
    public void Evaluate(ReadOnlySpan<double> point, Span<double> values, Workspace workspace)
    {
        if (IsInterpreted) { Tape.Evaluate(point, values, workspace); return; }
        Tape.CheckLength(values.Length, Tape.OutputCount, "output values");
        RunForward(point, workspace);
        for (int k = 0; k < values.Length; k++) values[k] = workspace.Values[Tape.OutputSlots[k]];
    }

    /// <summary>The value of the first output and its gradient, written to <paramref name="gradient"/>.</summary>
    /// <exception cref="InvalidOperationException">The tape has more than one output (use <see cref="VectorJacobianProduct"/>).</exception>
    public double Gradient(ReadOnlySpan<double> point, Span<double> gradient, Workspace workspace)
    {
        Tape.RequireOneOutput(nameof(Gradient));
        if (this.gradient is { } inOneMethod)
        {
            RequireOwn(workspace);
            Tape.CheckLength(point.Length, Tape.InputCount, "point");
            Tape.CheckLength(gradient.Length, Tape.InputCount, "gradient");
            fixed (double* p = point, g = gradient) return inOneMethod(p, g);
        }
        Span<double> seed = [1.0];
        VectorJacobianProduct(point, seed, gradient, workspace);
        return workspace.Values[Tape.OutputSlots[0]];
    }

    /// <summary>seedᵀ·J: the gradient of Σ seed[k]·output[k], written to <paramref name="result"/>.</summary>
    public void VectorJacobianProduct(ReadOnlySpan<double> point, ReadOnlySpan<double> seed, Span<double> result, Workspace workspace)
    {
        if (IsInterpreted) { Tape.VectorJacobianProduct(point, seed, result, workspace); return; }
        Tape.CheckLength(seed.Length, Tape.OutputCount, "seed");
        Tape.CheckLength(result.Length, Tape.InputCount, "gradient");
        Load(point, workspace);
        var (values, adjoints) = (workspace.Values, workspace.Adjoints);
        var outputs = Tape.OutputSlots;
        // One method reads only the seeds from the adjoint array; chunks accumulate into all of it (in place: the inputs'
        // adjoints into the result).
        int from = InPlace ? Tape.InputCount : 0;   // in place, the inputs' adjoints are the result's, cleared instead
        if (whole is not null) foreach (var o in outputs) adjoints[o] = 0;
        else if (fused.Length > 0)
        {
            foreach (var (start, length) in fusedAdjoints)
                if (start + length > from) Array.Clear(adjoints, Math.Max(start, from), start + length - Math.Max(start, from));
        }
        else Array.Clear(adjoints, from, adjoints.Length - from);
        if (InPlace) result.Clear();
        for (int k = 0; k < seed.Length; k++) adjoints[outputs[k]] += seed[k];
        fixed (double* v = values, a = adjoints, p = point, g = result)
        {
            if (whole is not null) whole.Value(v, a, null, null);
            else
            {
                foreach (var chunk in forward) chunk(v, a, p, g);
                // A gradient's seed (1) is folded into the fused pieces; another seed is read from the adjoint array.
                if (fused.Length > 0) foreach (var run in seed[0] == 1 ? fused : fusedSeeded!.Value) run(v, a, p, g);
                for (int c = reverse.Length - 1; c >= 0; c--) reverse[c](v, a, p, g);
            }
        }
        if (!InPlace) adjoints.AsSpan(0, Tape.InputCount).CopyTo(result);
    }

    private void RunForward(ReadOnlySpan<double> point, Workspace workspace)
    {
        Load(point, workspace);
        fixed (double* v = workspace.Values, p = point)
        {
            if (valueOnly is not null) valueOnly(v, null, null, null);
            else
            {
                foreach (var chunk in forward) chunk(v, null, p, null);
                foreach (var run in fusedValues) run(v, null, p, null);
            }
        }
    }

    private void RequireOwn(Workspace workspace)
    {
        if (!ReferenceEquals(workspace.Tape, Tape)) throw new ArgumentException("The workspace was created for another tape.", nameof(workspace));
    }

    // Checks the workspace and the point, and copies the point in unless the pieces read it in place.
    private void Load(ReadOnlySpan<double> point, Workspace workspace)
    {
        RequireOwn(workspace);
        Tape.CheckLength(point.Length, Tape.InputCount, "point");
        if (!InPlace) point.CopyTo(workspace.Values);
    }
}
