// Expand, Substitute, FreeSymbols and Simplify: golden results, and soundness (the value is kept
// wherever the input is defined) on generated expressions.
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Hybrid.Numerics;
using Hybrid.Testing;
using static Hybrid.Symbolic.Expr;

namespace Hybrid.Symbolic.Tests;

public class TransformTests
{
    private static readonly Expr x = Symbol("x"), y = Symbol("y");

    [Theory]
    [InlineData("(x + 1)^2", "x^2 + 2*x + 1")]
    [InlineData("(x + y)*(x - y)", "x^2 - y^2")]
    [InlineData("(x + 1)^-2", "1/(x^2 + 2*x + 1)")]
    [InlineData("sin((x + 1)*(x - 1))", "sin(x^2 - 1)")]
    [InlineData("x*(x + 1)*(y + 2)", "x^2*y + 2*x^2 + x*y + 2*x")]
    [InlineData("(x + y + 1)^3", "x^3 + 3*x^2*y + 3*x*y^2 + y^3 + 3*x^2 + 6*x*y + 3*y^2 + 3*x + 3*y + 1")]
    public void Expands(string input, string expected) => Assert.Equal(expected, Parse(input).Expand().ToString());

    [Fact]
    public void ExpandRefusesAHugeResultWithTheLimit()
    {
        var product = Assert.Throws<LimitExceededException>(() => Parse("(x + y + 1)^100 * (x + 2)^500").Expand());
        Assert.Equal("Expand would produce 2580651 terms, above the limit of 1000000 (Limits.MaxExpandedTerms).", product.Message);
        Assert.Equal("MaxExpandedTerms", product.Limit);
        var power = Assert.Throws<LimitExceededException>(() => Parse("(x + y + z + 1)^1000").Expand());
        Assert.Equal("Expand refuses (x + y + z + 1)^1000: it would produce more than 1000000 terms, the limit (Limits.MaxExpandedTerms).", power.Message);
    }

    [Theory]
    [InlineData("(x^2 - 1)/(x - 1)", "x + 1")]
    [InlineData("(x^3 - x)/(x^2 + x)", "x - 1")]
    [InlineData("sin(x)^2 + cos(x)^2", "1")]
    [InlineData("3*sin(x + y)^2 + 3*cos(x + y)^2 + y", "y + 3")]
    [InlineData("cosh(x)^2 - sinh(x)^2", "1")]
    [InlineData("exp(log(x + 1))", "x + 1")]
    [InlineData("exp(2*log(x))", "x^2")]
    [InlineData("exp(x)*exp(y)", "exp(x + y)")]
    [InlineData("log(exp(x))", "x")]
    [InlineData("(x + 1)^2 - x^2", "2*x + 1")]
    [InlineData("x/(x - 1) - 1/(x - 1)", "1")]                          // over a common denominator, then cancelled
    [InlineData("2*x/(x - 1) - (x^2 - 1)/(x - 1)^2", "1")]              // the derivative of (x^2 - 1)/(x - 1)
    [InlineData("1/(x - 1) - 1/(x + 1)", "2/(x^2 - 1)")]
    [InlineData("x + 1/x", "x + 1/x")]                                  // combined would not be smaller
    [InlineData("1/x + 1/y", "1/y + 1/x")]                              // (x + y)/(x*y) would not be smaller
    [InlineData("1/x - 1/(x + y) - y/(x*(x + y))", "0")]                 // two variables over a common denominator
    public void Simplifies(string input, string expected) => Assert.Equal(expected, Parse(input).Simplify().ToString());

    [Fact]
    public void SimplifyTerminatesWithinItsBudgetOnHostileInput()
    {
        var hostile = Product(Enumerable.Range(1, 40).Select(i => Pow(x + i, 30) / Pow(y + i, 30)));
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var result = hostile.Simplify(budget: 500);
        Assert.True(result.TreeSize() <= hostile.TreeSize());
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(30), $"Simplify took {watch.Elapsed}");
    }

    [Fact]
    public void SubstitutesSymbolsAndSubexpressions()
    {
        Assert.Equal(y + 4, (Pow(x, 2) + y).Substitute(x, 2));
        var u = Symbol("u");
        Assert.Equal(Pow(u, 2) + u, (Pow(Sin(x), 2) + Sin(x)).Substitute(Sin(x), u));
        Assert.Equal(Pow(y, 2) + x, (Pow(x, 2) + y).Substitute(new Dictionary<Expr, Expr> { [x] = y, [y] = x }));
    }

    [Fact]
    public void FreeSymbolsAreSortedAndDistinct() =>
        Assert.Equal(["a", "x", "y"], (Sin(x) * y + Exp(Symbol("a") * x) + Pi).FreeSymbols().Select(s => s.Name));

    private static readonly ExpressionShape smooth = new();

    // The kit's own soundness assertion (what users get from Hybrid.Testing): equal wherever the original is defined.
    // Expanding (a + b)^8 trades a product for dozens of terms that cancel: exact in algebra, a few
    // digits lost in doubles (1.4e-8 relative seen), hence the looser tolerance.
    [Fact]
    public void ExpandIsSound() => Properties.IsSoundRewrite(e => e.Expand(), smooth, relative: 1e-6, maxTest: 200, replay: Seed);

    [Fact]
    public void SimplifyIsSound() => Properties.IsSoundRewrite(e => e.Simplify(), smooth, relative: 1e-8, maxTest: 200, replay: Seed);

    // Simplify's and Expand's properties run seeded, so CI is repeatable: expanded forms cancel in doubles,
    // which the exact sweeps (RationalFunctionTests, TranscendentalTests) judge instead.
    private static readonly (ulong, ulong) Seed = (20261129, 1000003);

    // One variable, where rational sums combine and cancel most often.
    [Fact]
    public void SimplifyIsSoundInOneVariable() =>
        Properties.IsSoundRewrite(e => e.Simplify(), smooth with { Variables = ["x"] }, relative: 1e-8, maxTest: 200, replay: Seed);

    // The rational transforms on expressions with functions, exp and roots (their generators), checked
    // in doubles; RationalFunctionTests checks them exactly on rational expressions. An expanded
    // numerator cancels in doubles ((2x - 3)^18 expanded loses every digit near x = 3/2), so the
    // tolerance scales with the magnitude of the result's terms, and a difference counts only where
    // interval enclosures of both are disjoint (an expanded denominator cancels too). A refusal at a
    // limit or the deadline is sound.
    [Property(MaxTest = 150, Replay = "20261129,1000003")]
    public Property RationalTransformsAreSound() =>
        Prop.ForAll(Generators.ExpressionsAtPoints(smooth), pair =>
        {
            var (e, point) = pair;
            double before = e.Evaluate(point);
            if (!double.IsFinite(before)) return true.ToProperty();
            foreach (var (name, transform) in new (string, Func<Expr, Expr>)[] { ("Together", t => t.Together()), ("Cancel", t => t.Cancel(TimeSpan.FromSeconds(1))), ("Factor", t => t.Factor(TimeSpan.FromSeconds(1))) })
            {
                Expr after;
                try { after = transform(e); }
                catch (LimitExceededException) { continue; }
                double value = after.Evaluate(point);
                if (TranscendentalTests.Differ(e, after, point, before, value, Equivalences.RoundingScale(after)))
                    return false.Label($"{name}({e}) = {after}: {value:R} instead of {before:R} at {string.Join(", ", point.Select(p => $"{p.Key} = {p.Value:R}"))}");
            }
            return true.ToProperty();
        });

    [Property(MaxTest = 200)]
    public Property SimplifyNeverGrows() =>
        Prop.ForAll(Generators.ArbitraryExpressions(smooth), e => (e.Simplify().TreeSize() <= e.TreeSize()).Label(e.ToString()));
}
