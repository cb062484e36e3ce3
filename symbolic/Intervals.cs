// Interval evaluation: an enclosure of an expression's value at a point, each operation widened outward
// by two ulps (the arithmetic is correctly rounded; the library functions are within one ulp), so the
// true value lies inside. Equivalent uses it to confirm a witness: disjoint enclosures of a and b prove
// that they differ there. Functions it has no enclosure for (comparisons, where, atan2, ...) give null.
namespace Hybrid.Symbolic;

internal readonly record struct Interval(double Low, double High)
{
    public bool IsValid => !double.IsNaN(Low) && !double.IsNaN(High) && Low <= High;

    public static Interval Around(double lo, double hi) =>
        new(Math.BitDecrement(Math.BitDecrement(lo)), Math.BitIncrement(Math.BitIncrement(hi)));

    public static Interval Point(double v) => new(v, v);

    public bool Contains(double v) => Low <= v && v <= High;

    public bool DisjointFrom(Interval other) => High < other.Low || other.High < Low;
}

internal static class Intervals
{
    /// <summary>An enclosure of e's value at the point, or null when some node has no enclosure (or leaves its domain).</summary>
    public static Interval? Evaluate(Expr e, IReadOnlyDictionary<string, double> point)
    {
        var known = new Dictionary<Expr, Interval>(Expr.ByReference);
        foreach (var node in Traversal.PostOrder(e))
        {
            if (Node(node, known, point) is not { IsValid: true } value) return null;
            known[node] = value;
        }
        return known[e];
    }

    private static Interval? Node(Expr node, Dictionary<Expr, Interval> known, IReadOnlyDictionary<string, double> point)
    {
        switch (node)
        {
            case Number n: { double v = n.Value.ToDouble(); return n.Value.Denominator.IsOne && Math.Abs(v) < 1L << 53 ? Interval.Point(v) : Interval.Around(v, v); }
            case FloatNumber f: return double.IsFinite(f.Value) ? Interval.Point(f.Value) : null;
            case Constant c: return Interval.Around(c.Value, c.Value);
            case Symbol s: return point.TryGetValue(s.Name, out var value) ? Interval.Point(value) : null;
            case Sum sum: return sum.Args.Select(t => known[t]).Aggregate((a, b) => Interval.Around(a.Low + b.Low, a.High + b.High));
            case Product product: return product.Args.Select(f => known[f]).Aggregate(Multiply);
            case Power power: return Pow(known[power.Base], power.Exponent, known[power.Exponent]);
            case Call { Args.Count: 1 } call: return Enclose(call.Primitive, known[call.Args[0]]);
            default: return null;
        }
    }

    private static Interval Multiply(Interval a, Interval b)
    {
        double[] p = [a.Low * b.Low, a.Low * b.High, a.High * b.Low, a.High * b.High];
        return Interval.Around(p.Min(), p.Max());
    }

    private static Interval? Pow(Interval b, Expr exponent, Interval e)
    {
        if (exponent is Number { Value: { IsInteger: true } k } && BigIntegerFits(k.Numerator))
        {
            int n = (int)k.Numerator;
            if (n < 0) return Reciprocal(Pow(b, Build.Number(-n), Interval.Point(-n)));
            var result = Interval.Point(1);
            // Even powers of an interval around 0 start at 0: use |b| then.
            var m = n % 2 == 0 && b.Contains(0) ? new Interval(0, Math.Max(-b.Low, b.High)) : b;
            for (int i = 0; i < n; i++) result = Multiply(result, m);
            return n % 2 == 0 && result.Low < 0 ? new Interval(0, result.High) : result;
        }
        // A real power of a base > 0: exp(e log b), monotone in each.
        // A base that may be 0 with a positive exponent: 0 at most up to the enclosure of the rest.
        if (b.Low <= 0 && b.High > 0 && e.Low > 0 && exponent.IsNumber)
            return Pow(new Interval(Math.Max(b.Low, double.Epsilon), b.High), exponent, e) is { } upper ? new Interval(0, upper.High) : null;
        if (b.Low <= 0) return null;   // a base below 0 with a real exponent: not a real number
        return Enclose(Primitives.Log, b) is { } logB ? Enclose(Primitives.Exp, Multiply(e, logB)) : null;
    }

    private static bool BigIntegerFits(System.Numerics.BigInteger k) => System.Numerics.BigInteger.Abs(k) <= 64;

    private static Interval? Reciprocal(Interval? a) =>
        a is { } v && (v.Low > 0 || v.High < 0) ? Interval.Around(1 / v.High, 1 / v.Low) : null;

    // Enclosures of the rows' values over an interval, keyed by the row itself (never by its name): rows
    // absent here give no enclosure, so an expression using them gets no certified interval.
    private static readonly Dictionary<Primitive, Func<Interval, Interval?>> enclosures = new()
    {
        [Primitives.Exp] = a => Interval.Around(Math.Exp(a.Low), Math.Exp(a.High)),
        [Primitives.Log] = a => a.Low > 0 ? Interval.Around(Math.Log(a.Low), Math.Log(a.High)) : null,
        [Primitives.Atan] = a => Interval.Around(Math.Atan(a.Low), Math.Atan(a.High)),
        [Primitives.Asin] = a => a.Low >= -1 && a.High <= 1 ? Interval.Around(Math.Asin(a.Low), Math.Asin(a.High)) : null,
        [Primitives.Acos] = a => a.Low >= -1 && a.High <= 1 ? Interval.Around(Math.Acos(a.High), Math.Acos(a.Low)) : null,
        [Primitives.Sinh] = a => Interval.Around(Math.Sinh(a.Low), Math.Sinh(a.High)),
        [Primitives.Tanh] = a => Interval.Around(Math.Tanh(a.Low), Math.Tanh(a.High)),
        [Primitives.Asinh] = a => Interval.Around(Math.Asinh(a.Low), Math.Asinh(a.High)),
        [Primitives.Cosh] = a => a.Contains(0) ? Interval.Around(1, Math.Max(Math.Cosh(a.Low), Math.Cosh(a.High))) : Interval.Around(Math.Min(Math.Cosh(a.Low), Math.Cosh(a.High)), Math.Max(Math.Cosh(a.Low), Math.Cosh(a.High))),
        [Primitives.Abs] = a => a.Contains(0) ? new Interval(0, Math.Max(-a.Low, a.High)) : new Interval(Math.Min(Math.Abs(a.Low), Math.Abs(a.High)), Math.Max(Math.Abs(a.Low), Math.Abs(a.High))),
        [Primitives.Sin] = a => Periodic(a, Math.Sin, Math.PI / 2),
        [Primitives.Cos] = a => Periodic(a, Math.Cos, 0),
        [Primitives.Tan] = a => Periodic(a, Math.Cos, 0) is { } c && (c.Low > 0 || c.High < 0) ? Interval.Around(Math.Tan(a.Low), Math.Tan(a.High)) : null,
        [Primitives.Cot] = a => Enclose(Primitives.Tan, a) is { } t ? Reciprocal(t) : null,
        [Primitives.Sec] = a => Reciprocal(Enclose(Primitives.Cos, a)),
        [Primitives.Csc] = a => Reciprocal(Enclose(Primitives.Sin, a)),
        [Primitives.Coth] = a => Reciprocal(Enclose(Primitives.Tanh, a)),
        [Primitives.Sech] = a => Reciprocal(Enclose(Primitives.Cosh, a)),
        [Primitives.Csch] = a => Reciprocal(Enclose(Primitives.Sinh, a)),
        [Primitives.Acosh] = a => a.Low >= 1 ? Interval.Around(Math.Acosh(a.Low), Math.Acosh(a.High)) : null,
        [Primitives.Atanh] = a => a.Low > -1 && a.High < 1 ? Interval.Around(Math.Atanh(a.Low), Math.Atanh(a.High)) : null,
        [Primitives.Acot] = a => a.Low > 0 || a.High < 0 ? Interval.Around(Math.Atan(1 / a.High), Math.Atan(1 / a.Low)) : null,
        [Primitives.Sign] = a => a.Low > 0 ? Interval.Point(1) : a.High < 0 ? Interval.Point(-1) : new Interval(-1, 1),
        [Primitives.Relu] = a => new Interval(Math.Max(0, a.Low), Math.Max(0, a.High)),
    };

    private static Interval? Enclose(Primitive row, Interval a) => enclosures.TryGetValue(row, out var f) ? f(a) : null;

    // sin or cos on an interval: the endpoints, widened to ±1 where a maximum (peak + 2kπ) or a minimum
    // (peak + π + 2kπ) lies inside.
    private static Interval? Periodic(Interval a, Func<double, double> f, double peak)
    {
        if (a.High - a.Low >= 2 * Math.PI) return new Interval(-1, 1);
        double lo = Math.Min(f(a.Low), f(a.High)), hi = Math.Max(f(a.Low), f(a.High));
        if (HasPoint(a, peak)) hi = 1;
        if (HasPoint(a, peak + Math.PI)) lo = -1;
        var r = Interval.Around(lo, hi);
        return new Interval(Math.Max(-1, r.Low), Math.Min(1, r.High));
    }

    // Whether peak + 2kπ lies in a (for some integer k), with a margin for rounding of the multiple.
    private static bool HasPoint(Interval a, double peak)
    {
        double k = Math.Ceiling((a.Low - peak) / (2 * Math.PI) - 1e-9);
        return peak + 2 * Math.PI * k <= a.High + 1e-9;
    }
}
