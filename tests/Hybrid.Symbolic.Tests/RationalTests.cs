// Exact rationals: normalization, exact conversion from doubles, refusal of huge powers, and the
// small public surface of Expr that other tests only touch in passing.
using System.Numerics;

namespace Hybrid.Symbolic.Tests;

public class RationalTests
{
    [Fact]
    public void NormalizesSignAndCommonFactors()
    {
        var r = new Rational(6, -4);
        Assert.Equal(new BigInteger(-3), r.Numerator);
        Assert.Equal(new BigInteger(2), r.Denominator);
        Assert.Equal("-3/2", r.ToString());
        Assert.Equal(new Rational(0, 5), default(Rational));
        Assert.Equal(BigInteger.One, default(Rational).Denominator);
        Assert.Equal(new Rational(1, 2), new Rational(1, 3) + new Rational(1, 6));
        Assert.Equal(new Rational(-1, 6), new Rational(1, 3) - new Rational(1, 2));
        Assert.Equal(new Rational(2, 9), new Rational(1, 3) * new Rational(2, 3));
        Assert.Equal(new Rational(1, 2), new Rational(1, 3) / new Rational(2, 3));
        Assert.True(new Rational(1, 3).CompareTo(new Rational(1, 2)) < 0);
        Assert.Throws<DivideByZeroException>(() => new Rational(1, 0));
    }

    [Fact]
    public void DoublesConvertExactly()
    {
        Assert.Equal(new Rational(1, 8), Rational.FromDouble(0.125));
        Assert.Equal(new Rational(3602879701896397, BigInteger.One << 55), Rational.FromDouble(0.1));
        Assert.Equal(0.1, Rational.FromDouble(0.1).ToDouble());
        Assert.Equal(double.Epsilon, Rational.FromDouble(double.Epsilon).ToDouble());
        Assert.Throws<ArgumentOutOfRangeException>(() => Rational.FromDouble(double.NaN));
        var huge = new Rational(BigInteger.Pow(10, 400) + 1, BigInteger.Pow(10, 399));
        Assert.Equal(10.0, huge.ToDouble(), 12);
        Assert.Equal(-1e-310, Rational.FromDouble(-1e-310).ToDouble());
        Assert.Equal(double.PositiveInfinity, new Rational(BigInteger.Pow(10, 400), 3).ToDouble());
    }

    [Fact]
    public void PowersTooLargeAreRefusedNotComputed()
    {
        Assert.Equal(new Rational(1, 8), new Rational(1, 2).TryPow(3));
        Assert.Equal(new Rational(4, 1), new Rational(1, 2).TryPow(-2));
        Assert.Equal(Rational.One, Rational.MinusOne.TryPow(BigInteger.Pow(10, 9)));
        Assert.Null(new Rational(2, 1).TryPow(BigInteger.Pow(10, 9)));
        Assert.Null(Rational.Zero.TryPow(-1));
    }

    [Fact]
    public void SmallExprSurface()
    {
        var symbols = Expr.Symbols("a", "b");
        Assert.Equal(["a", "b"], symbols.Select(s => s.ToString()));
        var f = Expr.Sin(Expr.Cos(symbols[0]));
        Assert.Equal(3, f.Depth);
        Assert.Equal(1, symbols[0].Depth);
        Assert.True(Expr.Number(new Rational(4, 2)).Is(2));
        Assert.Equal(Expr.Rational(1, 2), Expr.Number(new Rational(2, 4)));
        Assert.Equal([Expr.Cos(symbols[0])], f.Args);
        var shared = Expr.Sin(symbols[0]);
        Assert.Equal(5, (shared + shared * symbols[1]).PostOrder().Count);                              // a, sin(a), b, product, sum
        Assert.Equal(6, (Expr.Sin(symbols[0]) + Expr.Sin(symbols[0]) * symbols[1]).PostOrder().Count);  // two separately built sin(a)
    }
}
