// The forward sweep: every opcode's value and local partials, in one place. With options, the
// strict mode stops at a kink and the checked mode at the first value that leaves the domain,
// naming the subexpression the instruction came from.
using System.Globalization;
using Hybrid.Symbolic;

namespace Hybrid.Tape;

public sealed partial class Tape
{
    private void Forward(ReadOnlySpan<double> point, Workspace workspace, bool partials, EvaluationOptions? options)
    {
        if (!ReferenceEquals(workspace.Tape, this)) throw new ArgumentException("The workspace was created for another tape.", nameof(workspace));
        CheckLength(point.Length, InputCount, "point");
        var values = workspace.Values;
        var d = workspace.Partials;
        bool strict = options?.Strict ?? false, check = options?.Checked ?? false;
        point.CopyTo(values);
        for (int i = InputCount; i < ops.Length; i++)
        {
            int s = operandStart[i], n = operandCount[i];
            double v;
            switch (ops[i])
            {
                case OpCode.Constant:
                    v = constants[i];
                    break;
                case OpCode.Add when n == 2:
                    v = values[operands[s]] + values[operands[s + 1]];
                    if (partials) { d[s] = 1; d[s + 1] = 1; }
                    break;
                case OpCode.Add:
                    v = 0;
                    for (int k = 0; k < n; k++) { v += values[operands[s + k]]; if (partials) d[s + k] = 1; }
                    break;
                case OpCode.Multiply when n == 2:
                {
                    double a = values[operands[s]], b = values[operands[s + 1]];
                    v = a * b;
                    if (partials) { d[s] = b; d[s + 1] = a; }
                    break;
                }
                case OpCode.Scale:
                    v = constants[i] * values[operands[s]];
                    if (partials) d[s] = constants[i];
                    break;
                case OpCode.Multiply:
                    // Partials by prefix and suffix products: exact where a factor is 0 (no division).
                    v = 1;
                    for (int k = 0; k < n; k++) { if (partials) d[s + k] = v; v *= values[operands[s + k]]; }
                    if (partials)
                    {
                        double suffix = 1;
                        for (int k = n - 1; k >= 0; k--) { d[s + k] *= suffix; suffix *= values[operands[s + k]]; }
                    }
                    break;
                case OpCode.Square:
                {
                    double a = values[operands[s]];
                    v = a * a;
                    if (partials) d[s] = 2 * a;
                    break;
                }
                case OpCode.Reciprocal:
                    v = 1 / values[operands[s]];
                    if (partials) d[s] = -v * v;
                    break;
                case OpCode.Sqrt:
                {
                    double a = values[operands[s]];
                    if (strict && a == 0) throw Kink(i, "x^(1/2) is not differentiable at x = 0 (the convention gives the derivative +inf there, as sqrt'(0))", a);
                    v = Math.Sqrt(a);
                    if (partials) d[s] = 0.5 / v;
                    break;
                }
                case OpCode.PowConstant:
                {
                    double a = values[operands[s]], c = constants[i];
                    if (strict && a == 0 && c < 1 && c != Math.Floor(c)) throw Kink(i, $"x^({c.ToString(CultureInfo.InvariantCulture)}) is not differentiable at x = 0", a);
                    v = Math.Pow(a, c);
                    if (partials) d[s] = c * Math.Pow(a, c - 1);
                    break;
                }
                case OpCode.Pow:
                {
                    double a = values[operands[s]], b = values[operands[s + 1]];
                    v = Math.Pow(a, b);
                    if (partials) { d[s] = b * Math.Pow(a, b - 1); d[s + 1] = v * Math.Log(a); }
                    break;
                }
                case OpCode.Call:
                {
                    var row = primitives[i]!;
                    var args = workspace.Arguments.AsSpan(0, n);
                    for (int k = 0; k < n; k++) args[k] = values[operands[s + k]];
                    if (strict && row.Kink is { } kink && kink(args))
                        throw Kink(i, $"{row.Name} is not differentiable ({row.KinkConvention})", args.ToArray());
                    v = row.Evaluate(args);
                    if (partials) for (int k = 0; k < n; k++) d[s + k] = row.NumericPartials[k](args);
                    break;
                }
                default:
                    throw new InvalidOperationException($"Instruction %{i} has no forward rule ({ops[i]}).");
            }
            if (check && !double.IsFinite(v) && OperandsFinite(values, s, n)) throw OutsideDomain(i, v, values);
            values[i] = v;
        }
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
