namespace Hybrid.Tapes;

// Fusing forward and reverse (issue 16): when a scalar tape's output is a long sum whose terms come from repeated
// stretches (runs) that feed nothing else — W1's terms, a membrane's cells — each copy of such a run can be computed,
// added to the sum and swept backward in one pass, its values and adjoints in locals (registers), as hand-written code
// does, instead of storing every value and adjoint and reading them back. The sum is added in the interpreter's order
// (the output's operands must be: a prefix from outside the runs, the runs' terms copy by copy, a suffix), and each
// copy's own adjoints are the interpreter's bit for bit; only the adjoints the copies send outside the run (to the
// inputs) are summed in another order (copy 0 first instead of last), so a gradient may differ from the tape's in the
// last bits. The source export (SourceExport.cs) and the IL compiler (Emitter.cs) run the same plan.
internal sealed class Fusion
{
    public required int Output { get; init; }
    public required HashSet<Segment> Runs { get; init; }
    public required Dictionary<Segment, List<(int Offset, double Weight)>> Terms { get; init; }   // per copy, in the output's order
    public required List<(int Operand, double Weight)> Prefix { get; init; }
    public required List<(int Operand, double Weight)> Suffix { get; init; }

    /// <summary>The adjoint slots a fused gradient uses (the inputs', and those of the segments outside the fused runs, whose
    /// adjoints live in locals): the only ones to clear before each gradient.</summary>
    public List<(int Start, int Length)> UsedAdjoints(Tape tape, IEnumerable<Segment> segments) =>
        [(0, tape.InputCount), .. segments.Where(s => !Runs.Contains(s)).Select(s => (s.Start, s.Period * s.Repeats))];

    public static Fusion? Plan(Tape tape, Tape.Code code, IReadOnlyList<Segment> segments)
    {
        if (tape.OutputCount != 1) return null;
        int output = tape.OutputSlots[0];
        int s = code.OperandStart[output], n = code.OperandCount[output];
        if (code.Ops[output] != OpCode.Linear || n <= 2 || output != tape.Length - 1 || !code.FiniteWeights(output)) return null;
        // Runs whose instructions are read only within their copy or by the output (one pass over every operand slot).
        var candidates = segments.Where(r => r.IsRun).ToList();
        var runOf = new int[tape.Length];
        Array.Fill(runOf, -1);
        var alone = new bool[candidates.Count];
        for (int r = 0; r < candidates.Count; r++)
        {
            var run = candidates[r];
            alone[r] = true;
            for (int i = run.Start; i < run.Start + run.Period * run.Repeats; i++)
            {
                runOf[i] = r;
                if (code.Ops[i] == OpCode.Constant) alone[r] = false;
            }
        }
        var outputReads = new int[tape.Length];   // how many of the output's operand slots read each instruction
        for (int c = 0; c < tape.Length; c++)
            for (int k = code.OperandStart[c]; k < code.OperandStart[c] + code.OperandCount[c]; k++)
            {
                int o = code.Operands[k], r = runOf[o];
                if (c == output) { outputReads[o]++; continue; }
                if (r < 0 || !alone[r]) continue;
                var run = candidates[r];
                int copyStart = run.Start + (o - run.Start) / run.Period * run.Period;
                if (c < copyStart || c >= copyStart + run.Period) alone[r] = false;
            }
        var runs = candidates.Where((_, r) => alone[r]).ToHashSet();
        if (runs.Count == 0) return null;
        // The output's operands: a prefix outside the runs, then the runs' terms copy by copy (each term once, by offset
        // within the copy), then a suffix outside the runs.
        bool InRun(int i) => runOf[i] >= 0 && alone[runOf[i]];
        int slot = s, end = s + n;
        var prefix = new List<(int, double)>();
        while (slot < end && !InRun(code.Operands[slot])) { prefix.Add((code.Operands[slot], code.Weights[slot])); slot++; }
        var terms = new Dictionary<Segment, List<(int, double)>>();
        foreach (var run in runs.OrderBy(r => r.Start))
        {
            // Copy 0's terms are the pattern; every other copy must add the same terms, with the same weights, in the same order.
            var pattern = new List<(int Offset, double Weight)>();
            while (slot < end && code.Operands[slot] >= run.Start && code.Operands[slot] < run.Start + run.Period)
            {
                pattern.Add((code.Operands[slot] - run.Start, code.Weights[slot]));
                slot++;
            }
            for (int copy = 1; copy < run.Repeats; copy++)
            {
                int start = run.Start + copy * run.Period;
                if (slot + pattern.Count > end) return null;
                for (int t = 0; t < pattern.Count; t++, slot++)
                    if (code.Operands[slot] != start + pattern[t].Offset || !code.Weights[slot].Equals(pattern[t].Weight)) return null;
                if (slot < end && code.Operands[slot] >= start && code.Operands[slot] < start + run.Period) return null;   // more terms than copy 0
            }
            // Each instruction the output reads must be among the terms (read once), so the copy's adjoints start right.
            if (pattern.Count == 0 || pattern.Select(t => t.Offset).Distinct().Count() != pattern.Count) return null;
            for (int i = run.Start; i < run.Start + run.Period; i++)
                if (outputReads[i] != pattern.Count(t => t.Offset == i - run.Start)) return null;
            terms[run] = pattern;
        }
        var suffix = new List<(int, double)>();
        while (slot < end && !InRun(code.Operands[slot])) { suffix.Add((code.Operands[slot], code.Weights[slot])); slot++; }
        if (slot != end) return null;
        return new Fusion { Output = output, Runs = runs, Terms = terms, Prefix = prefix, Suffix = suffix };
    }
}
