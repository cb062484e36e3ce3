// Exact structural sparsity of a tape's derivatives. Each instruction carries the sorted set of inputs its
// derivative can depend on (an operand whose partial is identically zero — a comparison, sign, floor, where's
// condition — passes nothing on); a Jacobian row is its output's set. The Hessian of a scalar output is the
// union, over instructions the output depends on, of the pairs their own second derivatives couple: none for
// linear instructions, deps × deps for a nonlinear one-operand instruction, deps(a) × deps(b) for a product's
// factors, and for a table row exactly the pairs whose second partial is not identically zero. Where takes
// both branches; a set is freed after its last reader, so memory follows the live sets.
using System.Collections.Concurrent;
using Hybrid.Symbolic;

namespace Hybrid.Tapes;

public sealed partial class Tape
{
    /// <summary>
    /// The structural Jacobian pattern: row k lists the inputs output k can depend on through a non-zero partial
    /// (both branches of <c>where</c> count; comparisons, sign and steps pass no dependence).
    /// </summary>
    /// <exception cref="LimitExceededException">The pattern, or the sets it is built from, pass <see cref="SparsityPattern.MaxNonzeros"/>.</exception>
    public SparsityPattern JacobianPattern(CancellationToken cancellationToken = default)
    {
        var deps = Dependencies(keep: outputs, cancellationToken);
        var pointers = new int[outputs.Length + 1];
        for (int k = 0; k < outputs.Length; k++) pointers[k + 1] = pointers[k] + deps[outputs[k]]!.Length;
        SparsityPattern.CheckSize(pointers[^1], "Jacobian");
        var columns = new int[pointers[^1]];
        for (int k = 0; k < outputs.Length; k++) deps[outputs[k]]!.CopyTo(columns, pointers[k]);
        return new SparsityPattern(outputs.Length, InputCount, pointers, columns);
    }

    /// <summary>
    /// The structural Hessian pattern of the (single) output, symmetric with both triangles: only nonlinear
    /// interactions count (x·y couples x and y; x + y couples nothing; sin(x) couples x with itself).
    /// </summary>
    /// <exception cref="InvalidOperationException">The tape has more than one output.</exception>
    /// <exception cref="LimitExceededException">The pattern passes <see cref="SparsityPattern.MaxNonzeros"/>.</exception>
    public SparsityPattern HessianPattern(CancellationToken cancellationToken = default)
    {
        RequireOneOutput(nameof(HessianPattern));
        var live = new bool[ops.Length];   // instructions whose adjoint can be non-zero: the output depends on them
        live[outputs[0]] = true;
        for (int i = ops.Length - 1; i >= InputCount; i--)
        {
            if (!live[i]) continue;
            for (int k = 0; k < operandCount[i]; k++)
                if (PassesDependence(i, k)) live[operands[operandStart[i] + k]] = true;
        }
        var (rows, columns) = (new List<int>(), new List<int>());
        var scratch = new int[InputCount];
        // Every (p, q) and (q, p) with p in a, q in b; a set coupled with itself gives each pair once.
        void Couple(int[] a, int[] b)
        {
            bool same = ReferenceEquals(a, b);
            SparsityPattern.CheckSize((long)rows.Count + (long)a.Length * b.Length * (same ? 1 : 2), "Hessian");
            foreach (int p in a)
                foreach (int q in b)
                {
                    rows.Add(p); columns.Add(q);
                    if (!same) { rows.Add(q); columns.Add(p); }
                }
        }
        Dependencies(keep: [], cancellationToken, (i, operandDeps) =>
        {
            if (!live[i]) return;
            switch (ops[i])
            {
                case OpCode.Input or OpCode.Constant or OpCode.Linear:
                    break;
                case OpCode.Square or OpCode.Reciprocal or OpCode.Sqrt or OpCode.PowConstant:
                    Couple(operandDeps(0), operandDeps(0));
                    break;
                case OpCode.SquaredLinear or OpCode.Pow:
                {
                    var all = Union(Enumerable.Range(0, operandCount[i]).Where(k => PassesDependence(i, k)).Select(operandDeps).ToList(), scratch);
                    Couple(all, all);
                    break;
                }
                case OpCode.Multiply:
                    for (int k = 0; k < operandCount[i]; k++)
                        for (int l = k + 1; l < operandCount[i]; l++) Couple(operandDeps(k), operandDeps(l));
                    break;
                case OpCode.Call:
                {
                    var second = StructureOf(primitives[i]!).Second;
                    for (int k = 0; k < operandCount[i]; k++)
                        for (int l = k; l < operandCount[i]; l++)
                            if (second[k, l]) Couple(operandDeps(k), operandDeps(l));
                    break;
                }
                default:
                    throw new InvalidOperationException($"The Hessian pattern has no rule for {ops[i]}.");   // never silent
            }
        });
        return SparsityPattern.FromPairs(InputCount, InputCount, rows, columns);
    }

    // The dependency set of every instruction, in order; visit(i, operandDeps) sees each instruction with its
    // operands' sets before they may be freed. Sets not in keep are dropped after their last reader. Single
    // operands share their set; two merge directly; more go through a marker array.
    private int[]?[] Dependencies(int[] keep, CancellationToken cancellationToken, Action<int, Func<int, int[]>>? visit = null)
    {
        var deps = new int[]?[ops.Length];
        var (_, last) = ConsumerRange;
        var kept = new bool[ops.Length];
        foreach (int k in keep) kept[k] = true;
        var mark = new int[InputCount];
        var sets = new List<int[]>();
        long live = 0;
        for (int i = 0; i < ops.Length; i++)
        {
            if ((i & 4095) == 0) cancellationToken.ThrowIfCancellationRequested();
            int s = operandStart[i], n = operandCount[i];
            if (ops[i] == OpCode.Input) deps[i] = [i];
            else if (ops[i] == OpCode.Constant) deps[i] = [];
            else
            {
                sets.Clear();
                for (int k = 0; k < n; k++)
                    if (PassesDependence(i, k) && deps[operands[s + k]] is { Length: > 0 } set) sets.Add(set);
                deps[i] = Union(sets, mark);
            }
            live += deps[i]!.Length;
            SparsityPattern.CheckSize(live, "dependency sets of the tape");
            visit?.Invoke(i, k => deps[operands[s + k]]!);
            for (int k = s; k < s + n; k++)
            {
                int u = operands[k];
                if (last[u] == i && !kept[u] && deps[u] is { } done) { live -= done.Length; deps[u] = null; }
            }
        }
        return deps;
    }

    // Whether operand k of instruction i can carry a derivative: not through a zero weight, nor through a row's
    // partial that is identically zero.
    private bool PassesDependence(int i, int k) => ops[i] switch
    {
        OpCode.Linear or OpCode.SquaredLinear => weights[operandStart[i] + k] != 0,
        OpCode.Call => StructureOf(primitives[i]!).First[k],
        _ => true,
    };

    // The sorted union of sorted sets; mark is scratch of one entry per input, all zero between calls.
    private static int[] Union(List<int[]> sets, int[] mark)
    {
        if (sets.Count == 0) return [];
        if (sets.Count == 1) return sets[0];
        if (sets.Count == 2) return Merge(sets[0], sets[1]);
        var union = new List<int>();
        foreach (var set in sets)
            foreach (int j in set)
                if (mark[j] == 0) { mark[j] = 1; union.Add(j); }
        foreach (int j in union) mark[j] = 0;
        union.Sort();
        return [.. union];
    }

    private static int[] Merge(int[] a, int[] b)
    {
        if (ReferenceEquals(a, b)) return a;
        var merged = new int[a.Length + b.Length];
        int i = 0, j = 0, k = 0;
        while (i < a.Length && j < b.Length)
        {
            if (a[i] < b[j]) merged[k++] = a[i++];
            else if (a[i] > b[j]) merged[k++] = b[j++];
            else { merged[k++] = a[i++]; j++; }
        }
        while (i < a.Length) merged[k++] = a[i++];
        while (j < b.Length) merged[k++] = b[j++];
        return k == merged.Length ? merged : merged[..k];
    }

    private static readonly ConcurrentDictionary<Primitive, (bool[] First, bool[,] Second)> structures = new();

    // Which partials of a row are not identically zero, and which second partials: decided once per row from its
    // exact partials (where's condition, a comparison's arguments, relu's and abs's second derivative are zero).
    private static (bool[] First, bool[,] Second) StructureOf(Primitive row) => structures.GetOrAdd(row, static row =>
    {
        var parameters = row.Parameters.Select(Expr.Symbol).ToArray();
        var partials = row.Partials.Select(p => p(parameters)).ToArray();
        var first = partials.Select(p => !p.Is(0)).ToArray();
        var second = new bool[row.Arity, row.Arity];
        for (int k = 0; k < row.Arity; k++)
            for (int l = 0; l < row.Arity; l++)
                second[k, l] = first[k] && !partials[k].Differentiate(parameters[l]).Is(0);
        return (first, second);
    });
}
