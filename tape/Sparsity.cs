// Exact structural sparsity of a tape's derivatives. Each instruction carries the sorted set of inputs its
// derivative can depend on (an operand whose partial is identically zero — a comparison, sign, floor, where's
// condition — passes nothing on); a Jacobian row is its output's set. The Hessian of a scalar output is the
// union, over instructions the output depends on, of the pairs their own second derivatives couple: none for
// linear instructions, deps × deps for a nonlinear one-operand instruction, deps(a) × deps(b) for a product's
// factors, and for a table row exactly the pairs whose second partial is not identically zero. Where takes
// both branches. The sets, and the Hessian's rows as they grow, live in pools of ints rather than an array
// each: at millions of instructions, millions of small arrays (and the references to them) keep the garbage
// collector busy for longer than the work itself. A set is dropped after its last reader and the pool
// compacted, so memory follows the live sets.
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
        var sets = Dependencies(keep: outputs, cancellationToken);
        var pointers = new int[outputs.Length + 1];
        for (int k = 0; k < outputs.Length; k++) pointers[k + 1] = pointers[k] + sets[outputs[k]].Length;
        SparsityPattern.CheckSize(pointers[^1], "Jacobian");
        var columns = new int[pointers[^1]];
        for (int k = 0; k < outputs.Length; k++) sets[outputs[k]].CopyTo(columns.AsSpan(pointers[k]));
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
        var rows = new RowSets(InputCount);
        // Every (p, q) and (q, p) with p in a, q in b.
        void Couple(ReadOnlySpan<int> a, ReadOnlySpan<int> b)
        {
            SparsityPattern.CheckSize((long)a.Length * b.Length, "Hessian");   // that many distinct pairs at least: refused before any is stored
            foreach (int p in a) rows.Add(p, b);
            if (a != b) foreach (int q in b) rows.Add(q, a);   // the same set: its pairs are already both ways
        }
        Dependencies(keep: [], cancellationToken, (i, sets) =>
        {
            if (!live[i]) return;
            int s = operandStart[i], n = operandCount[i];
            switch (ops[i])
            {
                case OpCode.Input or OpCode.Constant or OpCode.Linear:
                    break;
                case OpCode.Square or OpCode.Reciprocal or OpCode.Sqrt or OpCode.PowConstant:
                    Couple(sets[operands[s]], sets[operands[s]]);
                    break;
                case OpCode.SquaredLinear or OpCode.Pow:
                    Couple(sets[i], sets[i]);   // a function of a single combination couples everything it depends on: its own set
                    break;
                case OpCode.Multiply:
                    for (int k = 0; k < n; k++)
                        for (int l = k + 1; l < n; l++) Couple(sets[operands[s + k]], sets[operands[s + l]]);
                    break;
                case OpCode.Call:
                {
                    var second = StructureOf(primitives[i]!).Second;
                    for (int k = 0; k < n; k++)
                        for (int l = k; l < n; l++)
                            if (second[k, l]) Couple(sets[operands[s + k]], sets[operands[s + l]]);
                    break;
                }
                default:
                    throw new InvalidOperationException($"The Hessian pattern has no rule for {ops[i]}.");   // never silent
            }
        });
        return rows.ToPattern(InputCount);
    }

    // The dependency set of every instruction, in order; visit(i, sets) sees each instruction with its own and its
    // operands' sets before they may be dropped. Sets not in keep are dropped after their last reader. A single
    // passing operand's set is shared, two are merged, more go through a marker array.
    private DependencySets Dependencies(int[] keep, CancellationToken cancellationToken, Action<int, DependencySets>? visit = null)
    {
        var sets = new DependencySets(ops.Length);
        var (first, last) = ConsumerRange;
        var kept = new bool[ops.Length];
        foreach (int k in keep) kept[k] = true;
        var mark = new bool[InputCount];
        var passing = new List<int>();
        for (int i = 0; i < ops.Length; i++)
        {
            if ((i & 4095) == 0) cancellationToken.ThrowIfCancellationRequested();
            int s = operandStart[i], n = operandCount[i];
            if (ops[i] == OpCode.Input) sets.Single(i, i);
            else if (ops[i] != OpCode.Constant && (kept[i] || first[i] < ops.Length || ops[i] is OpCode.SquaredLinear or OpCode.Pow))   // else no one reads it (the Hessian pattern's output: a sum of a million terms, say)
            {
                passing.Clear();
                for (int k = 0; k < n; k++)
                    if (PassesDependence(i, k) && sets.Count(operands[s + k]) > 0) passing.Add(operands[s + k]);
                sets.Union(i, passing, mark);
            }
            visit?.Invoke(i, sets);
            for (int k = s; k < s + n; k++)
            {
                int u = operands[k];
                if (last[u] == i && !kept[u]) sets.Drop(u);
            }
        }
        return sets;
    }

    // Sorted sets of ints, one per instruction, in one pool: set i is pool[start[i] .. start[i] + count[i]). A set may be
    // shared (the same start); dropping marks it dead, and the pool is compacted when mostly dead.
    private sealed class DependencySets(int instructions)
    {
        private int[] pool = new int[Math.Max(1024, 2 * instructions)];   // about what a tape of small sets needs: rarely grown
        private readonly int[] start = new int[instructions], count = new int[instructions];
        private readonly bool[] dropped = new bool[instructions];
        private int used;
        private long live;

        public ReadOnlySpan<int> this[int i] => pool.AsSpan(start[i], count[i]);

        public int Count(int i) => count[i];

        public void Single(int i, int element)
        {
            Reserve(1);
            (start[i], count[i]) = (used, 1);
            pool[used++] = element;
            Account(1);
        }

        // Set i is the union of the given instructions' non-empty sets.
        public void Union(int i, List<int> of, bool[] mark)
        {
            if (of.Count == 0) { (start[i], count[i]) = (0, 0); return; }
            if (of.Count == 1 || (of.Count == 2 && start[of[0]] == start[of[1]] && count[of[0]] == count[of[1]]))
            {
                (start[i], count[i]) = (start[of[0]], count[of[0]]);   // shared, not copied
                Account(count[i]);
                return;
            }
            long total = 0;
            foreach (int u in of) total += count[u];
            Reserve(total);
            int write = used;
            if (of.Count == 2)
            {
                ReadOnlySpan<int> a = this[of[0]], b = this[of[1]];
                int x = 0, y = 0;
                while (x < a.Length && y < b.Length)
                {
                    if (a[x] < b[y]) pool[write++] = a[x++];
                    else if (a[x] > b[y]) pool[write++] = b[y++];
                    else { pool[write++] = a[x++]; y++; }
                }
                while (x < a.Length) pool[write++] = a[x++];
                while (y < b.Length) pool[write++] = b[y++];
            }
            else
            {
                foreach (int u in of)
                    foreach (int j in this[u])
                        if (!mark[j]) { mark[j] = true; pool[write++] = j; }
                for (int t = used; t < write; t++) mark[pool[t]] = false;
                pool.AsSpan(used, write - used).Sort();
            }
            (start[i], count[i]) = (used, write - used);
            used = write;
            Account(count[i]);
        }

        public void Drop(int i)
        {
            if (dropped[i]) return;
            dropped[i] = true;
            live -= count[i];
        }

        private void Account(int added)
        {
            live += added;
            SparsityPattern.CheckSize(live, "dependency sets of the tape");
        }

        // Room for more ints at the end: compact the live sets when the pool is mostly dead, else grow it.
        private void Reserve(long more)
        {
            if (used + more <= pool.Length) return;
            if (2 * live < used) Compact();
            if (used + more > pool.Length) Array.Resize(ref pool, (int)Math.Min(Array.MaxLength, Math.Max(2L * pool.Length, used + more)));
        }

        private void Compact()
        {
            var fresh = new int[pool.Length];
            var moved = new Dictionary<int, int>();   // old start → new start, so shared sets stay shared
            int write = 0;
            for (int i = 0; i < start.Length; i++)
            {
                if (dropped[i] || count[i] == 0) continue;
                if (!moved.TryGetValue(start[i], out int to))
                {
                    to = moved[start[i]] = write;
                    pool.AsSpan(start[i], count[i]).CopyTo(fresh.AsSpan(write));
                    write += count[i];
                }
                start[i] = to;
            }
            (pool, used) = (fresh, write);
        }
    }

    // A growing set of columns per row, in one pool: appended freely, sorted and deduplicated whenever a row's room is
    // full (so memory follows the distinct non-zeros, not the pairs coupled), moved to the end of the pool with twice
    // the room when that is not enough, and counted against SparsityPattern.MaxNonzeros.
    private sealed class RowSets(int rowCount)
    {
        private int[] pool = new int[Math.Max(1024, 16 * rowCount)];
        private readonly int[] start = new int[rowCount], count = new int[rowCount], room = new int[rowCount];
        private int used;
        private long stored, compactAt = SparsityPattern.MaxNonzeros;

        public void Add(int row, ReadOnlySpan<int> columns)
        {
            if (count[row] + columns.Length > room[row])
            {
                stored -= count[row];
                count[row] = SortUnique(pool.AsSpan(start[row], count[row]));
                stored += count[row];
                if (count[row] + columns.Length > room[row])
                {
                    int wanted = Math.Max(Math.Max(16, 2 * room[row]), count[row] + columns.Length);
                    if (used + wanted > pool.Length) Array.Resize(ref pool, (int)Math.Min(Array.MaxLength, Math.Max(2L * pool.Length, (long)used + wanted)));
                    pool.AsSpan(start[row], count[row]).CopyTo(pool.AsSpan(used));
                    (start[row], room[row]) = (used, wanted);
                    used += wanted;
                }
            }
            columns.CopyTo(pool.AsSpan(start[row] + count[row]));
            count[row] += columns.Length;
            stored += columns.Length;
            if (stored > compactAt) Deduplicate();
        }

        private void Deduplicate()
        {
            stored = 0;
            for (int i = 0; i < count.Length; i++) stored += count[i] = SortUnique(pool.AsSpan(start[i], count[i]));
            SparsityPattern.CheckSize(stored, "Hessian");
            compactAt = stored + SparsityPattern.MaxNonzeros;   // duplicates may again reach the limit before the next check
        }

        public SparsityPattern ToPattern(int columnCount)
        {
            Deduplicate();
            var pointers = new int[count.Length + 1];
            for (int i = 0; i < count.Length; i++) pointers[i + 1] = pointers[i] + count[i];
            var columns = new int[pointers[^1]];
            for (int i = 0; i < count.Length; i++) pool.AsSpan(start[i], count[i]).CopyTo(columns.AsSpan(pointers[i]));
            return new SparsityPattern(count.Length, columnCount, pointers, columns);
        }

        // Sorts the span and moves its distinct values to the front; returns how many there are.
        private static int SortUnique(Span<int> values)
        {
            values.Sort();
            int write = 0;
            for (int k = 0; k < values.Length; k++)
                if (k == 0 || values[k] != values[write - 1]) values[write++] = values[k];
            return write;
        }
    }

    // Whether operand k of instruction i can carry a derivative: not through a zero weight, nor through a row's
    // partial that is identically zero.
    private bool PassesDependence(int i, int k) => ops[i] switch
    {
        OpCode.Linear or OpCode.SquaredLinear => weights[operandStart[i] + k] != 0,
        OpCode.Call => StructureOf(primitives[i]!).First[k],
        _ => true,
    };

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
