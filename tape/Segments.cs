// Re-rolling: finds where a tape repeats itself so the compiler can emit a loop instead of the same
// straight-line code thousands of times. A run is `Repeats` copies of a template of `Period`
// consecutive instructions whose operands move by a fixed stride per copy (the terms of a sum built
// term by term lower this way). Long operand lists (a sum of 200 000 terms) re-roll the same way.
// The loops visit instructions and operands in the tape's order, forward and backward, so compiled
// results stay those of the interpreter.
namespace Hybrid.Tapes;

/// <summary>Instructions [Start, Start + Period·Repeats); operand slot s of copy k reads instruction operands[s] + k·Strides[s].</summary>
internal sealed record Segment(int Start, int Period, int Repeats, Dictionary<int, int>? Strides)
{
    public bool IsRun => Repeats > 1;
}

/// <summary>Operand slots [First, First + Count): slot First + r reads operands[First] + r·Stride, all with the same weight.</summary>
internal readonly record struct OperandRun(int First, int Count, int Stride);

/// <summary>Which slots a reference covers, against the inputs [0, InputCount): only inputs, none, or both.</summary>
internal enum InputCoverage { None, Inputs, Mixed }

internal static class Segments
{
    private const int MaxPeriod = 16, MinRepeats = 4, MinCovered = 16, MinOperandRun = 8;

    /// <summary>
    /// The slots a reference to <paramref name="index"/> covers — moving by <paramref name="stride"/> over the copies of
    /// <paramref name="run"/> and by <paramref name="termStride"/> over the terms of <paramref name="operandRun"/> — against the
    /// inputs: the code that reads the point and writes the gradient in place (IL and exported source) needs Inputs or None.
    /// </summary>
    public static InputCoverage Coverage(int index, int stride, int termStride, Segment? run, OperandRun? operandRun, int inputCount)
    {
        long last = index + (long)((run?.Repeats ?? 1) - 1) * stride + (long)((operandRun?.Count ?? 1) - 1) * termStride;
        return Math.Max(index, last) < inputCount ? InputCoverage.Inputs : Math.Min(index, last) < inputCount ? InputCoverage.Mixed : InputCoverage.None;
    }

    /// <summary>The instructions [from, to) as runs and single instructions, in order.</summary>
    public static List<Segment> Plan(Tape.Code code, int from, int to)
    {
        var segments = new List<Segment>();
        int i = from;
        while (i < to)
        {
            Segment? best = null;
            for (int period = 1; period <= MaxPeriod && i + 2 * period <= to; period++)
            {
                var strides = Strides(code, i, period);
                if (strides is null) continue;
                int repeats = 2;
                while (i + (repeats + 1) * period <= to && Repeats(code, i, period, repeats, strides)) repeats++;
                if (repeats >= MinRepeats && repeats * period >= MinCovered && repeats * period > (best is null ? 0 : best.Period * best.Repeats))
                    best = new Segment(i, period, repeats, strides);
            }
            best ??= new Segment(i, 1, 1, null);
            segments.Add(best);
            i += best.Period * best.Repeats;
        }
        return segments;
    }

    /// <summary>The operand slots of instruction i as runs (of one slot where nothing repeats), in order.</summary>
    public static List<OperandRun> Operands(Tape.Code code, int i)
    {
        var runs = new List<OperandRun>();
        int s = code.OperandStart[i], end = s + code.OperandCount[i];
        while (s < end)
        {
            int count = 1, stride = s + 1 < end ? code.Operands[s + 1] - code.Operands[s] : 0;
            while (s + count < end && code.Operands[s + count] == code.Operands[s] + count * stride && code.Weights[s + count].Equals(code.Weights[s])
                   && !IsConstant(code, code.Operands[s + count])) count++;
            if (count < MinOperandRun || IsConstant(code, code.Operands[s])) count = 1;
            runs.Add(new OperandRun(s, count, count == 1 ? 0 : stride));
            s += count;
        }
        return runs;
    }

    // The operand strides that take the template at i to its copy at i + period; null when the two differ in kind.
    private static Dictionary<int, int>? Strides(Tape.Code code, int i, int period)
    {
        for (int j = 0; j < period; j++)
            if (!Congruent(code, i + j, i + j + period)) return null;   // cheap, and what fails for most periods tried
        var strides = new Dictionary<int, int>();
        for (int j = 0; j < period; j++)
        {
            int a = i + j, b = a + period;
            for (int o = 0; o < code.OperandCount[a]; o++)
            {
                int slot = code.OperandStart[a] + o, stride = code.Operands[code.OperandStart[b] + o] - code.Operands[slot];
                if (stride != 0 && IsConstant(code, code.Operands[slot])) return null;   // constants are inlined: each copy must read the same one
                strides[slot] = stride;
            }
        }
        return strides;
    }

    private static bool Repeats(Tape.Code code, int i, int period, int copy, Dictionary<int, int> strides)
    {
        for (int j = 0; j < period; j++)
        {
            int a = i + j, b = a + copy * period;
            if (!Congruent(code, a, b)) return false;
            for (int o = 0; o < code.OperandCount[a]; o++)
            {
                int slot = code.OperandStart[a] + o;
                if (code.Operands[code.OperandStart[b] + o] != code.Operands[slot] + copy * strides[slot]) return false;
            }
        }
        return true;
    }

    // The same computation on (possibly) other operands: opcode, arity, constant, primitive and weights.
    private static bool Congruent(Tape.Code code, int a, int b)
    {
        if (code.Ops[a] != code.Ops[b] || code.OperandCount[a] != code.OperandCount[b] || code.Ops[a] == OpCode.Input) return false;
        if (code.Ops[a] == OpCode.Constant) return true;   // prefilled in the workspace, never emitted
        if (!code.Constants[a].Equals(code.Constants[b]) || !ReferenceEquals(code.Primitives[a], code.Primitives[b])) return false;
        for (int o = 0; o < code.OperandCount[a]; o++)
            if (!code.Weights[code.OperandStart[a] + o].Equals(code.Weights[code.OperandStart[b] + o])) return false;
        return true;
    }

    private static bool IsConstant(Tape.Code code, int instruction) => code.Ops[instruction] == OpCode.Constant;
}
