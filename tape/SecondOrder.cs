// Second order on the interpreted tape: Hessian-vector products by forward over reverse. A forward
// sweep gives values and local partials; a reverse sweep the adjoints a (a[u] += a·p, once per point,
// whatever the direction); a tangent sweep along the direction each value's tangent; and a last, reverse
// sweep the tangents of the adjoints, ȧ[u] += ȧ·p + a·ṗ, computing each local partial's directional
// derivative ṗ as it goes. The input entries of ȧ are H·v. Several directions (a dense Hessian's unit
// vectors, a sparse one's colors) share the last two sweeps as SIMD lanes (Lanes.cs). A primitive's ṗ comes
// from its exact second partials, differentiated once from the table row's exact partials and lowered to a
// small tape of their own.
using System.Collections.Concurrent;
using System.Numerics;
using System.Runtime.InteropServices;
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
        SecondOrderDirections(1, direction, result, workspace);
    }

    /// <summary>The Hessian of the (single) output, row-major (<c>hessian[i·InputCount + j]</c>): one forward and one reverse sweep, then tangent and reverse sweeps for the inputs, a block of them at a time.</summary>
    /// <exception cref="InvalidOperationException">The tape has more than one output.</exception>
    public void Hessian(ReadOnlySpan<double> point, Span<double> hessian, Workspace workspace, EvaluationOptions? options = null)
    {
        RequireOneOutput(nameof(Hessian));
        CheckLength(hessian.Length, InputCount * InputCount, "Hessian");
        Forward(point, workspace, partials: true, options);
        FirstOrderAdjoints(workspace);
        int block = DirectionBlock(InputCount);
        var (units, rows) = workspace.HessianBlocks(InputCount * block);
        for (int first = 0; first < InputCount; first += block)
        {
            int count = Math.Min(block, InputCount - first);
            Array.Clear(units);
            for (int c = 0; c < count; c++) units[(first + c) * count + c] = 1;   // direction c is the unit vector of input first + c
            SecondOrderDirections(count, units.AsSpan(0, InputCount * count), rows.AsSpan(0, InputCount * count), workspace);
            for (int c = 0; c < count; c++)
                for (int j = 0; j < InputCount; j++) hessian[(first + c) * InputCount + j] = rows[j * count + c];
        }
    }

    // How many of the wanted directions one second-order sweep carries: whole SIMD vectors of them (rounded down, so the
    // rest goes in a block of its own rather than padding every block), at most 8, and no more than 512 MB of tangents
    // and adjoint tangents hold (16 bytes per instruction and direction).
    internal int DirectionBlock(int wanted)
    {
        int lanes = Vector<double>.Count;
        int held = (int)Math.Min(8, (512L << 20) / (16L * ops.Length));
        int WholeVectors(int count) => count >= lanes ? count / lanes * lanes : count;
        return Math.Max(1, Math.Min(WholeVectors(wanted), WholeVectors(held)));
    }

    // The most operands of an instruction whose partials have tangents (not Linear's: the final sum of a big objective may have millions).
    private int NonlinearArity => nonlinearArity ??= Enumerable.Range(0, ops.Length).Where(i => ops[i] is not OpCode.Linear).Select(i => operandCount[i]).DefaultIfEmpty(0).Max();

    private int? nonlinearArity;

    // Hessian-vector products: the first-order adjoints, the same for every direction at a point (a dense or compressed
    // Hessian sweeps them once), after the forward sweep ...
    internal void FirstOrderAdjoints(Workspace workspace)
    {
        Array.Clear(workspace.Adjoints);
        workspace.Adjoints[outputs[0]] = 1;
        Reverse(workspace);
    }

    // ... and each block of directions needs only their tangents and the tangents of the adjoints: ȧ[u] += ȧ·p + a·ṗ.
    // Directions and results are interleaved: entry [j·count + c] is input j of direction c. One pass carries all of
    // them (several as SIMD lanes, count rounded up to whole vectors), so the per-instruction work — dispatch,
    // operands, partials, a row's second partials — is shared; a single direction runs on plain doubles.
    internal void SecondOrderDirections(int count, ReadOnlySpan<double> directions, Span<double> results, Workspace workspace)
    {
        if (count == 1) SecondOrderDirections<ScalarLane>(count, directions, results, workspace);
        else SecondOrderDirections<VectorLane>(count, directions, results, workspace);
    }

    private void SecondOrderDirections<TLane>(int count, ReadOnlySpan<double> directions, Span<double> results, Workspace workspace) where TLane : struct, ILane<TLane>
    {
        int width = (count + TLane.Count - 1) / TLane.Count;   // lane groups per instruction
        int lanes = width * TLane.Count;
        var (partials, adjoints) = (workspace.Partials, workspace.Adjoints);
        var (tangentBlock, adjointTangentBlock) = workspace.TangentBlocks(ops.Length * lanes);
        var tangents = MemoryMarshal.Cast<double, TLane>(tangentBlock.AsSpan(0, ops.Length * lanes));
        var adjointTangents = MemoryMarshal.Cast<double, TLane>(adjointTangentBlock.AsSpan(0, ops.Length * lanes));
        var partialTangents = MemoryMarshal.Cast<double, TLane>(workspace.PartialTangentBlock(NonlinearArity * lanes).AsSpan());
        if (lanes == count) directions.CopyTo(tangentBlock);
        else
            for (int j = 0; j < InputCount; j++)
            {
                var lane = tangentBlock.AsSpan(j * lanes, lanes);
                directions.Slice(j * count, count).CopyTo(lane);
                lane[count..].Clear();   // padding lanes carry a zero direction
            }
        TangentSweep(width, tangents, partials);
        adjointTangents.Clear();
        for (int i = ops.Length - 1; i >= InputCount; i--)
        {
            double a = adjoints[i];
            int own = i * width;
            bool carries = a != 0 && ops[i] is not OpCode.Linear;   // a linear instruction's partials have no tangent
            if (!carries && AllZero(adjointTangents.Slice(own, width))) continue;
            if (carries) PartialTangents(i, width, workspace.Values, tangents, partialTangents, workspace);
            for (int k = 0, slot = operandStart[i]; k < operandCount[i]; k++, slot++)
            {
                double p = partials[slot];
                int target = operands[slot] * width;
                for (int q = 0; q < width; q++)
                {
                    var sent = adjointTangents[own + q];
                    if (p != 0) adjointTangents[target + q] += TLane.Unless0(sent, p * sent);   // Chain: a zero adjoint tangent or partial sends nothing
                    if (carries && partialTangents[k * width + q] is var pt) adjointTangents[target + q] += TLane.Unless0(pt, a * pt);
                }
            }
        }
        if (lanes == count) adjointTangentBlock.AsSpan(0, InputCount * count).CopyTo(results);
        else for (int j = 0; j < InputCount; j++) adjointTangentBlock.AsSpan(j * lanes, count).CopyTo(results.Slice(j * count, count));
    }

    private static bool AllZero<TLane>(Span<TLane> groups) where TLane : struct, ILane<TLane>
    {
        foreach (var g in groups) if (!TLane.IsZero(g)) return false;
        return true;
    }

    // The tangents of the values along each direction (zero tangents and zero partials send nothing, so 0 masks NaN, as in JacobianVectorProduct).
    private void TangentSweep<TLane>(int width, Span<TLane> tangents, double[] partials) where TLane : struct, ILane<TLane>
    {
        for (int i = InputCount; i < ops.Length; i++)
            for (int q = 0; q < width; q++)
            {
                var sum = TLane.Zero;   // in a register: one store per lane group
                for (int slot = operandStart[i]; slot < operandStart[i] + operandCount[i]; slot++)
                {
                    double p = partials[slot];
                    if (p == 0) continue;
                    var operand = tangents[operands[slot] * width + q];
                    sum += TLane.Unless0(operand, p * operand);
                }
                tangents[i * width + q] = sum;
            }
    }

    // ṗ for each operand k of instruction i, into pt[k·width + q]: the derivative of its local partial along the tangents, lane group by group.
    private void PartialTangents<TLane>(int i, int width, double[] values, Span<TLane> tangents, Span<TLane> pt, Workspace workspace) where TLane : struct, ILane<TLane>
    {
        int s = operandStart[i], n = operandCount[i];
        var zero = TLane.Zero;
        for (int q = 0; q < width; q++)
        {
            // Operand k's value is values[operands[s + k]], its tangent tangents[operands[s + k] * width + q] (written out:
            // local functions would capture the loop's variables and slow every access).
            var own = tangents[i * width + q];
            switch (ops[i])
            {
                case OpCode.Input or OpCode.Constant or OpCode.Linear:
                    for (int k = 0; k < n; k++) pt[k * width + q] = zero;
                    break;
                case OpCode.SquaredLinear:
                {
                    // p_k = 2L·w_k, so ṗ_k = 2·w_k·L̇ with L̇ = Σ w_j·t_j.
                    var sumTangent = zero;
                    for (int k = 0; k < n; k++) sumTangent += TLane.Unless0(tangents[operands[s + k] * width + q], weights[s + k] * tangents[operands[s + k] * width + q]);
                    for (int k = 0; k < n; k++) pt[k * width + q] = 2 * weights[s + k] * sumTangent;
                    break;
                }
                case OpCode.Multiply when n == 2:
                    (pt[q], pt[width + q]) = (tangents[operands[s + 1] * width + q], tangents[operands[s + 0] * width + q]);
                    break;
                case OpCode.Multiply:
                {
                    // p_k = P_k·S_k (products before and after k); carry the tangents of P and S along (S_k's tangent in pt until used).
                    Span<double> suffix = n <= 256 ? stackalloc double[n] : new double[n];
                    double sv = 1;
                    var st = zero;
                    for (int k = n - 1; k >= 0; k--)
                    {
                        (suffix[k], pt[k * width + q]) = (sv, st);
                        (sv, st) = (sv * values[operands[s + k]], Dual(st, values[operands[s + k]], sv, tangents[operands[s + k] * width + q]));
                    }
                    double pv = 1;
                    var ptan = zero;
                    for (int k = 0; k < n; k++)
                    {
                        pt[k * width + q] = Dual(ptan, suffix[k], pv, pt[k * width + q]);
                        (pv, ptan) = (pv * values[operands[s + k]], Dual(ptan, values[operands[s + k]], pv, tangents[operands[s + k] * width + q]));
                    }
                    break;
                }
                case OpCode.Square:
                    pt[q] = 2 * tangents[operands[s + 0] * width + q];
                    break;
                case OpCode.Reciprocal:
                    pt[q] = TLane.Unless0(tangents[operands[s + 0] * width + q], -2 * values[i] * own);
                    break;
                case OpCode.Sqrt:
                    pt[q] = TLane.Unless0(tangents[operands[s + 0] * width + q], -0.5 * own / (values[i] * values[i]));
                    break;
                case OpCode.PowConstant:
                {
                    double c = constants[i];
                    pt[q] = TLane.Unless0(tangents[operands[s + 0] * width + q], StrongProduct(c * (c - 1), Math.Pow(values[operands[s + 0]], c - 2)) * tangents[operands[s + 0] * width + q]);
                    break;
                }
                case OpCode.Pow:
                {
                    double a = values[operands[s + 0]], b = values[operands[s + 1]];
                    var (ta, tb) = (tangents[operands[s + 0] * width + q], tangents[operands[s + 1] * width + q]);
                    pt[q] = TLane.Unless0(ta, StrongProduct(b * (b - 1), Math.Pow(a, b - 2)) * ta) + TLane.Unless0(tb, Math.Pow(a, b - 1) * (1 + StrongProduct(b, Math.Log(a))) * tb);
                    pt[width + q] = TLane.Unless0(own, Math.Log(a) * own) + TLane.Unless0(ta, values[i] == 0 ? zero : TLane.Unless0(ta / a, values[i] * (ta / a)));
                    break;
                }
                case OpCode.Call:
                {
                    var (second, ws) = workspace.SecondPartials(primitives[i]!);
                    Span<double> args = stackalloc double[n];
                    Span<double> h = stackalloc double[n * n];
                    for (int k = 0; k < n; k++) args[k] = values[operands[s + k]];
                    second.Evaluate(args, h, ws);   // the same for every lane group: rows are rare and small
                    for (int k = 0; k < n; k++)
                    {
                        var sum = zero;
                        for (int l = 0; l < n; l++) sum += TLane.Unless0(tangents[operands[s + l] * width + q], h[k * n + l] * tangents[operands[s + l] * width + q]);
                        pt[k * width + q] = sum;
                    }
                    break;
                }
                default:   // never silent: an opcode without a rule here would give a wrong Hessian
                    throw new InvalidOperationException($"Second order has no rule for {ops[i]}.");
            }
        }
    }

    // The tangent of x·y from the tangents of x and y, skipping zero tangents (so 0 masks NaN and inf).
    private static TLane Dual<TLane>(TLane xt, double y, double x, TLane yt) where TLane : struct, ILane<TLane> =>
        TLane.Unless0(xt, y * xt) + TLane.Unless0(yt, x * yt);

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
