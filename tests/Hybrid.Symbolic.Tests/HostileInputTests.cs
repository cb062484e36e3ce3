// Hostile sizes and depths: each works, or ends in an exception that names the limit. Nothing
// here may overflow the stack (which would kill the test process) or hang.
using static Hybrid.Symbolic.Expr;

namespace Hybrid.Symbolic.Tests;

public class HostileInputTests
{
    private static readonly Expr x = Symbol("x");

    [Fact]
    public void HundredThousandNestedParenthesesParse()
    {
        var text = new string('(', 100_000) + "x + 1" + new string(')', 100_000);
        Assert.Equal(x + 1, Parse(text));
        var unbalanced = Assert.Throws<ParseException>(() => Parse(new string('(', 100_000) + "x"));
        Assert.Equal(100_000, unbalanced.Column);
    }

    [Fact]
    public void AMillionTermSumBuildsDifferentiatesAndEvaluates()
    {
        var symbols = Enumerable.Range(0, 1_000_000).Select(i => Symbol("x" + i)).ToArray();
        var sum = Sum(symbols.Select((s, i) => (i % 7 + 1) * s));
        Assert.Equal(1_000_000, sum.Args.Count);
        Assert.Equal(Number(6), sum.Differentiate(symbols[12]));
        var bindings = symbols.ToDictionary(s => s.ToString(), _ => 1.0);
        Assert.Equal(Enumerable.Range(0, 1_000_000).Sum(i => i % 7 + 1), sum.Evaluate(bindings));
    }

    [Fact]
    public void AHundredThousandDeepChainWorksEverywhere()
    {
        Expr Chain()
        {
            var f = x;
            for (int i = 0; i < 100_000; i++) f = i % 2 == 0 ? Sin(f) : Exp(f) - 1;
            return f;
        }
        var f = Chain();
        var g = Chain();
        Assert.Equal(f, g);                                  // structural equality, iteratively
        Assert.Equal(f.GetHashCode(), g.GetHashCode());
        var text = f.ToString();
        Assert.Equal(f, Parse(text));                        // print and parse back
        Assert.True(f.ToLatex().Length > text.Length);
        Assert.True(f.ToCSharp().Length > text.Length);
        Assert.Equal(0, f.Evaluate(("x", 0.0)));
        Assert.Equal(f.Substitute(x, Symbol("y")), g.Substitute(x, Symbol("y")));
        Assert.True(f.Simplify().TreeSize() <= f.TreeSize());
        var df = f.Differentiate(x);
        Assert.Equal(1, df.Evaluate(("x", 0.0)), 12);         // every factor of the chain rule is 1 at 0
    }

    [Fact]
    public void AstronomicalExactPowersAreLeftUnevaluated()
    {
        Assert.Equal(ExprKind.Power, Parse("2^(10^9)").Kind);
        Assert.Equal(ExprKind.Power, Parse("(3/7)^(-(10^9))").Kind);
        Assert.Equal(ExprKind.Power, Parse("123456789^123456789").Kind);
        Assert.Equal(ExprKind.Power, Parse("2^(10^9)*2").Args[1].Kind);
    }
}
