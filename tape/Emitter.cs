// Emits the IL that CompiledTape runs: one straight-line statement per instruction, with the same
// formulas as the interpreter's forward sweep (Forward.cs) and, in reverse, the same local partials
// multiplied into the adjoints in the same order, each behind the same zero-adjoint test. Values and
// adjoints are locals (small tapes, one method) or elements of the workspace's arrays reached by
// pointer (chunks of large tapes): indices are constants of the tape, so no bounds are checked.
using System.Reflection.Emit;
using Il = System.Reflection.Emit.OpCodes;
using Hybrid.Symbolic;

namespace Hybrid.Tape;

/// <summary>A compiled piece of a tape over the workspace's values and adjoints (pinned by the caller).</summary>
internal unsafe delegate void Kernel(double* values, double* adjoints);

// One emitter makes one method: create a new one for each kernel.
internal sealed unsafe class Emitter
{
    private readonly Tape tape;
    private readonly Tape.Code code;
    private readonly int from, to;
    private readonly bool locals;
    private readonly DynamicMethod method;
    private readonly ILGenerator il;
    private readonly List<NumericFunction> functions = [];   // the closure: row delegates that Call instructions invoke
    private readonly LocalBuilder[] valueLocals = [], adjointLocals = [];
    private readonly LocalBuilder adjoint, prefix;
    private readonly List<LocalBuilder> suffix = [];

    /// <param name="tape">The tape.</param>
    /// <param name="from">The first instruction of the chunk.</param>
    /// <param name="to">One past the last.</param>
    /// <param name="locals">Keep values and adjoints in locals (whole small tapes) rather than in the workspace's arrays.</param>
    public Emitter(Tape tape, int from, int to, bool locals)
    {
        (this.tape, code, this.from, this.to, this.locals) = (tape, tape.Instructions, from, to, locals);
        method = new DynamicMethod($"tape_{from}_{to}", typeof(void), [typeof(NumericFunction[]), typeof(double*), typeof(double*)], typeof(Emitter).Module, skipVisibility: true);
        il = method.GetILGenerator();
        adjoint = il.DeclareLocal(typeof(double));
        prefix = il.DeclareLocal(typeof(double));
        if (!locals) return;
        valueLocals = Enumerable.Range(0, tape.Length).Select(_ => il.DeclareLocal(typeof(double))).ToArray();
        adjointLocals = Enumerable.Range(0, tape.Length).Select(_ => il.DeclareLocal(typeof(double))).ToArray();
    }

    /// <summary>Values of the range (locals mode: of the whole tape, storing the outputs).</summary>
    public Kernel ForwardOnly()
    {
        EmitForward();
        if (locals) StoreOutputs();
        return Finish();
    }

    /// <summary>Adjoint accumulation for the range, last instruction first.</summary>
    public Kernel ReverseOnly()
    {
        EmitReverse();
        return Finish();
    }

    /// <summary>Forward then reverse in one method (locals mode): reads inputs and seeds, writes output values and input adjoints.</summary>
    public Kernel Whole()
    {
        EmitForward();
        StoreOutputs();
        foreach (var o in tape.OutputSlots) { LoadPointer(Il.Ldarg_2, o); il.Emit(Il.Ldind_R8); il.Emit(Il.Stloc, adjointLocals[o]); }   // the seeds
        EmitReverse();
        for (int i = 0; i < tape.InputCount; i++) { LoadPointer(Il.Ldarg_2, i); il.Emit(Il.Ldloc, adjointLocals[i]); il.Emit(Il.Stind_R8); }
        return Finish();
    }

    private Kernel Finish()
    {
        il.Emit(Il.Ret);
        return (Kernel)method.CreateDelegate(typeof(Kernel), functions.ToArray());
    }

    private void EmitForward()
    {
        if (locals)
            for (int i = 0; i < tape.InputCount; i++) { LoadPointer(Il.Ldarg_1, i); il.Emit(Il.Ldind_R8); il.Emit(Il.Stloc, valueLocals[i]); }
        for (int i = Math.Max(from, tape.InputCount); i < to; i++)
        {
            if (code.Ops[i] == OpCode.Constant) continue;
            if (locals) { Value(i); il.Emit(Il.Stloc, valueLocals[i]); }
            else { LoadPointer(Il.Ldarg_1, i); Value(i); il.Emit(Il.Stind_R8); }
        }
    }

    private void StoreOutputs()
    {
        foreach (var o in tape.OutputSlots) { LoadPointer(Il.Ldarg_1, o); LoadValue(o); il.Emit(Il.Stind_R8); }
    }

    // &array[index] for the pointer argument given (values: Ldarg_1, adjoints: Ldarg_2).
    private void LoadPointer(System.Reflection.Emit.OpCode argument, int index)
    {
        il.Emit(argument);
        il.Emit(Il.Ldc_I4, index * sizeof(double));
        il.Emit(Il.Conv_I);
        il.Emit(Il.Add);
    }

    // Pushes the value of instruction i: a constant is inlined.
    private void LoadValue(int i)
    {
        if (code.Ops[i] == OpCode.Constant) il.Emit(Il.Ldc_R8, code.Constants[i]);
        else if (locals) il.Emit(Il.Ldloc, valueLocals[i]);
        else { LoadPointer(Il.Ldarg_1, i); il.Emit(Il.Ldind_R8); }
    }

    private void LoadOperand(int i, int k) => LoadValue(code.Operands[code.OperandStart[i] + k]);

    private void Constant(double c) => il.Emit(Il.Ldc_R8, c);

    private void CallMath(string name, int arity) =>
        il.Emit(Il.Call, typeof(Math).GetMethod(name, Enumerable.Repeat(typeof(double), arity).ToArray())!);

    // Pushes the value of instruction i, computed as Forward.cs does.
    private void Value(int i)
    {
        int n = code.OperandCount[i], s = code.OperandStart[i];
        switch (code.Ops[i])
        {
            case OpCode.Linear:
                if (n > 2) Constant(0);   // the interpreter's n-ary sum starts from 0
                for (int k = 0; k < n; k++)
                {
                    Weighted(code.Weights[s + k], () => LoadOperand(i, k));
                    if (k > 0 || n > 2) il.Emit(Il.Add);
                }
                break;
            case OpCode.Multiply:
                if (n > 2) Constant(1);
                for (int k = 0; k < n; k++) { LoadOperand(i, k); if (k > 0 || n > 2) il.Emit(Il.Mul); }
                break;
            case OpCode.Square: LoadOperand(i, 0); LoadOperand(i, 0); il.Emit(Il.Mul); break;
            case OpCode.Reciprocal: Constant(1); LoadOperand(i, 0); il.Emit(Il.Div); break;
            case OpCode.Sqrt: LoadOperand(i, 0); CallMath(nameof(System.Math.Sqrt), 1); break;
            case OpCode.PowConstant: LoadOperand(i, 0); Constant(code.Constants[i]); CallMath(nameof(System.Math.Pow), 2); break;
            case OpCode.Pow: LoadOperand(i, 0); LoadOperand(i, 1); CallMath(nameof(System.Math.Pow), 2); break;
            case OpCode.Call: Invoke(code.Primitives[i]!.Evaluate, i); break;
            case OpCode.Input or OpCode.Constant: throw new InvalidOperationException($"Instruction %{i} computes nothing.");
        }
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

    // For each instruction of the range, last first: adjoint = a[i]; if (adjoint != 0) { a[u] += adjoint * partial; ... }.
    private void EmitReverse()
    {
        for (int i = to - 1; i >= System.Math.Max(from, tape.InputCount); i--)
        {
            if (code.Ops[i] == OpCode.Constant) continue;
            var skip = il.DefineLabel();
            current = locals ? adjointLocals[i] : adjoint;   // in locals mode the adjoint is a local already
            if (!locals) { LoadPointer(Il.Ldarg_2, i); il.Emit(Il.Ldind_R8); il.Emit(Il.Stloc, current); }
            // The zero test matters only where a partial may be infinite or NaN (0·inf must send nothing). A linear
            // instruction's partials are finite constants, so sending 0·w changes nothing: no test, no branch.
            if (code.Ops[i] != OpCode.Linear || !FiniteWeights(i))
            {
                il.Emit(Il.Ldloc, current);
                Constant(0);
                il.Emit(Il.Beq, skip);
            }
            Sends(i);
            il.MarkLabel(skip);
        }
    }

    private bool FiniteWeights(int i)
    {
        foreach (var w in code.Weights.AsSpan(code.OperandStart[i], code.OperandCount[i])) if (!double.IsFinite(w)) return false;
        return true;
    }

    private LocalBuilder current = null!;   // the adjoint of the instruction whose sends are being emitted

    // a[operand k] += adjoint * partial, the partial pushed by the given action; constants need no adjoint.
    private void Send(int i, int k, Action? partial)
    {
        int target = code.Operands[code.OperandStart[i] + k];
        if (code.Ops[target] == OpCode.Constant) return;
        if (locals) il.Emit(Il.Ldloc, adjointLocals[target]);
        else { LoadPointer(Il.Ldarg_2, target); il.Emit(Il.Dup); il.Emit(Il.Ldind_R8); }
        il.Emit(Il.Ldloc, current);
        if (partial is not null) { partial(); il.Emit(Il.Mul); }   // null: the partial is 1
        il.Emit(Il.Add);
        if (locals) il.Emit(Il.Stloc, adjointLocals[target]);
        else il.Emit(Il.Stind_R8);
    }

    // The local partials, as Forward.cs computes them.
    private void Sends(int i)
    {
        int s = code.OperandStart[i], n = code.OperandCount[i];
        switch (code.Ops[i])
        {
            case OpCode.Linear:
                for (int k = 0; k < n; k++) { double w = code.Weights[s + k]; Send(i, k, w == 1 ? null : () => Constant(w)); }
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
            case OpCode.Square: Send(i, 0, () => { Constant(2); LoadOperand(i, 0); il.Emit(Il.Mul); }); break;
            case OpCode.Reciprocal: Send(i, 0, () => { LoadValue(i); il.Emit(Il.Neg); LoadValue(i); il.Emit(Il.Mul); }); break;
            case OpCode.Sqrt: Send(i, 0, () => { Constant(0.5); LoadValue(i); il.Emit(Il.Div); }); break;
            case OpCode.PowConstant:
                Send(i, 0, () => { Constant(code.Constants[i]); LoadOperand(i, 0); Constant(code.Constants[i] - 1); CallMath(nameof(System.Math.Pow), 2); il.Emit(Il.Mul); });
                break;
            case OpCode.Pow:
                Send(i, 0, () => { LoadOperand(i, 1); LoadOperand(i, 0); LoadOperand(i, 1); Constant(1); il.Emit(Il.Sub); CallMath(nameof(System.Math.Pow), 2); il.Emit(Il.Mul); });
                Send(i, 1, () => { LoadValue(i); LoadOperand(i, 0); CallMath(nameof(System.Math.Log), 1); il.Emit(Il.Mul); });
                break;
            case OpCode.Call:
                var row = code.Primitives[i]!;
                for (int k = 0; k < n; k++) { int p = k; Send(i, k, () => Invoke(row.NumericPartials[p], i)); }
                break;
        }
    }
}
