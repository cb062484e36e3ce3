// The parser: precedence, literals, and every kind of error with its column and caret.
using static Hybrid.Symbolic.Expr;

namespace Hybrid.Symbolic.Tests;

public class ParserTests
{
    private static readonly Expr x = Symbol("x"), y = Symbol("y");

    [Fact]
    public void PowerIsRightAssociativeAndBindsTighterThanUnaryMinus()
    {
        Assert.Equal(-Pow(x, 2), Parse("-x^2"));
        Assert.Equal(Pow(x, Pow(y, 2)), Parse("x^y^2"));
        Assert.Equal(Pow(x, Pow(y, 2)), Parse("x**y**2"));
        Assert.Equal(Pow(x, -2), Parse("x^-2"));
        Assert.Equal(Pow(2, -x), Parse("2^-x"));
        Assert.Equal(x - y - 1, Parse("x - y - 1"));
        Assert.Equal(x / y / 2, Parse("x / y / 2"));
        Assert.Equal(x / (y / 2), Parse("x/(y/2)"));
        // The sign of a product belongs to the whole product (found by the round-trip property).
        var negatedQuotient = Product([-1, x + y, Pow(2 * y, -1)]);
        Assert.Equal("-(x + y)/(2*y)", negatedQuotient.ToString());
        Assert.Equal(negatedQuotient, Parse("-(x + y)/(2*y)"));
        Assert.Equal(-x - y, Parse("-(x + y)"));
        var overNumberTimesSum = Product([-2, Pow(y, 4), Pow(81, -1), Pow(x + y, -1)]);
        Assert.Equal("-2*y^4/81/(x + y)", overNumberTimesSum.ToString());
        Assert.Equal(overNumberTimesSum, Parse(overNumberTimesSum.ToString()));
    }

    [Fact]
    public void ReadsLiteralsAndConstants()
    {
        Assert.Equal(Float(0.001), Parse("1e-3"));
        Assert.Equal(Float(1.5), Parse("1.5"));
        Assert.Equal(Float(0.25), Parse(".25"));
        Assert.Equal(Number(123456789012345678), Parse("123456789012345678"));
        Assert.Equal(Pi * E, Parse("pi*e"));
        Assert.Equal(Sqrt(x), Parse("sqrt(x)"));
        Assert.Equal(Atan2(y, x), Parse("atan2(y, x)"));
        Assert.Equal(Where(Greater(x, 0), x, 0), Parse("where(x > 0, x, 0)"));
        Assert.Equal(LessOrEqual(x + 1, y), Parse("x + 1 <= y"));
    }

    [Theory]
    [InlineData("", "empty input", 1)]
    [InlineData("   ", "empty input", 4)]
    [InlineData("foo(x)", "unknown function 'foo'", 1)]
    [InlineData("2*sinn(x)", "unknown function 'sinn'. Did you mean sin?", 3)]
    [InlineData("Sin(x)", "unknown function 'Sin'. Did you mean sin?", 1)]
    [InlineData("atna2(y, x)", "unknown function 'atna2'. Did you mean atan2?", 1)]
    [InlineData("ln + 1", "'ln' is a function: call it as ln(...)", 1)]
    [InlineData("ln(x, 2)", "ln takes 1 argument (x), not 2", 1)]
    [InlineData("log(x, 2, 3)", "log takes 1 argument (x) or 2 (x, base), not 3", 1)]
    [InlineData("1 + atan2(x)", "atan2 takes 2 arguments (y, x), not 1", 5)]
    [InlineData("sin(x, y)", "sin takes 1 argument (x), not 2", 1)]
    [InlineData("sin()", "sin takes 1 argument (x), not 0", 1)]
    [InlineData("(x + 1", "unbalanced '(': no matching ')'", 1)]
    [InlineData("x + 1)", "unbalanced ')': no matching '('", 6)]
    [InlineData("2 * sin(x", "unbalanced '(' of sin(: no matching ')'", 5)]
    [InlineData("x + * y", "unexpected '*': expected a number, a name or '('", 5)]
    [InlineData("x y", "unexpected 'y': expected an operator, ')' or the end", 3)]
    [InlineData("x + ", "unexpected end of input: an operand is missing", 5)]
    [InlineData("x $ y", "unexpected character '$'", 3)]
    [InlineData("x, y", "',' outside a function call", 2)]
    [InlineData("sin + 1", "'sin' is a function: call it as sin(...)", 1)]
    [InlineData("x < y < 1", "comparisons cannot be chained: '<' then '<'", 7)]
    [InlineData("1e999", "the number '1e999' is not a finite double", 1)]
    public void ErrorsCarryTheColumnAndACaret(string text, string reason, int column)
    {
        var error = Assert.Throws<ParseException>(() => Parse(text));
        Assert.Equal(reason, error.Reason);
        Assert.Equal(column, error.Column);
        var lines = error.Message.Split('\n');
        Assert.Equal($"{reason} (column {column})", lines[0]);
        Assert.Equal("  " + new string(' ', column - 1) + "^", lines[2]);
    }

    // SymPy's spellings: ln is log, log(x, b) is the logarithm to base b; both print back canonically and round-trip.
    [Fact]
    public void LnAndTheTwoArgumentLogAreSymPysSpellings()
    {
        var (x, b) = (Symbol("x"), Symbol("b"));
        Assert.Equal(Log(x), Parse("ln(x)"));
        Assert.Equal(Log(x) / Log(b), Parse("log(x, b)"));
        Assert.Equal(Log(x) / Log(b), Call("log", x, b));
        Assert.Equal(Log(x), Call("ln", x));
        Assert.Equal("log(x)/log(b)", Parse("log(x, b)").ToString());
        Assert.Equal(3, Parse("log(8, 2)").Evaluate(), 14);
        foreach (var text in new[] { "ln(x)", "log(x, b)", "ln(x)*log(x, 10)" })
            Assert.Equal(Parse(text), Parse(Parse(text).ToString()));
        Assert.False(IsIdentifierName("ln"));
        Assert.Contains("Did you mean sin?", Assert.Throws<ArgumentException>(() => Call("sinn", x)).Message);
    }

    [Fact]
    public void LongInputsShowAWindowAroundTheError()
    {
        var text = string.Concat(Enumerable.Repeat("x + ", 10_000)) + ")";
        var error = Assert.Throws<ParseException>(() => Parse(text));
        Assert.Equal(text.Length, error.Column);
        Assert.True(error.Message.Length < 300, "the excerpt is bounded");
        var lines = error.Message.Split('\n');
        Assert.Equal(')', lines[1][lines[2].IndexOf('^')]);
    }
}
