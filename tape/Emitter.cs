// Emits the IL that CompiledTape runs: one statement per instruction, with the same formulas as the
// interpreter's forward sweep (Forward.cs) and, in reverse, the same local partials multiplied into
// the adjoints in the same order, behind the same zero-adjoint test. Values and adjoints are locals
// (small tapes, one method) or elements of the workspace's arrays reached by pointer (pieces of
// large tapes): indices are constants of the tape, or constants plus a loop counter times a stride
// where a repeated stretch of the tape is re-rolled into a loop (Segments.cs); no bounds are checked.
// Where the output is a long sum of such a loop's terms (Fusion.cs), each copy is computed, added and swept
// backward in one loop body with its values and adjoints in locals (FusedRun), as hand-written code does.
using System.Reflection.Emit;
using Il = System.Reflection.Emit.OpCodes;
using Hybrid.Symbolic;

namespace Hybrid.Tapes;

/// <summary>
/// A compiled piece of a tape over the workspace's values and adjoints (pinned by the caller); a piece emitted in place
/// reads the inputs from <paramref name="point"/> and adds their adjoints into <paramref name="gradient"/> instead.
/// </summary>
internal unsafe delegate void CompiledPiece(double* values, double* adjoints, double* point, double* gradient);

/// <summary>A small one-output tape's gradient in one method: reads the point, writes the gradient, returns the value.</summary>
internal unsafe delegate double CompiledGradient(double* point, double* gradient);

// One emitter makes one method: create a new one for each kernel.
internal sealed unsafe class Emitter
{
    private readonly Tape tape;
    private readonly Tape.Code code;
    private readonly IReadOnlyList<Segment> segments;
    private readonly bool locals;
    private readonly DynamicMethod method;
    private readonly ILGenerator il;
    private readonly List<NumericFunction> functions = [];   // the closure: row delegates that Call instructions invoke
    private readonly LocalBuilder[] valueLocals = [], adjointLocals = [];
    private readonly LocalBuilder adjoint, prefix;
    private readonly List<LocalBuilder> suffix = [];
    private readonly LocalBuilder copy;                 // the copy of a re-rolled run being computed
    private readonly LocalBuilder term;                 // the slot within a re-rolled operand list
    private Segment? run;                               // the run being emitted, if any: its strides apply
    private OperandRun? operandRun;                     // the operand run being emitted, if any
    private readonly Fusion? fusion;                    // the fused runs, emitted by FusedRun: the other pieces skip them
    private LocalBuilder[] copyValues = [];             // in a fused run: the values of the copy's instructions
    private readonly bool inPlace;                      // inputs read from the point, their adjoints added into the gradient

    /// <summary>True when an in-place piece met a reference that covers inputs and other slots at once: it must be emitted again through the workspace.</summary>
    public bool Mixed { get; private set; }

    /// <summary>A method over the whole tape with values and adjoints in locals (small tapes).</summary>
    public Emitter(Tape tape) : this(tape, EachInstruction(tape), locals: true) { }

    // Every instruction after the inputs as a segment of its own (one method with locals: nothing is re-rolled).
    private static List<Segment> EachInstruction(Tape tape) =>
        Enumerable.Range(tape.InputCount, tape.Length - tape.InputCount).Select(i => new Segment(i, 1, 1, null)).ToList();

    /// <summary>
    /// A method over some segments of the tape, with values and adjoints in the workspace's arrays. With a fusion plan,
    /// the reverse sweep leaves the fused runs out and sends the output's adjoint only to its operands outside them.
    /// </summary>
    public Emitter(Tape tape, IReadOnlyList<Segment> segments, Fusion? fusion = null, bool inPlace = false) : this(tape, segments, locals: false) =>
        (this.fusion, this.inPlace) = (fusion, inPlace);

    private Emitter(Tape tape, IReadOnlyList<Segment> segments, bool locals, Type? returns = null)
    {
        (this.tape, code, this.segments, this.locals) = (tape, tape.Instructions, segments, locals);
        // A CompiledPiece (values, adjoints, point, gradient), or with a return type a CompiledGradient (point, gradient).
        Type[] parameters = returns is null
            ? [typeof(NumericFunction[]), typeof(double*), typeof(double*), typeof(double*), typeof(double*)]
            : [typeof(NumericFunction[]), typeof(double*), typeof(double*)];
        method = new DynamicMethod("tape", returns ?? typeof(void), parameters, typeof(Emitter).Module, skipVisibility: true);
        il = method.GetILGenerator();
        adjoint = il.DeclareLocal(typeof(double));
        prefix = il.DeclareLocal(typeof(double));
        copy = il.DeclareLocal(typeof(int));
        term = il.DeclareLocal(typeof(int));
        if (!locals) return;
        valueLocals = Enumerable.Range(0, tape.Length).Select(_ => il.DeclareLocal(typeof(double))).ToArray();
        adjointLocals = Enumerable.Range(0, tape.Length).Select(_ => il.DeclareLocal(typeof(double))).ToArray();
    }

    /// <summary>Values of the range (locals mode: of the whole tape, storing the outputs).</summary>
    public CompiledPiece ForwardOnly()
    {
        EmitForward();
        if (locals) StoreOutputs();
        return Finish();
    }

    /// <summary>Adjoint accumulation for the range, last instruction first.</summary>
    public CompiledPiece ReverseOnly()
    {
        EmitReverse();
        return Finish();
    }

    /// <summary>Forward then reverse in one method (locals mode): reads inputs and seeds, writes output values and input adjoints.</summary>
    public CompiledPiece Whole()
    {
        EmitForward();
        StoreOutputs();
        foreach (var o in tape.OutputSlots) { LoadPointer(Il.Ldarg_2, o); il.Emit(Il.Ldind_R8); il.Emit(Il.Stloc, adjointLocals[o]); }   // the seeds
        EmitReverse();
        for (int i = 0; i < tape.InputCount; i++) { LoadPointer(Il.Ldarg_2, i); il.Emit(Il.Ldloc, adjointLocals[i]); il.Emit(Il.Stind_R8); }
        return Finish();
    }

    /// <summary>
    /// One fused run of the plan (the values before it computed, the output's adjoint seeded): each copy's values, its terms
    /// added to the output's sum (carried from the previous piece in the output's value slot: the prefix's terms go first,
    /// the suffix's after the last run), and, for a gradient, the copy's reverse sweep right after, its adjoints in locals.
    /// With a unit seed the output's adjoint is the constant 1 (a gradient's): the JIT folds the terms' adjoints and their tests.
    /// </summary>
    public CompiledPiece FusedRun(Fusion plan, Segment fused, bool first, bool last, bool gradient, bool unitSeed = false)
    {
        var total = il.DeclareLocal(typeof(double));
        var outputAdjoint = il.DeclareLocal(typeof(double));
        void AddTerm(double weight, Action load) { il.Emit(Il.Ldloc, total); Weighted(weight, load); il.Emit(Il.Add); il.Emit(Il.Stloc, total); }
        if (first)
        {
            Constant(0);   // the interpreter's n-ary sum starts from 0
            il.Emit(Il.Stloc, total);
            foreach (var (operand, weight) in plan.Prefix) AddTerm(weight, () => LoadValue(operand));
        }
        else { LoadPointer(Il.Ldarg_1, plan.Output); il.Emit(Il.Ldind_R8); il.Emit(Il.Stloc, total); }
        if (gradient && !unitSeed) { LoadPointer(Il.Ldarg_2, plan.Output); il.Emit(Il.Ldind_R8); il.Emit(Il.Stloc, outputAdjoint); }
        copyValues = Enumerable.Range(0, fused.Period).Select(_ => il.DeclareLocal(typeof(double))).ToArray();
        runAdjoints = Enumerable.Range(fused.Start, fused.Period).Where(i => code.Ops[i] != OpCode.Constant).ToDictionary(i => i, _ => il.DeclareLocal(typeof(double)));
        Repeat(fused, forward: true, () =>
        {
            for (int i = fused.Start; i < fused.Start + fused.Period; i++)
                if (code.Ops[i] != OpCode.Constant) { Value(i); il.Emit(Il.Stloc, copyValues[i - fused.Start]); }
            foreach (var (offset, weight) in plan.Terms[fused]) AddTerm(weight, () => il.Emit(Il.Ldloc, copyValues[offset]));
            if (!gradient) return;
            foreach (var local in runAdjoints.Values) { Constant(0); il.Emit(Il.Stloc, local); }
            // The output's sends first, as in the interpreter (it is the last instruction), then the copy's own, last first.
            foreach (var (offset, weight) in plan.Terms[fused])
            {
                var target = runAdjoints[fused.Start + offset];
                il.Emit(Il.Ldloc, target);
                Weighted(weight, () => { if (unitSeed) Constant(1); else il.Emit(Il.Ldloc, outputAdjoint); });
                il.Emit(Il.Add);
                il.Emit(Il.Stloc, target);
            }
            for (int i = fused.Start + fused.Period - 1; i >= fused.Start; i--) ReverseInstruction(i, fused);
        });
        if (last) foreach (var (operand, weight) in plan.Suffix) AddTerm(weight, () => LoadValue(operand));
        LoadPointer(Il.Ldarg_1, plan.Output);
        il.Emit(Il.Ldloc, total);
        il.Emit(Il.Stind_R8);
        return Finish();
    }

    /// <summary>
    /// A small one-output tape's value and gradient in one method with locals, as <see cref="Whole"/> with the seed 1 — a
    /// constant the JIT folds into the reverse sweep — reading the point and writing the gradient in place (no copies).
    /// </summary>
    public static CompiledGradient Gradient(Tape tape)
    {
        var emitter = new Emitter(tape, EachInstruction(tape), locals: true, typeof(double));
        var il = emitter.il;
        int output = tape.OutputSlots[0];
        emitter.EmitForward();
        emitter.Constant(1);
        il.Emit(Il.Stloc, emitter.adjointLocals[output]);
        emitter.EmitReverse();
        for (int i = 0; i < tape.InputCount; i++) { emitter.LoadPointer(Il.Ldarg_2, i); il.Emit(Il.Ldloc, emitter.adjointLocals[i]); il.Emit(Il.Stind_R8); }
        emitter.LoadValue(output);
        il.Emit(Il.Ret);
        return (CompiledGradient)emitter.method.CreateDelegate(typeof(CompiledGradient), emitter.functions.ToArray());
    }

    private CompiledPiece Finish()
    {
        il.Emit(Il.Ret);
        return (CompiledPiece)method.CreateDelegate(typeof(CompiledPiece), functions.ToArray());
    }

    private void EmitForward()
    {
        if (locals)
            for (int i = 0; i < tape.InputCount; i++) { LoadPointer(Il.Ldarg_1, i); il.Emit(Il.Ldind_R8); il.Emit(Il.Stloc, valueLocals[i]); }
        foreach (var segment in segments)
            Repeat(segment, forward: true, () =>
            {
                for (int i = segment.Start; i < segment.Start + segment.Period; i++)
                {
                    if (code.Ops[i] == OpCode.Constant) continue;
                    Value(i);   // first, so that a re-rolled operand loop inside starts from an empty stack
                    if (locals) il.Emit(Il.Stloc, valueLocals[i]);
                    else { il.Emit(Il.Stloc, adjoint); Address(Il.Ldarg_1, i, Own(segment)); il.Emit(Il.Ldloc, adjoint); il.Emit(Il.Stind_R8); }
                }
            });
    }

    private static int Own(Segment segment) => segment.IsRun ? segment.Period : 0;

    // The body once for a single instruction, or in a loop over the copies of a run (forward: first copy first).
    private void Repeat(Segment segment, bool forward, Action body)
    {
        if (!segment.IsRun) { body(); return; }
        run = segment;
        var top = il.DefineLabel();
        il.Emit(Il.Ldc_I4, forward ? 0 : segment.Repeats - 1);
        il.Emit(Il.Stloc, copy);
        il.MarkLabel(top);
        body();
        il.Emit(Il.Ldloc, copy);
        il.Emit(Il.Ldc_I4_1);
        il.Emit(forward ? Il.Add : Il.Sub);
        il.Emit(Il.Dup);
        il.Emit(Il.Stloc, copy);
        if (forward) { il.Emit(Il.Ldc_I4, segment.Repeats); il.Emit(Il.Blt, top); }
        else { il.Emit(Il.Ldc_I4_0); il.Emit(Il.Bge, top); }
        run = null;
    }

    private void StoreOutputs()
    {
        foreach (var o in tape.OutputSlots) { LoadPointer(Il.Ldarg_1, o); LoadValue(o); il.Emit(Il.Stind_R8); }
    }

    // &array[index] for the pointer argument given (values: Ldarg_1, adjoints: Ldarg_2).
    private void LoadPointer(System.Reflection.Emit.OpCode argument, int index) => Address(argument, index, 0);

    // &array[index + copy·stride] inside a run (the copy counter of the loop), &array[index] elsewhere; in place, an input's
    // value is read from the point and its adjoint added into the gradient.
    private void Address(System.Reflection.Emit.OpCode argument, int index, int stride, int termStride = 0)
    {
        if (inPlace && InInputs(index, stride, termStride)) il.Emit(Il.Ldarg_S, (byte)(argument == Il.Ldarg_1 ? 3 : 4));
        else il.Emit(argument);
        il.Emit(Il.Ldc_I4, index * sizeof(double));
        if (stride != 0)
        {
            il.Emit(Il.Ldloc, copy);
            il.Emit(Il.Ldc_I4, stride * sizeof(double));
            il.Emit(Il.Mul);
            il.Emit(Il.Add);
        }
        if (termStride != 0)
        {
            il.Emit(Il.Ldloc, term);
            il.Emit(Il.Ldc_I4, termStride * sizeof(double));
            il.Emit(Il.Mul);
            il.Emit(Il.Add);
        }
        il.Emit(Il.Conv_I);
        il.Emit(Il.Add);
    }

    // True when a reference (slot index, moving by stride per copy and termStride per term) names inputs only; one that
    // covers inputs and other slots marks the piece Mixed.
    private bool InInputs(int index, int stride, int termStride)
    {
        var coverage = Segments.Coverage(index, stride, termStride, run, operandRun, tape.InputCount);
        Mixed |= coverage == InputCoverage.Mixed;
        return coverage == InputCoverage.Inputs;
    }

    // Pushes the value of instruction i (moved by the stride inside a run): a constant is inlined.
    private void LoadValue(int i, int stride = 0, int termStride = 0)
    {
        if (code.Ops[i] == OpCode.Constant && stride == 0 && termStride == 0) il.Emit(Il.Ldc_R8, code.Constants[i]);
        else if (locals) il.Emit(Il.Ldloc, valueLocals[i]);
        else if (copyValues.Length > 0 && run is { } r && stride == r.Period && termStride == 0 && i >= r.Start && i < r.Start + r.Period)
            il.Emit(Il.Ldloc, copyValues[i - r.Start]);   // the same copy of a fused run: a local
        else { Address(Il.Ldarg_1, i, stride, termStride); il.Emit(Il.Ldind_R8); }
    }

    // The value of instruction i itself, inside or outside a run.
    private void LoadOwn(int i) => LoadValue(i, run is null ? 0 : run.Period);

    private void LoadOperand(int i, int k) => LoadSlot(code.OperandStart[i] + k);

    private int Stride(int slot) => run?.Strides![slot] ?? 0;

    private int TermStride(int slot) => operandRun is { } r && slot == r.First ? r.Stride : 0;

    private void LoadSlot(int slot) => LoadValue(code.Operands[slot], Stride(slot), TermStride(slot));

    private void Constant(double c) => il.Emit(Il.Ldc_R8, c);

    // A formula of Formulas.cs, its arguments on the stack: the interpreter's arithmetic, inlined by the JIT.
    private void CallFormula(string name) => il.Emit(Il.Call, typeof(Formulas).GetMethod(name)!);

    // Pushes the value of instruction i, computed as Forward.cs does.
    private void Value(int i)
    {
        int n = code.OperandCount[i], s = code.OperandStart[i];
        switch (code.Ops[i])
        {
            case OpCode.Linear when n > 2:
                Constant(0);   // the interpreter's n-ary sum starts from 0
                foreach (var part in OperandRuns(i))
                    OverOperands(part, () => { Weighted(code.Weights[part.First], () => LoadSlot(part.First)); il.Emit(Il.Add); });
                break;
            case OpCode.Linear:
                for (int k = 0; k < n; k++)
                {
                    Weighted(code.Weights[s + k], () => LoadOperand(i, k));
                    if (k > 0) il.Emit(Il.Add);
                }
                break;
            case OpCode.SquaredLinear:
                SquaredLinearSum(i);
                CallFormula(nameof(Formulas.Square));
                break;
            case OpCode.Multiply:
                if (n > 2) Constant(1);
                for (int k = 0; k < n; k++) { LoadOperand(i, k); if (k > 0 || n > 2) il.Emit(Il.Mul); }
                break;
            case OpCode.Square: LoadOperand(i, 0); CallFormula(nameof(Formulas.Square)); break;
            case OpCode.Reciprocal: LoadOperand(i, 0); CallFormula(nameof(Formulas.Reciprocal)); break;
            case OpCode.Sqrt: LoadOperand(i, 0); CallFormula(nameof(Formulas.Sqrt)); break;
            case OpCode.PowConstant: LoadOperand(i, 0); Constant(code.Constants[i]); CallFormula(nameof(Formulas.Pow)); break;
            case OpCode.Pow: LoadOperand(i, 0); LoadOperand(i, 1); CallFormula(nameof(Formulas.Pow)); break;
            case OpCode.Call: Invoke(code.Primitives[i]!.Evaluate, i); break;
            case OpCode.Input or OpCode.Constant: throw new InvalidOperationException($"Instruction %{i} computes nothing.");
            default: throw new InvalidOperationException($"The compiler has no value rule for {code.Ops[i]}.");   // never silent
        }
    }

    // Pushes L = Σ w·u of a squared-linear instruction, as Forward.cs sums it (from 0 when there are several terms).
    private void SquaredLinearSum(int i)
    {
        int n = code.OperandCount[i], s = code.OperandStart[i];
        if (n > 1) Constant(0);
        for (int k = 0; k < n; k++)
        {
            Constant(code.Weights[s + k]);
            LoadOperand(i, k);
            il.Emit(Il.Mul);
            if (n > 1) il.Emit(Il.Add);
        }
    }

    // A long operand list re-rolls only outside runs (one loop counter at a time).
    private List<OperandRun> OperandRuns(int i) =>
        run is null && !locals ? Segments.Operands(code, i) : Enumerable.Range(code.OperandStart[i], code.OperandCount[i]).Select(slot => new OperandRun(slot, 1, 0)).ToList();

    // The body once for one operand slot, or in a loop over the slots of an operand run (ascending, as the interpreter).
    // The running value stays on the evaluation stack across the loop, which IL allows at a branch target only when
    // the stack is empty: it goes through the prefix local instead.
    private void OverOperands(OperandRun part, Action body, bool stackCarriesSum = true)
    {
        if (part.Count == 1) { body(); return; }
        if (stackCarriesSum) il.Emit(Il.Stloc, prefix);
        operandRun = part;
        var top = il.DefineLabel();
        il.Emit(Il.Ldc_I4_0);
        il.Emit(Il.Stloc, term);
        il.MarkLabel(top);
        if (stackCarriesSum) il.Emit(Il.Ldloc, prefix);
        body();
        if (stackCarriesSum) il.Emit(Il.Stloc, prefix);
        il.Emit(Il.Ldloc, term);
        il.Emit(Il.Ldc_I4_1);
        il.Emit(Il.Add);
        il.Emit(Il.Dup);
        il.Emit(Il.Stloc, term);
        il.Emit(Il.Ldc_I4, part.Count);
        il.Emit(Il.Blt, top);
        operandRun = null;
        if (stackCarriesSum) il.Emit(Il.Ldloc, prefix);
    }

    private void Weighted(double weight, Action load)
    {
        if (weight != 1) Constant(weight);
        load();
        if (weight != 1) il.Emit(Il.Mul);
    }

    // A row's delegate called with the instruction's operands (the helpers build the span IL cannot).
    private void Invoke(NumericFunction f, int i)
    {
        int n = code.OperandCount[i];
        il.Emit(Il.Ldarg_0);
        il.Emit(Il.Ldc_I4, functions.Count);
        il.Emit(Il.Ldelem_Ref);
        functions.Add(f);
        for (int k = 0; k < n; k++) LoadOperand(i, k);
        il.Emit(Il.Call, typeof(Emitter).GetMethod(nameof(Invoke1)[..^1] + n)!);
    }

    // stackalloc, not a collection expression: passed as a span argument, that may allocate an array in Debug builds.
    public static double Invoke1(NumericFunction f, double a) { Span<double> args = stackalloc double[1]; args[0] = a; return f(args); }
    public static double Invoke2(NumericFunction f, double a, double b) { Span<double> args = stackalloc double[2]; (args[0], args[1]) = (a, b); return f(args); }
    public static double Invoke3(NumericFunction f, double a, double b, double c) { Span<double> args = stackalloc double[3]; (args[0], args[1], args[2]) = (a, b, c); return f(args); }

    // For each instruction of the segments, last first: adjoint = a[i]; if (adjoint != 0) { a[u] += adjoint * partial; ... }.
    private void EmitReverse()
    {
        for (int g = segments.Count - 1; g >= 0; g--)
        {
            var segment = segments[g];
            if (fusion is not null && fusion.Runs.Contains(segment)) continue;   // FusedRun swept them
            runAdjoints = segment.IsRun ? AdjointsWithinOneCopy(segment) : [];
            Repeat(segment, forward: false, () =>
            {
                foreach (var local in runAdjoints.Values) { Constant(0); il.Emit(Il.Stloc, local); }
                for (int i = segment.Start + segment.Period - 1; i >= segment.Start; i--) ReverseInstruction(i, segment);
            });
        }
    }

    private void ReverseInstruction(int i, Segment segment)
    {
        if (code.Ops[i] == OpCode.Constant) return;
        var skip = il.DefineLabel();
        current = locals ? adjointLocals[i] : runAdjoints.GetValueOrDefault(i) ?? adjoint;   // a local already: nothing to load
        if (!locals && !runAdjoints.ContainsKey(i)) { Address(Il.Ldarg_2, i, Own(segment)); il.Emit(Il.Ldind_R8); il.Emit(Il.Stloc, current); }
        if (code.Ops[i] == OpCode.Linear)
        {
            // A linear instruction's partials are constants: with finite ones, sending 0·w changes nothing, so no test, no
            // branch (the zero weights are skipped when emitting); with an infinite one, a zero adjoint must send nothing.
            if (!code.FiniteWeights(i)) { il.Emit(Il.Ldloc, current); Constant(0); il.Emit(Il.Beq, skip); }
            Sends(i);
        }
        else
        {
            // A finite nonzero adjoint (one test) multiplies plainly; a zero one sends nothing (0·∞ must not become NaN);
            // behind an infinite or NaN one the sends go through Tape.Chain (a zero partial sends zero, even there).
            var other = il.DefineLabel();
            il.Emit(Il.Ldloc, current);
            CallFormula(nameof(Formulas.IsFiniteNonzero));
            il.Emit(Il.Brfalse, other);
            Sends(i);
            il.Emit(Il.Br, skip);
            il.MarkLabel(other);
            il.Emit(Il.Ldloc, current);
            Constant(0);
            il.Emit(Il.Beq, skip);
            strongSends = true;
            Sends(i);
            strongSends = false;
        }
        il.MarkLabel(skip);
    }

    // Adjoints of a run's instructions that only instructions of the same copy read (and no output is): they live in
    // locals, zeroed at the start of each copy, instead of the workspace (the hand-written loop keeps these in registers).
    private Dictionary<int, LocalBuilder> runAdjoints = [];
    private readonly List<LocalBuilder> adjointPool = [];

    private Dictionary<int, LocalBuilder> AdjointsWithinOneCopy(Segment run)
    {
        var (first, last) = tape.ConsumerRange;
        var result = new Dictionary<int, LocalBuilder>();
        for (int j = 0; j < run.Period; j++)
        {
            int i = run.Start + j;
            if (code.Ops[i] == OpCode.Constant) continue;
            bool within = true;
            for (int k = 0; k < run.Repeats && within; k++)
            {
                int copyStart = run.Start + k * run.Period, instruction = i + k * run.Period;
                within = first[instruction] >= copyStart && last[instruction] < copyStart + run.Period;
            }
            if (!within) continue;
            if (adjointPool.Count <= result.Count) adjointPool.Add(il.DeclareLocal(typeof(double)));
            result[i] = adjointPool[result.Count];
        }
        return result;
    }

    private LocalBuilder current = null!;   // the adjoint of the instruction whose sends are being emitted

    // a[operand k] += adjoint * partial, the partial pushed by the given action; constants need no adjoint.
    private void Send(int i, int k, Action? partial) => SendToSlot(code.OperandStart[i] + k, partial);

    private bool strongSends;   // whether the sends being emitted are the ones behind a non-finite adjoint

    private static readonly System.Reflection.MethodInfo chain = typeof(Tape).GetMethod(nameof(Tape.Chain), System.Reflection.BindingFlags.Static | System.Reflection.BindingFlags.NonPublic)!;

    // adjoint · partial: through Tape.Chain behind a non-finite adjoint (a zero partial sends zero, even there), else a
    // plain multiply. Linear instructions never take the Chain path: their zero weights are skipped when emitting.
    private void SendToSlot(int slot, Action? partial)
    {
        int target = code.Operands[slot];
        if (code.Ops[target] == OpCode.Constant && Stride(slot) == 0 && TermStride(slot) == 0) return;
        // The same copy of the run: the target's adjoint is one of the run's locals.
        var local = locals ? adjointLocals[target] : run is not null && Stride(slot) == run.Period ? runAdjoints.GetValueOrDefault(target) : null;
        if (local is not null) il.Emit(Il.Ldloc, local);
        else { Address(Il.Ldarg_2, target, Stride(slot), TermStride(slot)); il.Emit(Il.Dup); il.Emit(Il.Ldind_R8); }
        il.Emit(Il.Ldloc, current);
        if (partial is not null)   // null: the partial is 1
        {
            partial();
            if (strongSends) il.Emit(Il.Call, chain);
            else il.Emit(Il.Mul);
        }
        il.Emit(Il.Add);
        if (local is not null) il.Emit(Il.Stloc, local);
        else il.Emit(Il.Stind_R8);
    }

    // The local partials, as Forward.cs computes them.
    private void Sends(int i)
    {
        int s = code.OperandStart[i], n = code.OperandCount[i];
        switch (code.Ops[i])
        {
            case OpCode.Linear when fusion is not null && i == fusion.Output:
                // The fused runs took their terms' adjoints already: the prefix and suffix remain, in the output's order.
                foreach (var (operand, weight) in fusion.Prefix.Concat(fusion.Suffix))
                {
                    if (weight == 0 || code.Ops[operand] == OpCode.Constant) continue;
                    Address(Il.Ldarg_2, operand, 0);
                    il.Emit(Il.Dup);
                    il.Emit(Il.Ldind_R8);
                    Weighted(weight, () => il.Emit(Il.Ldloc, current));
                    il.Emit(Il.Add);
                    il.Emit(Il.Stind_R8);
                }
                break;
            case OpCode.Linear:
                foreach (var part in OperandRuns(i))
                {
                    double w = code.Weights[part.First];
                    if (w == 0) continue;   // a folded zero weight sends nothing, as Tape.Chain (0·∞ would be NaN)
                    OverOperands(part, () => SendToSlot(part.First, w == 1 ? null : () => Constant(w)), stackCarriesSum: false);
                }
                break;
            case OpCode.SquaredLinear:
                // partial k = (2L)·w_k, L recomputed from the operands into a local.
                SquaredLinearSum(i);
                il.Emit(Il.Stloc, prefix);
                for (int k = 0; k < n; k++)
                {
                    double w = code.Weights[s + k];
                    Send(i, k, () => { il.Emit(Il.Ldloc, prefix); Constant(w); CallFormula(nameof(Formulas.SquaredLinearPartial)); });
                }
                break;
            case OpCode.Multiply when n == 2:
                Send(i, 0, () => LoadOperand(i, 1));
                Send(i, 1, () => LoadOperand(i, 0));
                break;
            case OpCode.Multiply:
                // partial k = (product of the factors before k) · (product of those after k), as the interpreter.
                while (suffix.Count < n) suffix.Add(il.DeclareLocal(typeof(double)));
                Constant(1); il.Emit(Il.Stloc, suffix[n - 1]);
                for (int k = n - 2; k >= 0; k--) { il.Emit(Il.Ldloc, suffix[k + 1]); LoadOperand(i, k + 1); il.Emit(Il.Mul); il.Emit(Il.Stloc, suffix[k]); }
                Constant(1); il.Emit(Il.Stloc, prefix);
                for (int k = 0; k < n; k++)
                {
                    int factor = k;
                    Send(i, k, () => { il.Emit(Il.Ldloc, prefix); il.Emit(Il.Ldloc, suffix[factor]); il.Emit(Il.Mul); });
                    il.Emit(Il.Ldloc, prefix); LoadOperand(i, k); il.Emit(Il.Mul); il.Emit(Il.Stloc, prefix);
                }
                break;
            case OpCode.Square: Send(i, 0, () => { LoadOperand(i, 0); CallFormula(nameof(Formulas.SquarePartial)); }); break;
            case OpCode.Reciprocal: Send(i, 0, () => { LoadOwn(i); CallFormula(nameof(Formulas.ReciprocalPartial)); }); break;
            case OpCode.Sqrt: Send(i, 0, () => { LoadOwn(i); CallFormula(nameof(Formulas.SqrtPartial)); }); break;
            case OpCode.PowConstant: Send(i, 0, () => { LoadOperand(i, 0); Constant(code.Constants[i]); CallFormula(nameof(Formulas.PowBasePartial)); }); break;
            case OpCode.Pow:
                Send(i, 0, () => { LoadOperand(i, 0); LoadOperand(i, 1); CallFormula(nameof(Formulas.PowBasePartial)); });
                Send(i, 1, () => { LoadOperand(i, 0); LoadOwn(i); CallFormula(nameof(Formulas.PowExponentPartial)); });
                break;
            case OpCode.Call:
                var row = code.Primitives[i]!;
                for (int k = 0; k < n; k++) { int p = k; Send(i, k, () => Invoke(row.NumericPartials[p], i)); }
                break;
            default: throw new InvalidOperationException($"The compiler has no partials for {code.Ops[i]}.");   // never silent: no sends is a zero gradient
        }
    }
}
