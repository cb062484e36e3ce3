// Expr.Equivalent (issue 14): verdicts with their certificates, determinism, the corpus (every true
// pair Proven or ProbablyEqual, every pair with a perturbed coefficient NotEqual with a valid witness),
// and never NotEqual for a true identity on generated expressions.
using Hybrid.Testing;
using static Hybrid.Symbolic.Expr;

namespace Hybrid.Symbolic.Tests;

public class EquivalenceTests
{
    [Theory]
    [InlineData("(x^2 - 1)/(x - 1)", "x + 1", "rational normal form")]
    [InlineData("sin(x)^2", "1 - cos(x)^2", "Simplify")]
    [InlineData("tan(c + d*x)", "sin(d*x + c)/cos(d*x + c)", "Simplify")]
    public void ProvesIdentitiesAndSaysHow(string a, string b, string how)
    {
        var result = Equivalent(Parse(a), Parse(b));
        Assert.Equal(EquivalenceVerdict.Proven, result.Verdict);
        Assert.Contains(how, result.Reason);
    }

    [Fact]
    public void AWitnessIsAPointWhereBothAreDefinedAndDiffer()
    {
        var (a, b) = (Parse("sin(x)*exp(y)"), Parse("sin(x)*exp(y) + x/1000"));
        var result = Equivalent(a, b);
        Assert.Equal(EquivalenceVerdict.NotEqual, result.Verdict);
        var point = result.Witness!;
        Assert.Equal(a.Evaluate(point), result.Left);
        Assert.Equal(b.Evaluate(point), result.Right);
        Assert.NotEqual(result.Left, result.Right);
        Assert.True(result.Exact);   // confirmed by disjoint interval enclosures
        Assert.Contains("confirmed: the interval enclosures", result.Reason);
        // Rational functions: decided by the normal form, the witness checked in exact arithmetic.
        var exact = Equivalent(Parse("1/(x + 1) + y"), Parse("1/(x - 1) + y"));
        Assert.Equal((EquivalenceVerdict.NotEqual, true), (exact.Verdict, exact.Exact));
    }

    [Fact]
    public void NoProofAndNoDifferenceIsProbablyEqualWithItsEvidence()
    {
        // atan(x) + atan(1/x) = pi/2 for x > 0 only: not an identity, and the sampling finds x < 0.
        Assert.Equal(EquivalenceVerdict.NotEqual, Equivalent(Parse("atan(x) + atan(1/x)"), Parse("pi/2")).Verdict);
        // log(x^2) = 2 log(x) where both are defined (x > 0): no rule proves it, the samples agree.
        var result = Equivalent(Parse("log(x^2)"), Parse("2*log(x)"), seed: 7);
        Assert.Equal(EquivalenceVerdict.ProbablyEqual, result.Verdict);
        Assert.Contains("seed 7", result.Reason);
        Assert.True(result.PointsCompared > 5);
        Assert.Equal(result, Equivalent(Parse("log(x^2)"), Parse("2*log(x)"), seed: 7));   // deterministic for a seed
        // Nowhere both defined.
        Assert.Equal(EquivalenceVerdict.Undecided, Equivalent(Parse("log(-1 - x^2)"), Parse("sqrt(-1 - x^2)")).Verdict);
    }

    [Fact]
    public void TheCorpusIsEquivalentAndEveryPerturbationIsCaught()
    {
        var problems = new List<string>();
        foreach (var entry in RubiCorpus.Load())
        {
            var derivative = Parse(entry.F).Differentiate(Symbol(entry.X));
            var f = Parse(entry.f);
            var result = Equivalent(derivative, f);
            if (result.Verdict is not (EquivalenceVerdict.Proven or EquivalenceVerdict.ProbablyEqual)) problems.Add($"{entry.Id}: {result.Reason}");
            var number = f.PostOrder().OfType<Number>().FirstOrDefault(n => !n.Value.IsZero);
            var perturbed = number is null ? f * Rational(98, 97) : f.Substitute(number, Number(number.Value + 1));
            var caught = Equivalent(derivative, perturbed);
            if (caught.Verdict != EquivalenceVerdict.NotEqual) { problems.Add($"{entry.Id} perturbed: {caught.Reason}"); continue; }
            double left = derivative.Evaluate(caught.Witness!), right = perturbed.Evaluate(caught.Witness!);
            if (!double.IsFinite(left) || !double.IsFinite(right) || left == right) problems.Add($"{entry.Id} perturbed: invalid witness");
        }
        Assert.True(problems.Count == 0, string.Join("\n", problems.Take(10)));
    }

    // The enclosures Equivalent confirms witnesses with contain the value computed in doubles.
    [Fact]
    public void IntervalEnclosuresContainTheValue()
    {
        int enclosed = 0;
        for (int seed = 0; seed < 3_000; seed++)
        {
            var random = new Random(seed);
            var e = TranscendentalTests.RandomExpression(random, 4);
            var point = new Dictionary<string, double> { ["x"] = 4 * random.NextDouble() - 2, ["y"] = 4 * random.NextDouble() - 2 };
            double value = e.Evaluate(point);
            if (!double.IsFinite(value) || Intervals.Evaluate(e, point) is not { } interval) continue;
            Assert.True(interval.Contains(value), $"seed {seed}: {e} = {value:R} outside [{interval.Low:R}, {interval.High:R}]");
            enclosed++;
        }
        Assert.True(enclosed > 1_000, $"only {enclosed} enclosures");
    }

    [Fact]
    public void NeverNotEqualForATrueIdentity()
    {
        var failures = new System.Collections.Concurrent.ConcurrentBag<string>();
        Watchdog.Within(TimeSpan.FromMinutes(2), "the equivalence sweep", () => Parallel.For(0, 2_000, seed =>
        {
            var e = TranscendentalTests.RandomExpression(new Random(seed), 4);
            foreach (var (name, same) in new[] { ("Simplify", e.Simplify()), ("Expand", e.Expand()), ("Together", e.Together()) })
                if (Equivalent(e, same, seed) is { Verdict: EquivalenceVerdict.NotEqual } wrong)
                    failures.Add($"seed {seed}: {e} vs its {name} {same}: {wrong.Reason} at {string.Join(", ", wrong.Witness!)}");
        }));
        Assert.True(failures.IsEmpty, string.Join("\n", failures.Take(10)));
    }
}
