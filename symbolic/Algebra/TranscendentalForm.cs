// The transcendental normal form: every circular function written with sin and cos of a canonical
// angle, every hyperbolic function with exp, abs through sign, products of radicals as one radical, so
// that RationalForm (with the relation cos(v)^2 = 1 - sin(v)^2) decides identities between them. Each
// rewrite holds wherever what it replaces is defined:
//   tan = sin/cos, cot = cos/sin, sec = 1/cos, csc = 1/sin       (undefined where the divisor is 0, as before)
//   sin(-v) = -sin(v), cos(-v) = cos(v)                          (the angle is the smaller of v, -v)
//   sin(v + n*pi/2), cos(v + n*pi/2) by the quarter-turn table    (n an integer)
//   sin(k*v), cos(k*v) for an integer 2 <= |k| <= 8 by (cos v + i sin v)^k
//   sinh = (e^v - e^-v)/2, cosh = (e^v + e^-v)/2, tanh = (e^2v - 1)/(e^2v + 1), and their reciprocals
//   abs(u) = sign(u)*u                                            (everywhere)
//   log(a*b) = log(a) + log(b), log(u^p) = p log(u)               (factors positive by Signs; or p not an integer)
//   a^(p/q) b^(r/q) = (a^p b^r)^(1/q)                             (where a^(1/q) and b^(1/q) are defined:
//                                                                  a, b >= 0 for even q; not the other way)
namespace Hybrid.Symbolic;

internal static class TranscendentalForm
{
    private const int MaxMultiple = 8;

    /// <summary>The rewrite; radicals are merged only with <paramref name="mergeRadicals"/>, as it can also hide a match.</summary>
    public static Expr Rewrite(Expr root, bool mergeRadicals, Deadline deadline) =>
        Traversal.Rewrite(root, (node, children) => Traversal.WithChildren(node, children) switch
        {
            Call call => Function(call),
            Product product when mergeRadicals => MergeRadicals(product),
            var other => other,
        }, deadline);

    // The factors base^(p/q) of one product with the same q > 1 (and a base that is not a number) as one radical.
    private static Expr MergeRadicals(Product product)
    {
        var groups = product.Args.Select((f, i) => (f, i))
            .Where(t => t.f is Power { Exponent: Number { Value.IsInteger: false }, Base.IsNumber: false })
            .GroupBy(t => ((Number)((Power)t.f).Exponent).Value.Denominator)
            .Where(g => g.Count() > 1).ToList();
        if (groups.Count == 0) return product;
        var factors = product.Args.ToList();
        var merged = new List<Expr>();
        var used = new HashSet<int>();
        foreach (var group in groups)
        {
            var q = group.Key;
            var radicand = Build.Multiply(group.Select(t => Build.Pow(((Power)t.f).Base, Build.Number(((Number)((Power)t.f).Exponent).Value * q))));
            merged.Add(Build.Pow(radicand, Build.Number(new Rational(1, q))));
            foreach (var (_, i) in group) used.Add(i);
        }
        return Build.Multiply(factors.Where((_, i) => !used.Contains(i)).Concat(merged));
    }

    private static Expr Function(Call call)
    {
        if (call.Args.Count != 1) return call;
        var u = call.Args[0];
        if (call.Of(Primitives.Sin)) return Sin(u);
        if (call.Of(Primitives.Cos)) return Cos(u);
        if (call.OfAny(circularQuotients)) return Quotient(call.Primitive, Sin(u), Cos(u), hyperbolic: false)!;
        if (call.OfAny(hyperbolicFunctions)) return Hyperbolic(call);
        if (call.Of(Primitives.Abs) && !u.IsNumber) return Build.Multiply(Primitives.Sign.Apply(u), u);
        if (call.Of(Primitives.Log) && SplitLog(u) is { } split) return split;
        return call;
    }

    // In the order Quotient and Hyperbolic number them.
    private static readonly Primitive[] circularQuotients = [Primitives.Tan, Primitives.Cot, Primitives.Sec, Primitives.Csc];
    private static readonly Primitive[] hyperbolicFunctions = [Primitives.Tanh, Primitives.Coth, Primitives.Sech, Primitives.Csch, Primitives.Sinh, Primitives.Cosh];

    /// <summary>
    /// tan = s/c, cot = c/s, sec = 1/c, csc = 1/s for the sine s and cosine c given (tanh, coth, sech and
    /// csch with sinh and cosh when <paramref name="hyperbolic"/>); null for any other function.
    /// </summary>
    public static Expr? Quotient(Primitive function, Expr sine, Expr cosine, bool hyperbolic) =>
        Array.IndexOf(hyperbolic ? hyperbolicFunctions : circularQuotients, function) switch
        {
            0 => Ratio(sine, cosine),
            1 => Ratio(cosine, sine),
            2 => Ratio(Build.One, cosine),
            3 => Ratio(Build.One, sine),
            _ => null,
        };

    /// <summary>
    /// log(u) split where that is sound: log(a*b) = log(a) + log(b) when every factor is positive (by
    /// <see cref="Signs"/>), log(v^p) = p*log(v) when v is positive or p is not an integer (v^p then
    /// needs v >= 0, and log needs v^p > 0); null otherwise.
    /// </summary>
    public static Expr? SplitLog(Expr u) => u switch
    {
        Product product when product.Args.All(f => Signs.Of(f).IsPositive) => Build.Add(product.Args.Select(f => Primitives.Log.Apply(f))),
        Power { Exponent: Number { Value: var p } } power when !p.IsInteger || Signs.Of(power.Base).IsPositive
            => Build.Multiply(Build.Number(p), Primitives.Log.Apply(power.Base)),
        _ => null,
    };

    /// <summary>A hyperbolic function of one argument through exp (the call itself for any other function).</summary>
    public static Expr Hyperbolic(Call call)
    {
        var u = call.Args[0];
        return Array.IndexOf(hyperbolicFunctions, call.Primitive) switch
        {
            0 => Ratio(Build.Add(Exp(Double(u)), Build.MinusOne), Build.Add(Exp(Double(u)), Build.One)),
            1 => Ratio(Build.Add(Exp(Double(u)), Build.One), Build.Add(Exp(Double(u)), Build.MinusOne)),
            2 => Ratio(Build.Number(2), Build.Add(Exp(u), Exp(Negate(u)))),
            3 => Ratio(Build.Number(2), Build.Add(Exp(u), Build.Multiply(Build.MinusOne, Exp(Negate(u))))),
            4 => Build.Multiply(Build.Half, Build.Add(Exp(u), Build.Multiply(Build.MinusOne, Exp(Negate(u))))),
            5 => Build.Multiply(Build.Half, Build.Add(Exp(u), Exp(Negate(u)))),
            _ => call,
        };
    }

    private static Expr Exp(Expr u) => Primitives.Exp.Apply(u);
    private static Expr Negate(Expr u) => Build.Multiply(Build.MinusOne, u);
    private static Expr Double(Expr u) => Build.Multiply(Build.Number(2), u);
    private static Expr Ratio(Expr a, Expr b) => Build.Multiply(a, Build.Pow(b, Build.MinusOne));

    public static Expr Sin(Expr u) => Circular(u, sine: true);
    public static Expr Cos(Expr u) => Circular(u, sine: false);

    // sin or cos of u in the normal form: quarter turns taken out, then the sign, then a multiple.
    private static Expr Circular(Expr u, bool sine)
    {
        var (turns, v) = QuarterTurns(Normal(u));
        // sin(v + n pi/2) = sin v, cos v, -sin v, -cos v; cos(v + n pi/2) = cos v, -sin v, -cos v, sin v.
        int n = ((turns % 4) + 4) % 4;
        bool useSine = sine ? n % 2 == 0 : n % 2 == 1;
        bool negative = sine ? n >= 2 : n is 1 or 2;
        var (angle, flipped) = Parity(v);
        if (useSine && flipped) negative = !negative;   // sin(-v) = -sin(v); cos is even
        var value = Multiple(angle, useSine);
        return negative ? Negate(value) : value;
    }

    // u = n*pi/2 + v with n an integer (0 when u has no such term).
    private static (int Turns, Expr Angle) QuarterTurns(Expr u)
    {
        foreach (var term in u is Sum s ? s.Args : [u])
        {
            var (c, rest) = Build.SplitCoefficient(term);
            if (rest is not Constant { Name: "pi" } || c is not Number { Value: var k }) continue;
            var half = k * 2;
            if (!half.IsInteger || System.Numerics.BigInteger.Abs(half.Numerator) > 1_000_000) return (0, u);
            return ((int)(half.Numerator % 4), Build.Add(u, Build.Multiply(Build.Number(-k), Expr.Pi)));
        }
        return (0, u);
    }

    // Of v and -v the one whose first term (in canonical order, numbers aside) has a positive
    // coefficient — exactly one of them does — and whether it is -v.
    public static (Expr Angle, bool Flipped) Parity(Expr v)
    {
        var first = v is Sum s ? s.Args.FirstOrDefault(t => !t.IsNumber) ?? v : v;
        return Build.SplitCoefficient(first).Coefficient is Number { Value.Sign: < 0 } or FloatNumber { Value: < 0 } ? (Negate(v), true) : (v, false);
    }

    // sin(k w) or cos(k w) for an integer k = 2..8 from (cos w + i sin w)^k; otherwise the call itself.
    public static Expr Multiple(Expr angle, bool sine)
    {
        var (c, w) = Build.SplitCoefficient(angle);
        if (c is not Number { Value: { IsInteger: true } k } || k.Numerator < 2 || k.Numerator > MaxMultiple || w.IsNumber)
            return (sine ? Primitives.Sin : Primitives.Cos).Apply(angle);
        int n = (int)k.Numerator;
        var (s, co) = (Primitives.Sin.Apply(w), Primitives.Cos.Apply(w));
        var terms = new List<Expr>();
        for (int j = sine ? 1 : 0; j <= n; j += 2)
        {
            // The real (j even) or imaginary (j odd) part: C(n, j) i^j cos^(n-j) sin^j.
            var sign = (j / 2) % 2 == 0 ? 1 : -1;
            terms.Add(Build.Multiply([Build.Number(sign * Binomial(n, j)), Build.Pow(co, Build.Number(n - j)), Build.Pow(s, Build.Number(j))]));
        }
        return Build.Add(terms);
    }

    private static long Binomial(int n, int k)
    {
        long result = 1;
        for (int i = 1; i <= k; i++) result = result * (n - k + i) / i;
        return result;
    }

    // An angle in rational normal form (expanded over its generators), so equal angles are equal
    // expressions and their signs compare.
    private static Expr Normal(Expr u) =>
        RationalForm.TryCreate([u]) is ({ } form, [var fraction]) ? form.Expanded(fraction) : u;
}
