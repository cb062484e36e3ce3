// An exact rational number p/q on BigInteger. Invariant: q > 0 and gcd(|p|, q) = 1, so equal
// values have equal fields and structural equality is field equality.
using System.Globalization;
using System.Numerics;

namespace Hybrid.Symbolic;

/// <summary>An exact rational number, always normalized (positive denominator, no common factor).</summary>
public readonly struct Rational : IEquatable<Rational>, IComparable<Rational>
{
    /// <summary>The largest number of bits of a numerator or denominator (<see cref="Limits.MaxBits"/>).</summary>
    /// <remarks>Keeps <c>2^(10^9)</c> from hanging: such powers stay unevaluated, and other operations past it throw.</remarks>
    public const int MaxBits = Limits.MaxBits;

    /// <summary>The numerator; it carries the sign.</summary>
    public BigInteger Numerator { get; }

    private readonly BigInteger denominator;   // zero only in default(Rational), which means 0/1

    /// <summary>The denominator; always positive.</summary>
    public BigInteger Denominator => denominator.IsZero ? BigInteger.One : denominator;

    /// <summary>Creates <paramref name="numerator"/>/<paramref name="denominator"/>, normalized.</summary>
    /// <exception cref="DivideByZeroException">The denominator is zero.</exception>
    /// <exception cref="LimitExceededException">The normalized numerator or denominator has more than <see cref="MaxBits"/> bits.</exception>
    public Rational(BigInteger numerator, BigInteger denominator)
    {
        if (denominator.IsZero) throw new DivideByZeroException($"The rational {numerator}/0 has a zero denominator.");
        if (denominator.Sign < 0) { numerator = -numerator; denominator = -denominator; }
        if (!denominator.IsOne)   // integers, the common case, need no gcd
        {
            var gcd = BigInteger.GreatestCommonDivisor(numerator, denominator);
            if (!gcd.IsOne && !gcd.IsZero) { numerator /= gcd; denominator /= gcd; }
        }
        // Every exact operation ends here, so this one test bounds them all (a sum, product or quotient
        // of numbers near the limit costs microseconds; past it the arithmetic would grow without end).
        if ((numerator.GetBitLength() > MaxBits || denominator.GetBitLength() > MaxBits) && unboundedScopes == 0)
            throw new LimitExceededException(
                $"An exact number of {Math.Max(numerator.GetBitLength(), denominator.GetBitLength())} bits would pass the limit of {MaxBits} bits (Limits.MaxBits); use a float (2.0 instead of 2) for approximate arithmetic.",
                nameof(Limits.MaxBits));
        Numerator = numerator;
        this.denominator = numerator.IsZero ? BigInteger.One : denominator;
    }

    // Inside Unbounded, the limit is off: for internal algorithms whose numbers are bounded by a cap of
    // their own (the heuristic gcd evaluates polynomials at large integers and checks every result).
    // Read only when a number is past the limit, so the common path pays nothing.
    [ThreadStatic] private static int unboundedScopes;

    internal static T Unbounded<T>(Func<T> work)
    {
        unboundedScopes++;
        try { return work(); }
        finally { unboundedScopes--; }
    }

    /// <summary>Zero.</summary>
    public static readonly Rational Zero = new(0, 1);
    /// <summary>One.</summary>
    public static readonly Rational One = new(1, 1);
    /// <summary>Minus one.</summary>
    public static readonly Rational MinusOne = new(-1, 1);

    /// <summary>True when the denominator is 1.</summary>
    public bool IsInteger => Denominator.IsOne;
    /// <summary>True for 0.</summary>
    public bool IsZero => Numerator.IsZero;
    /// <summary>True for 1.</summary>
    public bool IsOne => Numerator.IsOne && Denominator.IsOne;
    /// <summary>-1, 0 or 1.</summary>
    public int Sign => Numerator.Sign;

    /// <summary>The nearest double: infinite beyond its range, subnormal or zero below it.</summary>
    public double ToDouble()
    {
        if (Numerator.GetBitLength() <= 1000 && Denominator.GetBitLength() <= 1000) return (double)Numerator / (double)Denominator;
        // One part is beyond double's range: divide exactly as integers with 64 bits of quotient, then scale.
        int shift = 64 - (int)(Numerator.GetBitLength() - Denominator.GetBitLength());
        var magnitude = BigInteger.Abs(Numerator);
        var quotient = shift >= 0 ? (magnitude << shift) / Denominator : magnitude / (Denominator << -shift);
        return Sign * Math.ScaleB((double)quotient, -shift);
    }

    /// <summary>The exact value of a finite double (every double is a dyadic rational).</summary>
    public static Rational FromDouble(double value)
    {
        if (!double.IsFinite(value)) throw new ArgumentOutOfRangeException(nameof(value), value, "Only finite doubles have an exact rational value.");
        long bits = BitConverter.DoubleToInt64Bits(value);
        bool negative = bits < 0;
        int exponent = (int)((bits >> 52) & 0x7FF);
        long mantissa = bits & 0xFFFFFFFFFFFFFL;
        if (exponent == 0) exponent++; else mantissa |= 1L << 52;
        exponent -= 1075;
        BigInteger numerator = negative ? -mantissa : mantissa;
        return exponent >= 0 ? new Rational(numerator << exponent, 1) : new Rational(numerator, BigInteger.One << -exponent);
    }

    /// <summary>Raises to an integer power, or returns null when the result would exceed <see cref="MaxBits"/>.</summary>
    public Rational? TryPow(BigInteger exponent)
    {
        if (exponent.IsZero) return One;
        if (IsZero) return exponent.Sign > 0 ? Zero : null;
        if (Denominator.IsOne && BigInteger.Abs(Numerator).IsOne)
            return exponent.IsEven ? One : this;
        double bits = Math.Max(Numerator.GetBitLength(), Denominator.GetBitLength()) * (double)BigInteger.Abs(exponent);
        if (bits > MaxBits && unboundedScopes == 0) return null;
        int e = (int)BigInteger.Abs(exponent);
        var p = new Rational(BigInteger.Pow(Numerator, e), BigInteger.Pow(Denominator, e));
        return exponent.Sign > 0 ? p : One / p;
    }

    /// <summary>Sum.</summary>
    public static Rational operator +(Rational a, Rational b) =>
        a.IsZero ? b : b.IsZero ? a
        : a.Denominator == b.Denominator ? new(a.Numerator + b.Numerator, a.Denominator)
        : new(a.Numerator * b.Denominator + b.Numerator * a.Denominator, a.Denominator * b.Denominator);
    /// <summary>Difference.</summary>
    public static Rational operator -(Rational a, Rational b) => a + (-b);
    /// <summary>Negation.</summary>
    public static Rational operator -(Rational a) => new(-a.Numerator, a.Denominator);
    /// <summary>Product.</summary>
    public static Rational operator *(Rational a, Rational b) =>
        a.IsOne ? b : b.IsOne ? a : new(a.Numerator * b.Numerator, a.Denominator * b.Denominator);
    /// <summary>Quotient.</summary>
    /// <exception cref="DivideByZeroException">b is zero.</exception>
    public static Rational operator /(Rational a, Rational b) => new(a.Numerator * b.Denominator, a.Denominator * b.Numerator);
    /// <summary>An integer as a rational.</summary>
    public static implicit operator Rational(long value) => new(value, 1);
    /// <summary>A BigInteger as a rational.</summary>
    public static implicit operator Rational(BigInteger value) => new(value, 1);
    /// <summary>Structural equality.</summary>
    public static bool operator ==(Rational a, Rational b) => a.Equals(b);
    /// <summary>Structural inequality.</summary>
    public static bool operator !=(Rational a, Rational b) => !a.Equals(b);

    /// <inheritdoc/>
    public bool Equals(Rational other) => Numerator == other.Numerator && Denominator == other.Denominator;
    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is Rational r && Equals(r);
    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Numerator, Denominator);
    /// <inheritdoc/>
    public int CompareTo(Rational other) =>
        Denominator.IsOne && other.Denominator.IsOne ? Numerator.CompareTo(other.Numerator)   // integers: no products to form
        : (Numerator * other.Denominator).CompareTo(other.Numerator * Denominator);
    /// <summary><c>p</c> or <c>p/q</c>.</summary>
    public override string ToString() => IsInteger ? Numerator.ToString(CultureInfo.InvariantCulture) : $"{Numerator}/{Denominator}";
}
