// Source export: a tape as a self-contained C# class or C file (value and reverse-mode gradient) that needs
// nothing of Hybrid at run time — for programs without dynamic code (native AOT), for engineers who embed
// generated C, and for reading. It mirrors the IL compiler (Emitter.cs) statement for statement: the same
// formulas (Formulas.cs, written out as helpers of the generated code), the same order of accumulation, the
// same zero-adjoint test and Chain behind a non-finite adjoint, so values and gradients are the interpreter's
// bit for bit wherever the same functions run (a table row's value is its C#/C template, its partials its
// exact partials printed: where a row computes either differently, e.g. log1p's correction near 0, the last
// bits may differ). Small tapes keep values and adjoints in locals (common subexpressions are the tape's
// instructions: each is one local); longer ones use arrays in a caller-owned workspace, with the repeated
// stretches re-rolled into loops (Segments.cs), so a sum of 100 000 terms is a loop, not 100 000 statements; where
// the output is a sum of such terms, each term is computed and swept backward in one loop (Fusion, below: the
// gradient's last bits may then differ from the tape's, its value does not).
using System.Globalization;
using System.Text;
using Hybrid.Symbolic;

namespace Hybrid.Tapes;

/// <summary>The language of <see cref="Tape.ToSource"/>.</summary>
public enum SourceLanguage
{
    /// <summary>A C# static class (spans; a nested Workspace class for long tapes).</summary>
    CSharp,

    /// <summary>C99 functions over arrays (math.h; a workspace struct for long tapes).</summary>
    C,
}

public sealed partial class Tape
{
    /// <summary>
    /// This tape as source code with no run-time dependency on Hybrid: <c>Value</c> (all outputs) and, for one output,
    /// <c>Gradient</c> (value and reverse-mode gradient), or for several <c>VectorJacobianProduct</c> and <c>Jacobian</c> (the
    /// values and every row after one forward sweep). Tapes longer than
    /// <see cref="CompiledTape.LocalsLimit"/> instructions keep values in a workspace the caller allocates once (C#: the nested
    /// <c>Workspace</c> class; C: a struct), with repeated stretches as loops.
    /// </summary>
    /// <param name="language">C# or C.</param>
    /// <param name="name">The class name (C#) or the prefix of every function and type (C); a valid identifier.</param>
    /// <exception cref="ArgumentException"><paramref name="name"/> is not an ASCII identifier, or is a keyword of C# or C.</exception>
    /// <exception cref="NotSupportedException">The tape calls a function with no source template in that language (a registered function without one).</exception>
    public string ToSource(SourceLanguage language = SourceLanguage.CSharp, string name = "Generated")
    {
        if (string.IsNullOrEmpty(name) || !(char.IsAsciiLetter(name[0]) || name[0] == '_') || !name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_'))
            throw new ArgumentException($"'{name}' is not an identifier.", nameof(name));
        if (keywords.Contains(name)) throw new ArgumentException($"'{name}' is a keyword of C# or C: choose another name.", nameof(name));
        return new SourceWriter(this, language, name).Write();
    }

    /// <summary>The C# export as a <c>file</c> class: the source generator (Hybrid.Generators) puts one beside each method it implements.</summary>
    internal string ToFileLocalCSharp(string name) => new SourceWriter(this, SourceLanguage.CSharp, name, fileLocal: true).Write();

    // The keywords of C# and C (a class or prefix named so would not compile).
    private static readonly HashSet<string> keywords =
    [
        "abstract", "as", "base", "bool", "break", "byte", "case", "catch", "char", "checked", "class", "const", "continue", "decimal",
        "default", "delegate", "do", "double", "else", "enum", "event", "explicit", "extern", "false", "finally", "fixed", "float", "for",
        "foreach", "goto", "if", "implicit", "in", "int", "interface", "internal", "is", "lock", "long", "namespace", "new", "null", "object",
        "operator", "out", "override", "params", "private", "protected", "public", "readonly", "ref", "return", "sbyte", "sealed", "short",
        "sizeof", "stackalloc", "static", "string", "struct", "switch", "this", "throw", "true", "try", "typeof", "uint", "ulong", "unchecked",
        "unsafe", "ushort", "using", "virtual", "void", "volatile", "while", "auto", "inline", "register", "restrict", "signed", "typedef",
        "union", "unsigned", "_Bool", "_Complex", "_Imaginary",
    ];
}

internal sealed class SourceWriter
{
    private readonly Tape tape;
    private readonly Tape.Code code;
    private readonly SourceLanguage language;
    private readonly string name;
    private readonly bool locals;
    private readonly bool fileLocal;    // C#: a file-local class (the source generator's), not a public one
    private readonly StringBuilder text = new();
    private int indent;
    private Segment? run;               // the run being written: operand and own indices move with its copy counter k
    private OperandRun? operandRun;     // the operand run being written: its slot moves with the term counter t
    private Segment? fusedCopy;         // the fused run being written: its own instructions are the locals f_j, g_j
    private readonly Fusion? fusion;
    private bool direct;                // the method being written reads inputs from x and adds their adjoints into its result
    private bool mixed;                 // a reference of the method being written covers input and other slots at once
    private string? adjointTarget;      // the result span of the method being written (null: values only)

    public SourceWriter(Tape tape, SourceLanguage language, string name, bool fileLocal = false)
    {
        (this.tape, code, this.language, this.name, this.fileLocal, locals) =
            (tape, tape.Instructions, language, name, fileLocal, tape.Length <= CompiledTape.LocalsLimit);
        if (!locals) fusion = Fusion.Plan(tape, code, Plan());
    }

    private bool C => language == SourceLanguage.C;

    public string Write()
    {
        Header();
        if (C) WriteC(); else WriteCSharp();
        return text.ToString();
    }

    private void Header()
    {
        Line(C ? "/* Generated by Hybrid: do not edit. */" : "// <auto-generated/> by Hybrid: do not edit.");
        string inputs = string.Join(", ", tape.InputNames);
        Line($"{(C ? "/*" : "//")} A tape of {tape.Length} instructions over ({inputs}), {tape.OutputCount} output{(tape.OutputCount == 1 ? "" : "s")}; values and");
        Line($"{(C ? " *" : "//")} gradients are the tape's (same formulas, same order of accumulation).{(C ? " */" : "")}");
    }

    private void WriteCSharp()
    {
        Line("#nullable enable");
        Line("#pragma warning disable // generated: an adjoint may be computed and not read");
        Line("using System;");
        Line();
        Line($"{(fileLocal ? "file" : "public")} static class {name}");
        Open();
        Line($"/// <summary>The inputs, in order: {string.Join(", ", tape.InputNames)}.</summary>");
        Line($"public static readonly string[] InputNames = [{string.Join(", ", tape.InputNames.Select(n => "\"" + n + "\""))}];");
        Line($"public const int InputCount = {tape.InputCount}, OutputCount = {tape.OutputCount};");
        string workspace = locals ? "" : ", Workspace workspace";
        if (!locals)
        {
            Line();
            Line("/// <summary>The values and adjoints of every instruction: allocate once, reuse (one per thread).</summary>");
            Line("public sealed class Workspace");
            Open();
            Line($"internal readonly double[] V = new double[{tape.Length}], A = new double[{tape.Length}];");
            Line();
            Line("public Workspace()");
            Open();
            for (int i = 0; i < tape.Length; i++) if (code.Ops[i] == OpCode.Constant) Line($"V[{i}] = {Number(code.Constants[i])};");
            Close();
            Close();
        }
        Line();
        Line("/// <summary>Every output at x, written to values.</summary>");
        Line($"public static void Value(ReadOnlySpan<double> x, Span<double> values{workspace})");
        Open();
        Require("x", "InputCount");
        Require("values", "OutputCount");
        InPlaceOrCopied(null, ForwardValues);
        Close();
        Line();
        bool scalar = tape.OutputCount == 1;
        Line(scalar ? "/// <summary>The output at x, and its gradient written to gradient (reverse mode).</summary>"
                    : "/// <summary>seedᵀ·J at x, written to result (reverse mode); returns the first output.</summary>");
        Line(scalar ? $"public static double Gradient(ReadOnlySpan<double> x, Span<double> gradient{workspace})"
                    : $"public static double VectorJacobianProduct(ReadOnlySpan<double> x, ReadOnlySpan<double> seed, Span<double> result{workspace})");
        Open();
        Require("x", "InputCount");
        Require(scalar ? "gradient" : "result", "InputCount");
        if (!scalar) Require("seed", "OutputCount");
        ReverseModeBody(scalar);
        Close();
        if (!scalar)
        {
            Line();
            Line("/// <summary>Every output at x into values and the Jacobian into jacobian, row by row (OutputCount × InputCount): one forward sweep, one reverse sweep per output.</summary>");
            Line($"public static void Jacobian(ReadOnlySpan<double> x, Span<double> values, Span<double> jacobian{workspace})");
            Open();
            Require("x", "InputCount");
            Require("values", "OutputCount");
            Require("jacobian", "OutputCount * InputCount");
            JacobianBody();
            Close();
        }
        Line();
        Helpers();
        Close();
    }

    // A forward sweep and every output's value into values.
    private void ForwardValues()
    {
        Forward();
        for (int k = 0; k < tape.OutputCount; k++) Line($"values[{k}] = {Value(tape.OutputSlots[k])};");
    }

    // The gradient (one output) or vector-Jacobian product (several): forward, reverse, the result, the first output's value.
    private void ReverseModeBody(bool scalar) => InPlaceOrCopied(scalar ? "gradient" : "result", () =>
    {
        Forward(gradient: true);
        Reverse(scalar);
        CopyAdjoints(scalar ? "gradient" : "result");
        Line($"return {Value(tape.OutputSlots[0])};");
    });

    // One forward sweep, the outputs' values, then per output a reverse sweep seeded with 1 at that output into its row.
    private void JacobianBody() => InPlaceOrCopied("row", () =>
    {
        ForwardValues();
        Line(C ? $"for (int output = 0; output < {tape.OutputCount}; output++)" : "for (int output = 0; output < OutputCount; output++)");
        Open();
        Line(C ? $"double* row = jacobian + output * {tape.InputCount};" : "var row = jacobian.Slice(output * InputCount, InputCount);");
        Reverse(scalar: false, seed: k => $"(output == {k} ? 1.0 : 0.0)");
        CopyAdjoints("row");
        Close();
    });

    // Writes a method body that reads the inputs from x and adds their adjoints straight into the result (no copy of
    // the point in, none of the gradient out) when every reference to an input slot — a loop's included — covers inputs
    // only; otherwise writes it again through the workspace, the inputs copied in and their adjoints out.
    private void InPlaceOrCopied(string? result, Action body)
    {
        var (mark, indentMark) = (text.Length, indent);
        (direct, mixed, adjointTarget) = (!locals, false, result);
        body();
        if (mixed)
        {
            (text.Length, indent, direct, mixed) = (mark, indentMark, false, false);
            body();
        }
        (direct, adjointTarget) = (false, null);
    }

    // True when a reference (slot i, moving by stride per copy and termStride per term) names inputs only, in place;
    // one that covers inputs and other slots marks the method for the workspace form.
    private bool InInputs(int i, int stride, int termStride)
    {
        if (!direct) return false;
        var coverage = Segments.Coverage(i, stride, termStride, run, operandRun, tape.InputCount);
        mixed |= coverage == InputCoverage.Mixed;
        return coverage == InputCoverage.Inputs;
    }

    private void WriteC()
    {
        Line("#include <math.h>");
        Line("#include <string.h>");
        Line();
        Line($"enum {{ {name}_input_count = {tape.InputCount}, {name}_output_count = {tape.OutputCount} }};");
        string workspace = locals ? "" : $", {name}_workspace* w";
        if (!locals)
        {
            Line();
            Line($"/* The values and adjoints of every instruction: call {name}_init once, reuse (one per thread). */");
            Line($"typedef struct {{ double v[{tape.Length}], a[{tape.Length}]; }} {name}_workspace;");
            Line();
            Line($"void {name}_init({name}_workspace* w)");
            Open();
            for (int i = 0; i < tape.Length; i++) if (code.Ops[i] == OpCode.Constant) Line($"w->v[{i}] = {Number(code.Constants[i])};");
            Close();
        }
        Line();
        Helpers();
        Line();
        Line($"/* Every output at x ({string.Join(", ", tape.InputNames)}), written to values. */");
        Line($"void {name}_value(const double* x, double* values{workspace})");
        Open();
        InPlaceOrCopied(null, ForwardValues);
        Close();
        Line();
        bool scalar = tape.OutputCount == 1;
        Line(scalar ? "/* The output at x, and its gradient written to gradient (reverse mode). */"
                    : "/* seedᵀ·J at x, written to result (reverse mode); returns the first output. */");
        Line(scalar ? $"double {name}_gradient(const double* x, double* gradient{workspace})"
                    : $"double {name}_vector_jacobian_product(const double* x, const double* seed, double* result{workspace})");
        Open();
        ReverseModeBody(scalar);
        Close();
        if (scalar) return;
        Line();
        Line("/* Every output at x into values and the Jacobian into jacobian, row by row (outputs × inputs): one forward sweep, one reverse sweep per output. */");
        Line($"void {name}_jacobian(const double* x, double* values, double* jacobian{workspace})");
        Open();
        JacobianBody();
        Close();
    }

    // The inputs' adjoints into the result: one statement each from locals, one copy from the workspace.
    private void CopyAdjoints(string result)
    {
        if (direct) return;   // added in place
        if (!locals) Line(C ? $"memcpy({result}, a, sizeof(double) * {tape.InputCount});" : $"a.AsSpan(0, InputCount).CopyTo({result});");
        else for (int i = 0; i < tape.InputCount; i++) Line($"{result}[{i}] = {Adjoint(i)};");
    }

    private void Require(string span, string count) =>
        Line($"if ({span}.Length != {count}) throw new ArgumentException($\"{span} has {{{span}.Length}} entries, not {{{count}}}.\", nameof({span}));");

    // The formulas of Formulas.cs and Tape.Chain/StrongProduct, as helpers of the generated code (in C, prefixed with the
    // name, so that several generated files can share a translation unit).
    private void Helpers()
    {
        string s = C ? "static inline double" : "private static double";
        Line($"{s} {Helper("Chain")}(double adjoint, double partial) {Body("partial == 0 ? 0 : adjoint * partial")}");
        Line($"{s} {Helper("StrongProduct")}(double a, double b) {Body("a == 0 || b == 0 ? 0 : a * b")}");
        Line($"{s} {Helper("PowBasePartial")}(double a, double b) {Body($"{Helper("StrongProduct")}(b, {Pow("a", "b - 1")})")}");
        Line($"{s} {Helper("PowExponentPartial")}(double a, double value) {Body($"{Helper("StrongProduct")}(value, {(C ? "log(a)" : "Math.Log(a)")})")}");
        if (!C) Line("private static bool IsFiniteNonzero(double a) => (ulong)((BitConverter.DoubleToInt64Bits(a) & long.MaxValue) - 1) < 0x7FEF_FFFF_FFFF_FFFFUL;");
        else
        {
            Line($"static inline int {Helper("IsFiniteNonzero")}(double a) {{ return a != 0 && isfinite(a); }}");
            Line($"{s} {Helper("sign")}(double a) {{ return a > 0 ? 1.0 : a < 0 ? -1.0 : a == 0 ? 0.0 : NAN; }}");
            Line($"static inline int {Helper("is_positive_infinity")}(double a) {{ return isinf(a) && a > 0; }}");
        }
    }

    private string Helper(string helper) => C ? $"{name}_{helper}" : helper;

    private string Body(string expression) => C ? $"{{ return {expression}; }}" : $"=> {expression};";

    private string Pow(string a, string b) => C ? $"pow({a}, {b})" : $"Math.Pow({a}, {b})";

    private void Forward(bool gradient = false)
    {
        if (locals)
        {
            for (int i = 0; i < tape.InputCount; i++) Line($"double v{i} = x[{i}];");
        }
        else
        {
            Line(C ? "double* v = w->v; double* a = w->a;" : "var v = workspace.V; var a = workspace.A;");
            if (!direct) Line(C ? $"memcpy(v, x, sizeof(double) * {tape.InputCount});" : "x.CopyTo(v);");
        }
        foreach (var segment in Plan())
        {
            if (fusion is { } f && (f.Runs.Contains(segment) || segment.Start == f.Output)) continue;
            Repeat(segment, forward: true, () =>
            {
                for (int i = segment.Start; i < segment.Start + segment.Period; i++)
                    if (code.Ops[i] != OpCode.Constant) Assign(i, locals ? $"v{i}" : ValueRef(i, Own(segment)), local: locals);
            });
        }
        if (fusion is not null) Fused(gradient);
    }

    // The fused runs (see PlanFusion): the output's sum accumulated as the interpreter orders it, each copy's values in
    // locals and, for a gradient, each copy's reverse sweep right after its forward one, its adjoints in locals too.
    private void Fused(bool gradient)
    {
        var f = fusion!;
        // The fused runs' adjoints are locals: only the inputs' slots and the rest's need clearing.
        if (gradient)
            foreach (var (start, length) in f.UsedAdjoints(tape, Plan()))
            {
                int inputs = direct && adjointTarget is not null ? Math.Clamp(tape.InputCount - start, 0, length) : 0;   // in the result, in place
                if (inputs > 0) ClearResult(start, inputs);
                if (length > inputs) ClearAdjoints(start + inputs, length - inputs);
            }
        Line("double total = 0;");
        foreach (var (operand, weight) in f.Prefix) Line($"total += {Weighted(weight, Value(operand))};");
        foreach (var run in f.Runs.OrderBy(r => r.Start))
        {
            Line($"for (int k = 0; k < {run.Repeats}; k++)");
            Open();
            this.run = fusedCopy = run;
            for (int i = run.Start; i < run.Start + run.Period; i++)
                if (code.Ops[i] != OpCode.Constant) Assign(i, $"f{i - run.Start}", local: true);
            foreach (var (j, weight) in f.Terms[run]) Line($"total += {Weighted(weight, $"f{j}")};");
            if (gradient)
            {
                for (int i = run.Start; i < run.Start + run.Period; i++)
                    if (code.Ops[i] != OpCode.Constant) Line($"double g{i - run.Start} = 0;");
                // The output's sends first, as in the interpreter (it is the last instruction), then the copy's own.
                foreach (var (j, weight) in f.Terms[run]) Line($"g{j} += {(weight == 1 ? "1.0" : $"1.0 * {Number(weight)}")};");
                for (int i = run.Start + run.Period - 1; i >= run.Start; i--) ReverseInstruction(i, run);
            }
            this.run = fusedCopy = null;
            Close();
        }
        foreach (var (operand, weight) in f.Suffix) Line($"total += {Weighted(weight, Value(operand))};");
        Line($"v[{f.Output}] = total;");
    }

    private IReadOnlyList<Segment> Plan() => plan ??= locals
        ? Enumerable.Range(tape.InputCount, tape.Length - tape.InputCount).Select(i => new Segment(i, 1, 1, null)).ToList()
        : tape.Rerolled;

    private IReadOnlyList<Segment>? plan;   // made once: the fused runs are found among these very segments

    private static int Own(Segment segment) => segment.IsRun ? segment.Period : 0;

    // The body once, or in a loop over the copies of a run (k: the copy; forward first copy first).
    private void Repeat(Segment segment, bool forward, Action body)
    {
        if (!segment.IsRun) { body(); return; }
        run = segment;
        Line(forward ? $"for (int k = 0; k < {segment.Repeats}; k++)" : $"for (int k = {segment.Repeats - 1}; k >= 0; k--)");
        Open();
        body();
        Close();
        run = null;
    }

    // v[index + k·stride + t·termStride], or the local of a small tape; a constant outside a run is inlined.
    private string Value(int i, int stride = 0, int termStride = 0)
    {
        if (code.Ops[i] == OpCode.Constant && stride == 0 && termStride == 0) return Number(code.Constants[i]);
        if (SameFusedCopy(i, stride, termStride)) return $"f{i - fusedCopy!.Start}";
        if (!locals && InInputs(i, stride, termStride)) return $"x[{Index(i, stride, termStride)}]";
        return locals ? $"v{i}" : $"v[{Index(i, stride, termStride)}]";
    }

    // Inside a fused copy, an instruction of the same copy: its value and adjoint are the locals f_j and g_j.
    private bool SameFusedCopy(int i, int stride, int termStride) =>
        fusedCopy is { } copy && stride == copy.Period && termStride == 0 && i >= copy.Start && i < copy.Start + copy.Period;

    private string ValueRef(int i, int stride) => $"v[{Index(i, stride, 0)}]";

    private string Adjoint(int i, int stride = 0, int termStride = 0) =>
        SameFusedCopy(i, stride, termStride) ? $"g{i - fusedCopy!.Start}" : locals ? $"a{i}"
        : adjointTarget is not null && InInputs(i, stride, termStride) ? $"{adjointTarget}[{Index(i, stride, termStride)}]" : $"a[{Index(i, stride, termStride)}]";

    private void ClearAdjoints(int start, int length) =>
        Line(length == 1 ? $"a[{start}] = 0;" : C ? $"memset(a + {start}, 0, sizeof(double) * {length});" : $"Array.Clear(a, {start}, {length});");

    // Zeros into the result's inputs [start, start + length) before their adjoints are added in place.
    private void ClearResult(int start, int length) =>
        Line(C ? $"memset({adjointTarget} + {start}, 0, sizeof(double) * {length});"
            : start == 0 && length == tape.InputCount ? $"{adjointTarget}.Clear();" : $"{adjointTarget}.Slice({start}, {length}).Clear();");

    private static string Index(int i, int stride, int termStride) =>
        i.ToString(CultureInfo.InvariantCulture) + (stride != 0 ? $" + k * {stride}" : "") + (termStride != 0 ? $" + t * {termStride}" : "");

    private int Stride(int slot) => run?.Strides![slot] ?? 0;

    private int TermStride(int slot) => operandRun is { } r && slot == r.First ? r.Stride : 0;

    private string Slot(int slot) => Value(code.Operands[slot], Stride(slot), TermStride(slot));

    private string Operand(int i, int k) => Slot(code.OperandStart[i] + k);

    private string Own(int i) => Value(i, run is null ? 0 : run.Period);

    // target = the value of instruction i, as Forward.cs computes it. Temporaries live in a block of their own, so a
    // long tape does not become one method with thousands of locals (slow to compile, and past a few hundred locals
    // the JIT stops optimizing).
    private void Assign(int i, string target, bool local)
    {
        int n = code.OperandCount[i], s = code.OperandStart[i];
        string declare = local ? "double " : "";
        switch (code.Ops[i])
        {
            case OpCode.Linear when n > 2:
                // The interpreter's n-ary sum starts from 0 and adds term by term; a long operand list is a loop. The sum is a
                // local (a register), stored once.
                if (local) Line($"double {target};");
                Open();
                Line("double sum = 0;");
                foreach (var part in OperandRuns(i))
                    OverOperands(part, () => Line($"sum += {Weighted(code.Weights[part.First], Slot(part.First))};"));
                Line($"{target} = sum;");
                Close();
                return;
            case OpCode.SquaredLinear:
                if (local) Line($"double {target};");
                Open();
                SquaredLinearSum(i);
                Line($"{target} = sum * sum;");
                Close();
                return;
        }
        string value = code.Ops[i] switch
        {
            OpCode.Linear => string.Join(" + ", Enumerable.Range(0, n).Select(k => Weighted(code.Weights[s + k], Operand(i, k)))),
            // ((1·x₀)·x₁)·x₂… for more than two factors, as the interpreter's product starts from 1.
            OpCode.Multiply => (n > 2 ? "1.0 * " : "") + string.Join(" * ", Enumerable.Range(0, n).Select(k => Operand(i, k))),
            OpCode.Square => $"{Operand(i, 0)} * {Operand(i, 0)}",
            OpCode.Reciprocal => $"1 / {Operand(i, 0)}",
            OpCode.Sqrt => C ? $"sqrt({Operand(i, 0)})" : $"Math.Sqrt({Operand(i, 0)})",
            OpCode.PowConstant => Pow(Operand(i, 0), Number(code.Constants[i])),
            OpCode.Pow => Pow(Operand(i, 0), Operand(i, 1)),
            OpCode.Call => Template(code.Primitives[i]!, Enumerable.Range(0, n).Select(k => Operand(i, k)).ToArray()),
            _ => throw new InvalidOperationException($"Source export has no value rule for {code.Ops[i]}."),   // never silent
        };
        Line($"{declare}{target} = {value};");
    }

    // sum = L = Σ w·u of a squared-linear instruction, as Forward.cs sums it (inside the caller's block).
    private void SquaredLinearSum(int i)
    {
        int n = code.OperandCount[i], s = code.OperandStart[i];
        if (n == 1) Line($"double sum = {Number(code.Weights[s])} * {Operand(i, 0)};");
        else
        {
            Line("double sum = 0;");
            for (int k = 0; k < n; k++) Line($"sum += {Number(code.Weights[s + k])} * {Operand(i, k)};");
        }
    }

    private List<OperandRun> OperandRuns(int i) =>
        run is null && !locals ? Segments.Operands(code, i) : Enumerable.Range(code.OperandStart[i], code.OperandCount[i]).Select(slot => new OperandRun(slot, 1, 0)).ToList();

    // The body once for one operand slot, or in a loop over an operand run (t: the term, ascending as the interpreter).
    private void OverOperands(OperandRun part, Action body)
    {
        if (part.Count == 1) { body(); return; }
        operandRun = part;
        Line($"for (int t = 0; t < {part.Count}; t++)");
        Open();
        body();
        Close();
        operandRun = null;
    }

    private string Weighted(double weight, string operand) => weight == 1 ? operand : $"{Number(weight)} * {operand}";

    // A table row's value (its C# template, or for C the same with C's names) and its exact partials printed, with the
    // operands filled in.
    private string Template(Primitive row, string[] arguments) => string.Format(CultureInfo.InvariantCulture, Formats(row).Value, arguments);

    private string Partial(Primitive row, int k, string[] arguments) => string.Format(CultureInfo.InvariantCulture, Formats(row).Partials[k], arguments);

    private readonly Dictionary<Primitive, (string Value, string[] Partials)> formats = [];

    // A row's value and partials as format strings of this language ({0}, {1}, ...: the operands): printed once per row,
    // not once per instruction that calls it.
    private (string Value, string[] Partials) Formats(Primitive row)
    {
        if (formats.TryGetValue(row, out var known)) return known;
        var parameters = row.Parameters.Select(Expr.Symbol).ToArray();
        var placeholders = parameters.Select((p, j) => (p, Expr.Symbol($"hybridArgument{j}"))).ToDictionary(pair => pair.p, pair => pair.Item2);
        string InLanguage(string csharp) => "(" + (C ? ToC(csharp) : csharp) + ")";
        var partials = row.Partials.Select(partial =>
        {
            string printed = InLanguage(partial(parameters).Substitute(placeholders).ToCSharp());
            for (int j = 0; j < parameters.Length; j++) printed = printed.Replace($"hybridArgument{j}", "{" + j + "}");
            return printed;
        }).ToArray();
        return formats[row] = (InLanguage(row.CSharp), partials);
    }

    // C# math calls to C's: the templates and printed partials use only these.
    private string ToC(string csharp)
    {
        string c = csharp.Replace("MathNet.Numerics.SpecialFunctions.Erfc(", "erfc(").Replace("MathNet.Numerics.SpecialFunctions.Erf(", "erf(")
            .Replace("double.Hypot(", "hypot(").Replace("Math.Ceiling(", "ceil(").Replace("Math.Abs(", "fabs(").Replace("Math.Max(", "fmax(")
            .Replace("Math.Min(", "fmin(").Replace("Math.Round(", "nearbyint(").Replace("(double)Math.Sign(", Helper("sign") + "(").Replace("double.IsPositiveInfinity(", Helper("is_positive_infinity") + "(").Replace("Math.PI", "3.141592653589793");
        c = System.Text.RegularExpressions.Regex.Replace(c, @"Math\.([A-Z][a-z0-9]*)\(", m => m.Groups[1].Value.ToLowerInvariant() + "(");
        if (c.Contains("Math.") || c.Contains("double.") || c.Contains("MathNet")) throw new NotSupportedException($"No C equivalent for '{csharp}'.");
        return c;
    }

    // For each instruction, last first: adjoint = a[i]; if (adjoint != 0) { a[u] += adjoint * partial; ... }, behind a
    // non-finite adjoint through Chain, as the compiled code does.
    // seed: the expression of output k's seed (a vector-Jacobian product's seed[k] by default).
    private void Reverse(bool scalar, Func<int, string>? seed = null)
    {
        if (fusion is not null) Line($"a[{fusion.Output}] += 1;");   // cleared before the fused runs, which sent their adjoints already
        else if (!locals)
        {
            Line(C ? $"memset(a, 0, sizeof(double) * {tape.Length});" : "Array.Clear(a);");
            if (direct) ClearResult(0, tape.InputCount);
        }
        else
            for (int i = 0; i < tape.Length; i++)
                if (code.Ops[i] != OpCode.Constant || tape.OutputSlots.Contains(i)) Line($"double a{i} = 0;");   // a constant may be an output
        if (fusion is null)
            for (int k = 0; k < tape.OutputCount; k++)
                Line($"{Adjoint(tape.OutputSlots[k])} += {(scalar ? "1" : seed?.Invoke(k) ?? $"seed[{k}]")};");
        var segments = Plan();
        for (int g = segments.Count - 1; g >= 0; g--)
        {
            var segment = segments[g];
            if (fusion is { } f && f.Runs.Contains(segment)) continue;
            Repeat(segment, forward: false, () =>
            {
                for (int i = segment.Start + segment.Period - 1; i >= segment.Start; i--) ReverseInstruction(i, segment);
            });
        }
    }

    // adjoint = a[i]; if (adjoint != 0) { a[u] += adjoint * partial; ... }, behind a non-finite adjoint through Chain, as
    // the compiled code does; the fused output sends only to its operands outside the fused runs (the runs took theirs).
    private void ReverseInstruction(int i, Segment segment)
    {
        if (code.Ops[i] == OpCode.Constant || code.Ops[i] == OpCode.Input) return;
        const string adjoint = "adjoint";
        Open();   // the instruction's temporaries in a block of their own, as in the forward sweep
        Line($"double {adjoint} = {Adjoint(i, Own(segment))};");
        if (fusion is { } f && i == f.Output)
        {
            foreach (var (operand, weight) in f.Prefix.Concat(f.Suffix))
                Line($"{Adjoint(operand)} += {(weight == 1 ? adjoint : $"{adjoint} * {Number(weight)}")};");
            Close();
            return;
        }
        if (code.Ops[i] == OpCode.Linear && code.FiniteWeights(i)) Sends(i, adjoint, strong: false);   // finite constant partials: 0·w changes nothing
        else if (code.Ops[i] == OpCode.Linear)
        {
            Line($"if ({adjoint} != 0)");
            Open();
            Sends(i, adjoint, strong: false);
            Close();
        }
        else
        {
            // As the compiled code: a finite nonzero adjoint (one test) multiplies plainly, a zero one sends nothing, an
            // infinite or NaN one sends through Chain.
            Line($"if ({Helper("IsFiniteNonzero")}({adjoint}))");
            Open();
            Sends(i, adjoint, strong: false);
            Close();
            Line($"else if ({adjoint} != 0)");
            Open();
            Sends(i, adjoint, strong: true);
            Close();
        }
        Close();
    }

    // a[operand] += adjoint · partial (partial null: 1); constants need no adjoint.
    private void Send(int slot, string adjoint, string? partial, bool strong)
    {
        int target = code.Operands[slot];
        if (code.Ops[target] == OpCode.Constant && Stride(slot) == 0 && TermStride(slot) == 0) return;
        string product = partial is null ? adjoint : strong ? $"{Helper("Chain")}({adjoint}, {partial})" : $"{adjoint} * {partial}";
        Line($"{Adjoint(target, Stride(slot), TermStride(slot))} += {product};");
    }

    // The local partials, as Forward.cs computes them.
    private void Sends(int i, string adjoint, bool strong)
    {
        int s = code.OperandStart[i], n = code.OperandCount[i];
        switch (code.Ops[i])
        {
            case OpCode.Linear:
                foreach (var part in OperandRuns(i))
                {
                    double w = code.Weights[part.First];
                    if (w == 0) continue;   // a folded zero weight sends nothing, as Tape.Chain (0·∞ would be NaN)
                    OverOperands(part, () => Send(part.First, adjoint, w == 1 ? null : Number(w), strong));
                }
                break;
            case OpCode.SquaredLinear:
                SquaredLinearSum(i);   // in each of the two sibling blocks (finite adjoint or not)
                for (int k = 0; k < n; k++) Send(s + k, adjoint, $"(2 * sum * {Number(code.Weights[s + k])})", strong);
                break;
            case OpCode.Multiply when n == 2:
                Send(s, adjoint, Operand(i, 1), strong);
                Send(s + 1, adjoint, Operand(i, 0), strong);
                break;
            case OpCode.Multiply:
            {
                // partial k = (product of the factors before k) · (product of those after k), as the interpreter.
                var suffix = Enumerable.Range(0, n).Select(k => $"suffix{k}").ToArray();
                Line($"double {suffix[n - 1]} = 1;");
                for (int k = n - 2; k >= 0; k--) Line($"double {suffix[k]} = {suffix[k + 1]} * {Operand(i, k + 1)};");
                const string prefix = "prefix";
                Line($"double {prefix} = 1;");
                for (int k = 0; k < n; k++)
                {
                    Send(s + k, adjoint, $"({prefix} * {suffix[k]})", strong);
                    Line($"{prefix} = {prefix} * {Operand(i, k)};");
                }
                break;
            }
            case OpCode.Square: Send(s, adjoint, $"(2 * {Operand(i, 0)})", strong); break;
            case OpCode.Reciprocal: Send(s, adjoint, $"(-{Own(i)} * {Own(i)})", strong); break;
            case OpCode.Sqrt: Send(s, adjoint, $"(0.5 / {Own(i)})", strong); break;
            case OpCode.PowConstant: Send(s, adjoint, $"{Helper("PowBasePartial")}({Operand(i, 0)}, {Number(code.Constants[i])})", strong); break;
            case OpCode.Pow:
                Send(s, adjoint, $"{Helper("PowBasePartial")}({Operand(i, 0)}, {Operand(i, 1)})", strong);
                Send(s + 1, adjoint, $"{Helper("PowExponentPartial")}({Operand(i, 0)}, {Own(i)})", strong);
                break;
            case OpCode.Call:
            {
                var row = code.Primitives[i]!;
                var arguments = Enumerable.Range(0, n).Select(k => Operand(i, k)).ToArray();
                for (int k = 0; k < n; k++) Send(s + k, adjoint, Partial(row, k, arguments), strong);
                break;
            }
            default: throw new InvalidOperationException($"Source export has no partials for {code.Ops[i]}.");   // never silent
        }
    }

    // A double as a literal that reads back to the same bits.
    private string Number(double value)
    {
        if (double.IsNaN(value)) return C ? "NAN" : "double.NaN";
        if (double.IsPositiveInfinity(value)) return C ? "INFINITY" : "double.PositiveInfinity";
        if (double.IsNegativeInfinity(value)) return C ? "(-INFINITY)" : "double.NegativeInfinity";
        string r = value.ToString("R", CultureInfo.InvariantCulture);
        if (!r.Contains('.') && !r.Contains('E')) r += ".0";
        return value < 0 ? $"({r})" : r;
    }

    private void Open() { Line("{"); indent++; }

    private void Close() { indent--; Line("}"); }

    private void Line(string line = "") => text.Append(' ', line.Length == 0 ? 0 : 4 * indent).AppendLine(line);
}
