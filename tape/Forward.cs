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

    // The sweeps in steps: a step is one instruction of a run's template and its copies (Copies instructions Period apart,
    // each reading Slots operand slots further on), so the forward sweep decides the dispatch once per step, not per
    // instruction, and neither sweep loads an instruction's operand start. Copies go column by column — forward, every copy
    // of template instruction 0, then of 1, ...; backward, the last column first — which breaks the chains of dependent
    // loads and stores that tape order makes (W1 at n = 1000: each term's adjoint read right after it was written), and
    // keeps the numbers: forward, each instruction computes the same formula on the same operands (a run goes by columns
    // when each copy reads only earlier columns, or earlier copies of its own column); backward, only where every adjoint
    // receives its contributions in the same order, or in an order whose sum is the same (ReverseByColumns). The strict and
    // checked modes go in tape order (they report the first problem in that order).
    // Constants: which of the first eight operands are constant instructions in every copy (the reverse sweep sends them
    // nothing: no one reads a constant's adjoint, and W1's 999 terms (1 − x_i)² would add into the constant 1's one by one).
    // In the reverse sweep, a step whose Slots is InTapeOrder is a stretch of Copies consecutive instructions (not copies of
    // one), each with its own operands: the instructions outside the runs that go by columns, in tape order.
    private readonly record struct Step(int First, int Copies, int Period, int Slots, byte Constants = 0);

    private const int InTapeOrder = -1;

    private (Step[] Forward, Step[] Reverse)? steps;

    // Tapes shorter than this have no run worth planning (Segments: at least 16 instructions covered).
    private const int MinStepped = 16;

    private (Step[] Forward, Step[] Reverse)? Steps => steps ?? (ops.Length - InputCount < MinStepped ? null : steps = PlanSteps());

    // The sweeps go in tape order until the second forward sweep: planning costs about as much as a hundred sweeps of a
    // long tape (W1 at n = 100 000: ≈ 0.2 s), which a tape evaluated once should not pay.
    private int forwardSweeps;

    private (Step[] Forward, Step[] Reverse)? SweepPlan => forwardSweeps > 1 ? Steps : null;

    private List<Segment>? rerolled;

    /// <summary>
    /// The instructions after the inputs as re-rolled runs and single instructions (<see cref="Segments.Plan"/>), made once
    /// per tape: the interpreter's steps, the compiled tape and the source export all read it (and none changes it).
    /// </summary>
    internal IReadOnlyList<Segment> Rerolled => rerolled ??= Segments.Plan(Instructions, InputCount, ops.Length);

    private (Step[], Step[]) PlanSteps()
    {
        var (forward, reverse) = (new List<Step>(), new List<Step>());
        ContributionOrder? order = null;   // made for the first run that goes forward by columns
        foreach (var segment in Rerolled)
        {
            int slots = segment.IsRun ? operandStart[segment.Start + segment.Period] - operandStart[segment.Start] : 0;
            bool columns = segment.IsRun && ByColumns(segment, slots);
            forward.AddRange(columns ? Columns(segment, slots) : Singles(segment));
            if (columns && ReverseByColumns(segment, order ??= new(ops.Length))) reverse.AddRange(Columns(segment, slots).Select(WithConstants));
            else if (reverse.Count > 0 && reverse[^1] is { Slots: InTapeOrder } previous && previous.First + previous.Copies == segment.Start)
                reverse[^1] = previous with { Copies = previous.Copies + segment.Period * segment.Repeats };   // one stretch in tape order
            else reverse.Add(new Step(segment.Start, segment.Period * segment.Repeats, 1, InTapeOrder));
        }
        return ([.. forward], [.. reverse]);
    }

    /// <summary>Makes both sweeps of this tape go in tape order (no columns): the tests' reference.</summary>
    internal void SweepInTapeOrder()
    {
        steps = (Singles(new Segment(InputCount, 1, ops.Length - InputCount, null)).ToArray(), [new Step(InputCount, ops.Length - InputCount, 1, InTapeOrder)]);
    }

    /// <summary>Whether the sweeps' plan has been made (from the second forward sweep on).</summary>
    internal bool Planned => steps is not null;

    /// <summary>How many steps of each sweep cover several copies (for tests: that the columns are exercised).</summary>
    internal (int Forward, int Reverse) ColumnSteps =>
        Steps is var (forward, reverse) ? (forward.Count(s => s.Copies > 1), reverse.Count(s => s.Copies > 1 && s.Slots != InTapeOrder)) : (0, 0);

    private Step WithConstants(Step step)
    {
        byte mask = 0;
        for (int o = 0; o < Math.Min(8, operandCount[step.First]); o++)
        {
            int slot = operandStart[step.First] + o;
            bool constant = true;
            for (int k = 0; k < step.Copies && constant; k++) constant = ops[operands[slot + k * step.Slots]] == OpCode.Constant;
            if (constant) mask |= (byte)(1 << o);
        }
        return step with { Constants = mask };
    }

    private static IEnumerable<Step> Columns(Segment run, int slots) =>
        Enumerable.Range(0, run.Period).Select(j => new Step(run.Start + j, run.Repeats, run.Period, slots));

    private static IEnumerable<Step> Singles(Segment segment) =>
        Enumerable.Range(segment.Start, segment.Period * segment.Repeats).Select(i => new Step(i, 1, 1, 0));

    // Whether a run's copies can go forward column by column: operand slots move by the same number per copy, and every
    // operand inside the run is in an earlier column or in the same column of an earlier copy (operands precede).
    private bool ByColumns(Segment run, int slots)
    {
        int end = run.Start + run.Period * run.Repeats;
        for (int j = 0; j < run.Period; j++)
            for (int k = 0; k < run.Repeats; k++)
            {
                int i = run.Start + k * run.Period + j;
                if (operandStart[i] != operandStart[run.Start + j] + k * slots) return false;
                for (int s = operandStart[i]; s < operandStart[i] + operandCount[i]; s++)
                    if (operands[s] >= run.Start && operands[s] < end && (operands[s] - run.Start) % run.Period > j) return false;
            }
        return true;
    }

    // Whether a run's reverse sweep by columns gives every adjoint the tape order's sum: each adjoint's contributions from
    // the run must come in the same order — or, for an adjoint that is still 0 when the run is reached (nothing after the
    // run reads it, and it is no output), with only its first two swapped (0 + a + b = a + b = b + a exactly). One pass over
    // the run in tape order's reverse (the order the contributions arrive in), each compared with its column order.
    private bool ReverseByColumns(Segment run, ContributionOrder order)
    {
        int end = run.Start + run.Period * run.Repeats;
        var lastReader = ConsumerRange.Last;
        try
        {
            for (int k = run.Repeats - 1; k >= 0; k--)
                for (int j = run.Period - 1; j >= 0; j--)
                {
                    int i = run.Start + k * run.Period + j;
                    long columnOrder = (long)(run.Period - 1 - j) * run.Repeats + (run.Repeats - 1 - k);
                    for (int s = operandStart[i]; s < operandStart[i] + operandCount[i]; s++)
                        if (!order.Arrives(operands[s], columnOrder, startsAtZero: lastReader[operands[s]] < end)) return false;
                }
            return true;
        }
        finally { order.Clear(); }
    }

    // Per adjoint, the column orders of the contributions that have arrived (tape order's reverse), checked as they come:
    // ascending (equal: two operands of one instruction), or the first two swapped where the adjoint starts at 0.
    private sealed class ContributionOrder(int length)
    {
        private readonly int[] count = new int[length];
        private readonly long[] first = new long[length], second = new long[length], last = new long[length];
        private readonly List<int> touched = [];

        public bool Arrives(int target, long columnOrder, bool startsAtZero)
        {
            int c = count[target]++;
            if (c == 0) touched.Add(target);
            bool fits = c switch
            {
                0 => true,
                1 => last[target] <= columnOrder || startsAtZero,                                       // in order, or 0 + a + b = 0 + b + a
                2 => columnOrder >= first[target] && columnOrder >= second[target],                     // after both, whichever came first
                _ => columnOrder >= last[target],
            };
            if (c == 0) first[target] = columnOrder;
            if (c == 1) second[target] = columnOrder;
            last[target] = columnOrder;
            return fits;
        }

        public void Clear()
        {
            foreach (int t in touched) count[t] = 0;
            touched.Clear();
        }
    }

    private void Forward(ReadOnlySpan<double> point, Workspace workspace, bool partials, EvaluationOptions? options)
    {
        if (!ReferenceEquals(workspace.Tape, this)) throw new ArgumentException("The workspace was created for another tape.", nameof(workspace));
        CheckLength(point.Length, InputCount, "point");
        var values = workspace.Values;
        var d = workspace.Partials;
        bool strict = options?.Strict ?? false, check = options?.Checked ?? false;
        point.CopyTo(values);
        if (forwardSweeps < 2) forwardSweeps++;   // then only read: threads sharing the tape do not contend for it
        var plan = strict || check ? null : SweepPlan?.Forward;
        var (dispatch, start, count, operand, weight, constant) = (dispatches, operandStart, operandCount, operands, weights, constants);
        int stepCount = plan?.Length ?? dispatch.Length - InputCount;
        for (int t = 0; t < stepCount; t++)
        {
            var (i, copies, period, slots, _) = plan is null ? new Step(InputCount + t, 1, 1, 0) : At(plan, t);
            int s = At(start, i), n = At(count, i);
            switch (At(dispatch, i))
            {
                case Dispatch.Skip:
                    continue;   // constants are prefilled in the workspace
                // Copies have the same weights (Segments: congruent), read once per step.
                case Dispatch.Linear1:   // partials: the weights, prefilled
                {
                    double w0 = At(weight, s);
                    for (int k = 0; k < copies; k++, i += period, s += slots)
                        At(values, i) = w0 * At(values, At(operand, s));
                    break;
                }
                case Dispatch.Linear2:
                {
                    double w0 = At(weight, s), w1 = At(weight, s + 1);
                    for (int k = 0; k < copies; k++, i += period, s += slots)
                        At(values, i) = w0 * At(values, At(operand, s)) + w1 * At(values, At(operand, s + 1));
                    break;
                }
                case Dispatch.LinearN:
                    for (int k = 0; k < copies; k++, i += period, s += slots)
                    {
                        double v = 0;
                        for (int o = s; o < s + n; o++) v += At(weight, o) * At(values, At(operand, o));
                        At(values, i) = v;
                    }
                    break;
                case Dispatch.SquaredLinear:
                    for (int k = 0; k < copies; k++, i += period, s += slots)
                    {
                        // L = Σ w·u (as Linear computes it), v = L², ∂v/∂u_k = (2L)·w_k.
                        double sum = n == 1 ? At(weight, s) * At(values, At(operand, s)) : 0;
                        if (n > 1) for (int o = s; o < s + n; o++) sum += At(weight, o) * At(values, At(operand, o));
                        At(values, i) = Formulas.Square(sum);
                        if (partials) for (int o = s; o < s + n; o++) At(d, o) = Formulas.SquaredLinearPartial(sum, At(weight, o));
                    }
                    break;
                case Dispatch.SquaredLinear2:
                {
                    double w0 = At(weight, s), w1 = At(weight, s + 1);
                    for (int k = 0; k < copies; k++, i += period, s += slots)
                    {
                        // The common (w·u + w'·u')², unrolled: summed from 0 as SquaredLinear sums it.
                        double sum = 0;
                        sum += w0 * At(values, At(operand, s));
                        sum += w1 * At(values, At(operand, s + 1));
                        At(values, i) = Formulas.Square(sum);
                        if (partials) { At(d, s) = Formulas.SquaredLinearPartial(sum, w0); At(d, s + 1) = Formulas.SquaredLinearPartial(sum, w1); }
                    }
                    break;
                }
                case Dispatch.Multiply2:
                    for (int k = 0; k < copies; k++, i += period, s += slots)
                    {
                        double a = At(values, At(operand, s)), b = At(values, At(operand, s + 1));
                        At(values, i) = a * b;
                        if (partials) { At(d, s) = b; At(d, s + 1) = a; }
                    }
                    break;
                case Dispatch.MultiplyN:
                    for (int k = 0; k < copies; k++, i += period, s += slots)
                    {
                        // Partials by prefix and suffix products: exact where a factor is 0 (no division).
                        double v = 1;
                        for (int o = s; o < s + n; o++) { if (partials) d[o] = v; v *= values[operand[o]]; }
                        if (partials)
                        {
                            double suffix = 1;
                            for (int o = s + n - 1; o >= s; o--) { d[o] *= suffix; suffix *= values[operand[o]]; }
                        }
                        At(values, i) = v;
                    }
                    break;
                case Dispatch.Square:
                    for (int k = 0; k < copies; k++, i += period, s += slots)
                    {
                        double a = At(values, At(operand, s));
                        At(values, i) = Formulas.Square(a);
                        if (partials) At(d, s) = Formulas.SquarePartial(a);
                    }
                    break;
                case Dispatch.Reciprocal:
                    for (int k = 0; k < copies; k++, i += period, s += slots)
                    {
                        double v = At(values, i) = Formulas.Reciprocal(At(values, At(operand, s)));
                        if (partials) At(d, s) = Formulas.ReciprocalPartial(v);
                    }
                    break;
                case Dispatch.Sqrt:
                    for (int k = 0; k < copies; k++, i += period, s += slots)
                    {
                        double a = At(values, At(operand, s));
                        if (strict && a == 0) throw Kink(i, "x^(1/2) is not differentiable at x = 0 (the convention gives the derivative +inf there, as sqrt'(0))", a);
                        double v = At(values, i) = Formulas.Sqrt(a);
                        if (partials) At(d, s) = Formulas.SqrtPartial(v);
                    }
                    break;
                case Dispatch.PowConstant:
                    for (int k = 0; k < copies; k++, i += period, s += slots)
                    {
                        double a = values[operand[s]], c = constant[i];
                        if (strict && a == 0 && c < 1 && c != Math.Floor(c)) throw Kink(i, $"x^({c.ToString(CultureInfo.InvariantCulture)}) is not differentiable at x = 0", a);
                        At(values, i) = Formulas.Pow(a, c);
                        if (partials) d[s] = Formulas.PowBasePartial(a, c);
                    }
                    break;
                case Dispatch.Pow:
                    for (int k = 0; k < copies; k++, i += period, s += slots)
                    {
                        double a = values[operand[s]], b = values[operand[s + 1]];
                        double v = At(values, i) = Formulas.Pow(a, b);
                        if (partials) { d[s] = Formulas.PowBasePartial(a, b); d[s + 1] = Formulas.PowExponentPartial(a, v); }
                    }
                    break;
                case Dispatch.Call:
                    for (int k = 0; k < copies; k++, i += period, s += slots)
                    {
                        var args = workspace.Arguments.AsSpan(0, n);
                        for (int o = 0; o < n; o++) args[o] = values[operand[s + o]];
                        if (strict && primitives[i]!.Kink is { } kink && kink(args))
                            throw Kink(i, $"{primitives[i]!.Name} is not differentiable ({primitives[i]!.KinkConvention})", args.ToArray());
                        At(values, i) = evaluators[i]!(args);
                        if (partials) for (int o = 0; o < n; o++) d[s + o] = partialFunctions[s + o]!(args);
                    }
                    break;
                default:
                    throw new InvalidOperationException($"Instruction %{i} has no forward rule ({ops[i]}).");
            }
        }
        if (check) CheckDomains(values);
    }

    // Checked mode, after the sweep: where each value's domain error came from (-1: none), so that only an error the
    // outputs use is raised; where() passes on only its taken branch's (its untaken one may be NaN).
    private void CheckDomains(double[] values)
    {
        var origin = new int[dispatches.Length];
        Array.Fill(origin, -1);
        for (int i = InputCount; i < dispatches.Length; i++)
        {
            if (dispatches[i] == Dispatch.Skip) continue;
            origin[i] = InheritedOrigin(i, origin, values);
            if (origin[i] < 0 && !double.IsFinite(values[i]) && OperandsFinite(values, operandStart[i], operandCount[i])) origin[i] = i;
        }
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
