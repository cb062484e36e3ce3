// Expr.Equivalent: are two expressions equal wherever both are defined, with a certificate. The
// verdict is Proven (a normal form of a - b is 0; the transform is named), NotEqual (a witness point
// where both are defined and differ beyond rounding), ProbablyEqual (equal at every sampled point,
// with the evidence), or Undecided (no sampled point where both are defined). Deterministic for a seed.
namespace Hybrid.Symbolic;

/// <summary>The verdict of <see cref="Expr.Equivalent"/>.</summary>
public enum EquivalenceVerdict
{
    /// <summary>A normal form of a − b is 0: equal wherever both are defined (<see cref="Equivalence.Reason"/> names the transform).</summary>
    Proven,
    /// <summary>No proof, but equal within rounding at every sampled point where both are defined.</summary>
    ProbablyEqual,
    /// <summary>Different: <see cref="Equivalence.Witness"/> is a point where both are defined and differ beyond rounding.</summary>
    NotEqual,
    /// <summary>No proof, and no sampled point where both are defined.</summary>
    Undecided,
}

/// <summary>The answer of <see cref="Expr.Equivalent"/> with its certificate.</summary>
/// <param name="Verdict">Proven, ProbablyEqual, NotEqual or Undecided.</param>
/// <param name="Reason">How it was decided: the transform that proved it, or the evidence in words.</param>
/// <param name="Witness">For NotEqual: the point (variable values) where the two differ; otherwise null.</param>
/// <param name="Left">For NotEqual: the first expression's value at the witness.</param>
/// <param name="Right">For NotEqual: the second expression's value at the witness.</param>
/// <param name="PointsCompared">Sampled points where both were defined and compared.</param>
/// <param name="MaxRelativeDifference">The largest |a − b| / (|a| + |b| + rounding scale) over those points.</param>
/// <param name="Exact">True when the answer is certified: a proof, a witness in exact rational arithmetic, or a witness whose interval enclosures are disjoint.</param>
public sealed record Equivalence(EquivalenceVerdict Verdict, string Reason, IReadOnlyDictionary<string, double>? Witness,
    double? Left, double? Right, int PointsCompared, double MaxRelativeDifference, bool Exact);

internal static class Equivalences
{
    // Relative to the sum of the magnitudes of the terms (the rounding scale): equal below Equal,
    // different above Different; in between a point counts as neither.
    private const double Equal = 1e-8, Different = 1e-5;

    public static Equivalence Decide(Expr a, Expr b, int seed, int points, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var difference = Build.Add(a, Build.Multiply(Build.MinusOne, b));
        if (difference.Is(0)) return Proven("the canonical form");
        var deadline = new Deadline("Equivalent", timeout, cancellationToken);
        // Every variable of either side: one that cancels from a - b still needs a value to evaluate a and b.
        var symbols = FreeSymbols.Of(a).Concat(FreeSymbols.Of(b)).DistinctBy(s => s.Name).OrderBy(s => s.Name, StringComparer.Ordinal).ToList();
        try
        {
            // A rational function of its variables alone: the normal form decides, and a witness is exact.
            if (Poly.Within(deadline, () => RationalForm.TryCreate([difference, a, b])) is ({ } form, [var fraction, _, _]))
            {
                if (fraction.N.IsZero) return Proven("the rational normal form (Cancel)");
                if (form.Generators.All(g => g is Symbol)) return ExactWitness(a, b, symbols, seed, points);
            }
        }
        catch (LimitExceededException) { /* no proof in time or within the limits: sample */ }
        // Sampling first: a difference is found in microseconds, where a failed proof would take the whole budget.
        var sampled = Sample(a, b, symbols, seed, points);
        if (sampled.Verdict == EquivalenceVerdict.NotEqual) return sampled;
        try
        {
            if (Simplifier.Simplify(difference, 20_000, deadline).Is(0)) return Proven("Simplify (the rational and transcendental normal forms)");
            // Angles that are sums: sin(x + y) against sin(x)cos(y) + cos(x)sin(y).
            if (Traversal.PostOrder(difference).Any(n => n is Call { Args: [Sum] } c && c.OfAny(Primitives.Sin, Primitives.Cos, Primitives.Tan, Primitives.Cot, Primitives.Sec, Primitives.Csc))
                && Simplifier.Simplify(difference.ExpandTrig(timeout, cancellationToken), 20_000, deadline).Is(0))
                return Proven("Simplify after ExpandTrig");
        }
        catch (LimitExceededException) { /* no proof in time or within the limits */ }
        return sampled;
    }

    private static Equivalence Proven(string how) => new(EquivalenceVerdict.Proven, $"{how} reduces a - b to 0", null, null, null, 0, 0, true);

    // Seeded points inside each symbol's assumptions: half in (0.1, 2.6) (logs and roots are defined
    // there), half in (-2.5, 2.5) unless the symbol is non-negative; integers in -3..3 (1..3 if positive).
    private static IEnumerable<Dictionary<string, double>> Points(IReadOnlyList<Symbol> symbols, int seed, int count)
    {
        var random = new Random(seed);
        for (int k = 0; k < count; k++)
            yield return symbols.ToDictionary(s => s.Name, s => Value(s.Assumptions, k % 2 == 0, random));
    }

    private static double Value(Assumptions assumptions, bool positiveHalf, Random random)
    {
        bool nonnegative = assumptions.HasFlag(Assumptions.Nonnegative), nonzero = assumptions.HasFlag(Assumptions.Nonzero);
        if (assumptions.HasFlag(Assumptions.Integer))
        {
            int low = nonnegative ? (nonzero ? 1 : 0) : -3;
            int value = random.Next(low, 4);
            return value == 0 && nonzero ? 1 : value;
        }
        return positiveHalf || nonnegative ? 0.1 + 2.5 * random.NextDouble() : 5 * random.NextDouble() - 2.5;
    }

    private static Equivalence Sample(Expr a, Expr b, IReadOnlyList<Symbol> symbols, int seed, int count)
    {
        var scale = RoundingScale(Build.Add(a, Build.Multiply(Build.MinusOne, b)));
        int compared = 0;
        double worst = 0;
        foreach (var point in Points(symbols, seed, count))
        {
            double va = a.Evaluate(point), vb = b.Evaluate(point);
            if (!double.IsFinite(va) || !double.IsFinite(vb)) continue;
            double relative = Math.Abs(va - vb) / (Math.Abs(va) + Math.Abs(vb) + Math.Abs(scale.Evaluate(point)) + double.Epsilon);
            compared++;
            worst = Math.Max(worst, relative);
            if (relative <= Different) continue;
            // Confirmed when enclosures of both values (interval arithmetic, rounded outward) are disjoint;
            // overlapping enclosures mean the difference may be rounding, and the point proves nothing.
            var (ia, ib) = (Intervals.Evaluate(a, point), Intervals.Evaluate(b, point));
            bool confirmed = ia is { } x && ib is { } y && x.DisjointFrom(y);
            if (ia is not null && ib is not null && !confirmed) continue;
            return new(EquivalenceVerdict.NotEqual, $"at the witness they differ by {relative:G3} of their rounding scale (equal would be below {Equal:G1}); "
                + (confirmed ? $"confirmed: the interval enclosures [{ia!.Value.Low:G17}, {ia.Value.High:G17}] and [{ib!.Value.Low:G17}, {ib.Value.High:G17}] are disjoint"
                             : "not confirmed by intervals (a function without an enclosure)"),
                point, va, vb, compared, worst, confirmed);
        }
        if (compared == 0)
            return new(EquivalenceVerdict.Undecided, $"no proof, and at none of the {count} sampled points (seed {seed}) are both defined", null, null, null, 0, 0, false);
        string evidence = $"no normal form of a - b is 0; at all {compared} sampled points where both are defined (seed {seed}, in doubles) they differ by at most {worst:G3} of their rounding scale";
        return new(worst <= Equal ? EquivalenceVerdict.ProbablyEqual : EquivalenceVerdict.Undecided, evidence, null, null, null, compared, worst, false);
    }

    // Rational functions of their variables: a - b is a non-zero rational function, so it is non-zero at
    // almost every point (Schwartz-Zippel: a random point of a set S^n is a root with probability at most
    // deg/|S|); the witness is checked in exact arithmetic, both sides defined.
    private static Equivalence ExactWitness(Expr a, Expr b, IReadOnlyList<Symbol> symbols, int seed, int count)
    {
        var random = new Random(seed);
        for (int k = 0; k < Math.Max(count, 20); k++)
        {
            var values = symbols.ToDictionary(s => (Expr)s, _ => Build.Number(new Rational(random.Next(-60, 61), random.Next(1, 12))));
            if (a.Substitute(values) is not Number va || b.Substitute(values) is not Number vb || va.Value == vb.Value) continue;
            var witness = values.ToDictionary(v => ((Symbol)v.Key).Name, v => ((Number)v.Value).Value.ToDouble());
            return new(EquivalenceVerdict.NotEqual, "the rational normal form of a - b is not 0, and at the witness (exact rationals) a and b differ",
                witness, va.Value.ToDouble(), vb.Value.ToDouble(), k + 1, 1, true);
        }
        return new(EquivalenceVerdict.Undecided, "the rational normal form of a - b is not 0, but no sampled rational point had both defined", null, null, null, 0, 0, true);
    }

    /// <summary>An upper bound of the rounding in evaluating e in doubles: every sum taken as the sum of its terms' absolute values.</summary>
    public static Expr RoundingScale(Expr e) => e switch
    {
        Sum sum => Build.Add(sum.Args.Select(RoundingScale)),
        Product product => Build.Multiply(product.Args.Select(RoundingScale)),
        _ => Primitives.Abs.Apply(e),
    };
}

public abstract partial class Expr
{
    /// <summary>
    /// Whether <paramref name="a"/> and <paramref name="b"/> are equal wherever both are defined, with a
    /// certificate: Proven (a normal form of a − b is 0, and which), NotEqual (a witness point, exact for
    /// rational functions), ProbablyEqual (agreement within rounding at every seeded sample point where
    /// both are defined, with the evidence) or Undecided. Deterministic for a seed.
    /// </summary>
    /// <param name="a">The first expression.</param>
    /// <param name="b">The second expression.</param>
    /// <param name="seed">Seeds the sample points.</param>
    /// <param name="points">How many points to sample when there is no proof.</param>
    /// <param name="timeout">The time for the proof attempts (default 2 s); sampling follows.</param>
    /// <param name="cancellationToken">Stops the proof attempts early.</param>
    public static Equivalence Equivalent(Expr a, Expr b, int seed = 0, int points = 24, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(points);
        return Equivalences.Decide(a, b, seed, points, timeout ?? Limits.SimplifyTimeout, cancellationToken);
    }
}
