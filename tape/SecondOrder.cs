// Second order on the interpreted tape: Hessian-vector products by forward over reverse. A forward
// sweep gives values and local partials; a tangent sweep along the direction gives each value's
// tangent and each local partial's directional derivative ṗ; a reverse sweep gives the adjoints a
// (a[u] += a·p, once per point, whatever the direction), and a last sweep their tangents:
// ȧ[u] += ȧ·p + a·ṗ. The input entries of ȧ are H·v. A primitive's ṗ comes from its exact second partials, differentiated once from the table
// row's exact partials and lowered to a small tape of their own.
using System.Collections.Concurrent;
using Hybrid.Symbolic;

namespace Hybrid.Tapes;

public sealed partial class Tape
{
    /// <summary>H·v: the Hessian of the (single) output times <paramref name="direction"/>, written to <paramref name="result"/>. One forward, one reverse, one tangent and one adjoint-tangent sweep.</summary>
    /// <exception cref="InvalidOperationException">The tape has more than one output.</exception>
    public void HessianVectorProduct(ReadOnlySpan<double> point, ReadOnlySpan<double> direction, Span<double> result, Workspace workspace, EvaluationOptions? options = null)
    {
        RequireOneOutput(nameof(HessianVectorProduct));
        CheckLength(direction.Length, InputCount, "direction");
        CheckLength(result.Length, InputCount, "result");
        Forward(point, workspace, partials: true, options);
        FirstOrderAdjoints(workspace);
        SecondOrderDirection(direction, result, workspace);
    }

    /// <summary>The Hessian of the (single) output, row-major (<c>hessian[i·InputCount + j]</c>): one forward sweep, then one tangent and one reverse sweep per input.</summary>
    /// <exception cref="InvalidOperationException">The tape has more than one output.</exception>
    public void Hessian(ReadOnlySpan<double> point, Span<double> hessian, Workspace workspace, EvaluationOptions? options = null)
    {
        RequireOneOutput(nameof(Hessian));
        CheckLength(hessian.Length, InputCount * InputCount, "Hessian");
        Forward(point, workspace, partials: true, options);
        FirstOrderAdjoints(workspace);
        Span<double> unit = InputCount <= 256 ? stackalloc double[InputCount] : new double[InputCount];
        for (int j = 0; j < InputCount; j++)
        {
            unit.Clear();
            unit[j] = 1;
            SecondOrderDirection(unit, hessian.Slice(j * InputCount, InputCount), workspace);
        }
    }

    // Hessian-vector products: the first-order adjoints, the same for every direction at a point (a dense or compressed
    // Hessian sweeps them once), after the forward sweep ...
    internal void FirstOrderAdjoints(Workspace workspace)
    {
        Array.Clear(workspace.Adjoints);
        workspace.Adjoints[outputs[0]] = 1;
        Reverse(workspace);
    }

    // ... and each direction needs only its tangents and the tangents of the adjoints: ȧ[u] += ȧ·p + a·ṗ.
    internal void SecondOrderDirection(ReadOnlySpan<double> direction, Span<double> result, Workspace workspace)
    {
        var (partials, partialTangents, adjoints) = (workspace.Partials, TangentSweep(direction, workspace), workspace.Adjoints);
        var adjointTangents = workspace.AdjointTangents ??= new double[ops.Length];
        Array.Clear(adjointTangents);
        for (int i = ops.Length - 1; i >= InputCount; i--)
        {
            double a = adjoints[i], at = adjointTangents[i];
            if (at == 0 && a == 0) continue;
            for (int k = operandStart[i]; k < operandStart[i] + operandCount[i]; k++)
            {
                double pt = partialTangents[k];
                if (at != 0) adjointTangents[operands[k]] += Chain(at, partials[k]);
                if (a != 0 && pt != 0) adjointTangents[operands[k]] += a * pt;
            }
        }
        adjointTangents.AsSpan(0, InputCount).CopyTo(result);
    }

    // The tangents of the values along direction, and of the local partials (ṗ); returns the partial tangents.
    private double[] TangentSweep(ReadOnlySpan<double> direction, Workspace workspace)
    {
        var (values, partials, tangents) = (workspace.Values, workspace.Partials, workspace.Tangents);
        var partialTangents = workspace.PartialTangents ??= new double[operands.Length];   // Linear's stay 0: its weights are constant
        direction.CopyTo(tangents);
        for (int i = InputCount; i < ops.Length; i++)
        {
            int s = operandStart[i], n = operandCount[i];
            double t = 0;
            for (int k = s; k < s + n; k++)
            {
                double tangent = tangents[operands[k]];
                if (tangent != 0 && partials[k] != 0) t += partials[k] * tangent;   // zero masks NaN, as in JacobianVectorProduct
            }
            tangents[i] = t;
            PartialTangents(i, values, tangents, partialTangents, workspace);
        }
        return partialTangents;
    }

    // ṗ for each operand slot of instruction i: the derivative of its local partial along the tangents.
    private void PartialTangents(int i, double[] values, double[] tangents, double[] pt, Workspace workspace)
    {
        int s = operandStart[i], n = operandCount[i];
        double T(int k) => tangents[operands[s + k]];
        double V(int k) => values[operands[s + k]];
        switch (ops[i])
        {
            case OpCode.Input or OpCode.Constant or OpCode.Linear:
                break;
            case OpCode.SquaredLinear:
            {
                // p_k = 2L·w_k, so ṗ_k = 2·w_k·L̇ with L̇ = Σ w_j·t_j.
                double sumTangent = 0;
                for (int k = 0; k < n; k++) if (T(k) != 0) sumTangent += weights[s + k] * T(k);
                for (int k = 0; k < n; k++) pt[s + k] = 2 * weights[s + k] * sumTangent;
                break;
            }
            case OpCode.Multiply when n == 2:
                (pt[s], pt[s + 1]) = (T(1), T(0));
                break;
            case OpCode.Multiply:
            {
                // p_k = P_k·S_k (products before and after k); carry the tangents of P and S along.
                Span<double> suffix = n <= 64 ? stackalloc double[2 * n] : new double[2 * n];   // S_k and its tangent
                double sv = 1, st = 0;
                for (int k = n - 1; k >= 0; k--)
                {
                    (suffix[2 * k], suffix[2 * k + 1]) = (sv, st);
                    (sv, st) = (sv * V(k), Dual(st, V(k), sv, T(k)));
                }
                double pv = 1, ptan = 0;
                for (int k = 0; k < n; k++)
                {
                    pt[s + k] = Dual(ptan, suffix[2 * k], pv, suffix[2 * k + 1]);
                    (pv, ptan) = (pv * V(k), Dual(ptan, V(k), pv, T(k)));
                }
                break;
            }
            case OpCode.Square:
                pt[s] = 2 * T(0);
                break;
            case OpCode.Reciprocal:
                pt[s] = T(0) == 0 ? 0 : -2 * values[i] * tangents[i];
                break;
            case OpCode.Sqrt:
                pt[s] = T(0) == 0 ? 0 : -0.5 * tangents[i] / (values[i] * values[i]);
                break;
            case OpCode.PowConstant:
            {
                double c = constants[i];
                pt[s] = T(0) == 0 ? 0 : StrongProduct(c * (c - 1), Math.Pow(V(0), c - 2)) * T(0);
                break;
            }
            case OpCode.Pow:
            {
                double a = V(0), b = V(1), ta = T(0), tb = T(1);
                pt[s] = (ta == 0 ? 0 : StrongProduct(b * (b - 1), Math.Pow(a, b - 2)) * ta) + (tb == 0 ? 0 : Math.Pow(a, b - 1) * (1 + StrongProduct(b, Math.Log(a))) * tb);
                pt[s + 1] = (tangents[i] == 0 ? 0 : tangents[i] * Math.Log(a)) + (ta == 0 ? 0 : StrongProduct(values[i], ta / a));
                break;
            }
            case OpCode.Call:
            {
                var (second, ws) = workspace.SecondPartials(primitives[i]!);
                Span<double> args = stackalloc double[n];
                Span<double> h = stackalloc double[n * n];
                for (int k = 0; k < n; k++) args[k] = V(k);
                second.Evaluate(args, h, ws);
                for (int k = 0; k < n; k++)
                {
                    double sum = 0;
                    for (int l = 0; l < n; l++) if (T(l) != 0) sum += h[k * n + l] * T(l);
                    pt[s + k] = sum;
                }
                break;
            }
            default:   // never silent: an opcode without a rule here would give a wrong Hessian
                throw new InvalidOperationException($"Second order has no rule for {ops[i]}.");
        }
    }

    // The tangent of x·y from the tangents of x and y, skipping zero tangents (so 0 masks NaN and inf).
    private static double Dual(double xt, double y, double x, double yt) => (xt == 0 ? 0 : xt * y) + (yt == 0 ? 0 : x * yt);

    private static readonly ConcurrentDictionary<Primitive, Tape> secondPartials = new();

    /// <summary>The row's exact second partials ∂²f/∂p_k∂p_l as one tape over its parameters (k·arity + l), made once per primitive.</summary>
    internal static Tape SecondPartialsOf(Primitive row) => secondPartials.GetOrAdd(row, static row =>
    {
        var parameters = row.Parameters.Select(Expr.Symbol).ToArray();
        var outputs = new List<Expr>();
        foreach (var partial in row.Partials)
            foreach (var p in parameters)
                outputs.Add(partial(parameters).Differentiate(p));
        return Lower(outputs, parameters);
    });
}
