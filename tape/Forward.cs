// The forward sweep: every opcode's value and local partials, in one place. With options, the
// strict mode stops at a kink and the checked mode at the first value that leaves the domain,
// naming the subexpression the instruction came from.
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Hybrid.Symbolic;

namespace Hybrid.Tapes;

public sealed partial class Tape
{
    // The dispatch of the sweeps: the opcode refined by operand count, so that the common two-operand
    // cases are one jump-table entry each instead of a chain of tests.
    private enum Dispatch : byte { Skip, Linear1, Linear2, LinearN, SquaredLinear, SquaredLinear2, Multiply2, MultiplyN, Square, Reciprocal, Sqrt, PowConstant, Pow, Call }

    private static Dispatch DispatchOf(OpCode op, int count) => op switch
    {
        OpCode.Input or OpCode.Constant => Dispatch.Skip,
        OpCode.Linear => count switch { 1 => Dispatch.Linear1, 2 => Dispatch.Linear2, _ => Dispatch.LinearN },
        OpCode.SquaredLinear => count == 2 ? Dispatch.SquaredLinear2 : Dispatch.SquaredLinear,
        OpCode.Multiply => count == 2 ? Dispatch.Multiply2 : Dispatch.MultiplyN,
        OpCode.Square => Dispatch.Square,
        OpCode.Reciprocal => Dispatch.Reciprocal,
        OpCode.Sqrt => Dispatch.Sqrt,
        OpCode.PowConstant => Dispatch.PowConstant,
        OpCode.Pow => Dispatch.Pow,
        OpCode.Call => Dispatch.Call,
    };

    // Unchecked element access for the sweeps: every index in the tape's arrays was produced by the
    // builder and is in range (asserted when the tape is made), and these loops run per instruction.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ref T At<T>(T[] array, int index) => ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(array), index);

    private void Forward(ReadOnlySpan<double> point, Workspace workspace, bool partials, EvaluationOptions? options)
    {
        if (!ReferenceEquals(workspace.Tape, this)) throw new ArgumentException("The workspace was created for another tape.", nameof(workspace));
        CheckLength(point.Length, InputCount, "point");
        var values = workspace.Values;
        var d = workspace.Partials;
        bool strict = options?.Strict ?? false, check = options?.Checked ?? false;
        point.CopyTo(values);
        // Checked mode: where each value's domain error came from (-1: none), so that only an error the
        // outputs use is raised; where() passes on only its taken branch's (its untaken one may be NaN).
        int[]? origin = check ? new int[dispatches.Length] : null;
        if (origin is not null) Array.Fill(origin, -1);
        var (dispatch, start, count, operand, weight, constant) = (dispatches, operandStart, operandCount, operands, weights, constants);
        for (int i = InputCount; i < dispatch.Length; i++)
        {
            int s = At(start, i), n = At(count, i);
            double v;
            switch (At(dispatch, i))
            {
                case Dispatch.Skip:
                    continue;   // constants are prefilled in the workspace
                case Dispatch.Linear1:
                    v = At(weight, s) * At(values, At(operand, s));   // partials: the weights, prefilled
                    break;
                case Dispatch.Linear2:
                    v = At(weight, s) * At(values, At(operand, s)) + At(weight, s + 1) * At(values, At(operand, s + 1));
                    break;
                case Dispatch.LinearN:
                    v = 0;
                    for (int k = s; k < s + n; k++) v += At(weight, k) * At(values, At(operand, k));
                    break;
                case Dispatch.SquaredLinear:
                {
                    // L = Σ w·u (as Linear computes it), v = L², ∂v/∂u_k = (2L)·w_k.
                    double sum = n == 1 ? At(weight, s) * At(values, At(operand, s)) : 0;
                    if (n > 1) for (int k = s; k < s + n; k++) sum += At(weight, k) * At(values, At(operand, k));
                    v = Formulas.Square(sum);
                    if (partials) for (int k = s; k < s + n; k++) At(d, k) = Formulas.SquaredLinearPartial(sum, At(weight, k));
                    break;
                }
                case Dispatch.SquaredLinear2:
                {
                    // The common (w·u + w'·u')², unrolled: summed from 0 as SquaredLinear sums it.
                    double w0 = At(weight, s), w1 = At(weight, s + 1);
                    double sum = 0;
                    sum += w0 * At(values, At(operand, s));
                    sum += w1 * At(values, At(operand, s + 1));
                    v = Formulas.Square(sum);
                    if (partials) { At(d, s) = Formulas.SquaredLinearPartial(sum, w0); At(d, s + 1) = Formulas.SquaredLinearPartial(sum, w1); }
                    break;
                }
                case Dispatch.Multiply2:
                {
                    double a = At(values, At(operand, s)), b = At(values, At(operand, s + 1));
                    v = a * b;
                    if (partials) { At(d, s) = b; At(d, s + 1) = a; }
                    break;
                }
                case Dispatch.MultiplyN:
                    // Partials by prefix and suffix products: exact where a factor is 0 (no division).
                    v = 1;
                    for (int k = s; k < s + n; k++) { if (partials) d[k] = v; v *= values[operand[k]]; }
                    if (partials)
                    {
                        double suffix = 1;
                        for (int k = s + n - 1; k >= s; k--) { d[k] *= suffix; suffix *= values[operand[k]]; }
                    }
                    break;
                case Dispatch.Square:
                {
                    double a = At(values, At(operand, s));
                    v = Formulas.Square(a);
                    if (partials) At(d, s) = Formulas.SquarePartial(a);
                    break;
                }
                case Dispatch.Reciprocal:
                    v = Formulas.Reciprocal(At(values, At(operand, s)));
                    if (partials) At(d, s) = Formulas.ReciprocalPartial(v);
                    break;
                case Dispatch.Sqrt:
                {
                    double a = At(values, At(operand, s));
                    if (strict && a == 0) throw Kink(i, "x^(1/2) is not differentiable at x = 0 (the convention gives the derivative +inf there, as sqrt'(0))", a);
                    v = Formulas.Sqrt(a);
                    if (partials) At(d, s) = Formulas.SqrtPartial(v);
                    break;
                }
                case Dispatch.PowConstant:
                {
                    double a = values[operand[s]], c = constant[i];
                    if (strict && a == 0 && c < 1 && c != Math.Floor(c)) throw Kink(i, $"x^({c.ToString(CultureInfo.InvariantCulture)}) is not differentiable at x = 0", a);
                    v = Formulas.Pow(a, c);
                    if (partials) d[s] = Formulas.PowBasePartial(a, c);
                    break;
                }
                case Dispatch.Pow:
                {
                    double a = values[operand[s]], b = values[operand[s + 1]];
                    v = Formulas.Pow(a, b);
                    if (partials) { d[s] = Formulas.PowBasePartial(a, b); d[s + 1] = Formulas.PowExponentPartial(a, v); }
                    break;
                }
                case Dispatch.Call:
                {
                    var args = workspace.Arguments.AsSpan(0, n);
                    for (int k = 0; k < n; k++) args[k] = values[operand[s + k]];
                    if (strict && primitives[i]!.Kink is { } kink && kink(args))
                        throw Kink(i, $"{primitives[i]!.Name} is not differentiable ({primitives[i]!.KinkConvention})", args.ToArray());
                    v = evaluators[i]!(args);
                    if (partials) for (int k = 0; k < n; k++) d[s + k] = partialFunctions[s + k]!(args);
                    break;
                }
                default:
                    throw new InvalidOperationException($"Instruction %{i} has no forward rule ({ops[i]}).");
            }
            At(values, i) = v;
            if (origin is not null)
            {
                origin[i] = InheritedOrigin(i, origin, values);
                if (origin[i] < 0 && !double.IsFinite(v) && OperandsFinite(values, s, n)) origin[i] = i;
            }
        }
        if (origin is not null)
            foreach (var output in outputs)
                if (origin[output] >= 0) throw OutsideDomain(origin[output], values[origin[output]], values);
    }

    private int InheritedOrigin(int i, int[] origin, double[] values)
    {
        int s = operandStart[i], n = operandCount[i];
        if (ReferenceEquals(primitives[i], Primitives.Where))
        {
            int condition = operands[s];
            return origin[condition] >= 0 ? origin[condition] : origin[operands[values[condition] != 0 ? s + 1 : s + 2]];
        }
        for (int k = s; k < s + n; k++) if (origin[operands[k]] >= 0) return origin[operands[k]];
        return -1;
    }

    // Built outside Forward: a lambda there would capture its locals and allocate on every sweep.
    private DomainException OutsideDomain(int i, double value, double[] values)
    {
        var args = operands.AsSpan(operandStart[i], operandCount[i]).ToArray().Select(o => values[o]).ToArray();
        return new($"Instruction %{i} ({sources[i]}) gives {value.ToString(CultureInfo.InvariantCulture)} at arguments ({Show(args)}): outside its real domain.",
            sources[i], args);
    }

    private NotDifferentiableException Kink(int i, string why, params double[] args) =>
        new($"{why} at instruction %{i} ({sources[i]}) with arguments ({Show(args)}); the strict mode reports it instead of using the convention.", sources[i], args);

    private bool OperandsFinite(double[] values, int start, int count)
    {
        for (int k = start; k < start + count; k++) if (!double.IsFinite(values[operands[k]])) return false;
        return true;
    }

    private static string Show(double[] args) => string.Join(", ", args.Select(a => a.ToString("R", CultureInfo.InvariantCulture)));
}
