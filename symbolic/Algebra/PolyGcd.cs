// Multivariate gcd over Q by the recursive primitive PRS (Collins, Brown): split off the content in
// a main variable (itself a gcd, one variable fewer), then run Euclid's algorithm on pseudo-remainders,
// taking primitive parts so coefficients stay small. Results are normalized: integer coprime
// coefficients and a positive leading coefficient.
namespace Hybrid.Symbolic;

internal static class PolyGcd
{
    /// <summary>The gcd where it is cheap to find (a monomial, or the heuristic succeeds), else 1: a common divisor either way, for where cancelling is optional.</summary>
    public static Poly QuickGcd(Poly a, Poly b) => Gcd(a, b, exact: false);

    public static Poly Gcd(Poly a, Poly b) => Gcd(a, b, exact: true);

    private static Poly Gcd(Poly a, Poly b, bool exact)
    {
        if (a.IsZero) return b.Primitive();
        if (b.IsZero) return a.Primitive();
        if (a.IsConstant || b.IsConstant) return Poly.Constant(a.Arity, Rational.One);
        if (a.Equals(b)) return a.Primitive();
        if (a.Count == 1 || b.Count == 1) return MonomialGcd(a, b);
        Poly.Check();
        if (Heuristic(a.Primitive(), b.Primitive()) is { } quick) return quick;
        if (!exact) return Poly.Constant(a.Arity, Rational.One);
        // A shared variable to work in: the one of least degree keeps the remainder sequence short.
        int main = -1;
        for (int v = 0; v < a.Arity; v++)
        {
            if (!a.Contains(v) && !b.Contains(v)) continue;
            if (!a.Contains(v)) return Gcd(a, ContentIn(b, v));
            if (!b.Contains(v)) return Gcd(ContentIn(a, v), b);
            if (main < 0 || Math.Max(a.Degree(v), b.Degree(v)) < Math.Max(a.Degree(main), b.Degree(main))) main = v;
        }
        var (ca, cb) = (ContentIn(a, main), ContentIn(b, main));
        var g = PrimitiveRemainderSequence(a.ExactDivide(ca), b.ExactDivide(cb), main);
        return (Gcd(ca, cb) * g).Primitive();
    }

    // With a monomial on one side the gcd is the monomial of the least exponents (monomial
    // denominators, the commonest, never reach the remainder sequence).
    private static Poly MonomialGcd(Poly a, Poly b)
    {
        var least = (int[])a.Leading.Exponents.Clone();
        foreach (var p in new[] { a, b })
            foreach (var t in p.Terms)
                for (int v = 0; v < least.Length; v++) least[v] = Math.Min(least[v], t.Exponents[v]);
        return Poly.FromTerms(a.Arity, [new Poly.Term(least, Rational.One)]);
    }

    // ---- the heuristic gcd (GCDHEU): evaluate, take an integer gcd, interpolate, check by division ----

    // The largest evaluation tried: three variables of degree 20 need about 330 000 bits, and integer
    // arithmetic at that size takes milliseconds. The numbers may pass Limits.MaxBits (Rational.Unbounded):
    // this cap bounds them instead, and the result is checked by exact division.
    private const int HeuristicBits = 1 << 20;

    /// <summary>The gcd of two primitive integer polynomials, or null when the heuristic gives up.</summary>
    private static Poly? Heuristic(Poly a, Poly b)
    {
        try { return Rational.Unbounded(() => HeuristicIn(a, b)?.Primitive()); }
        catch (LimitExceededException e) when (e.Limit == nameof(Limits.MaxBits)) { return null; }
    }

    // The exact gcd over Z of two integer polynomials, integer content included, or null. The result of
    // each level must be exact for the check by division to prove the level above (Char, Geddes, Gonnet).
    private static Poly? HeuristicIn(Poly a, Poly b)
    {
        if (a.IsZero || b.IsZero) return null;
        System.Numerics.BigInteger content = 0;
        foreach (var t in a.Terms) content = System.Numerics.BigInteger.GreatestCommonDivisor(content, t.Coefficient.Numerator);
        foreach (var t in b.Terms) content = System.Numerics.BigInteger.GreatestCommonDivisor(content, t.Coefficient.Numerator);
        if (a.IsConstant || b.IsConstant) return Poly.Constant(a.Arity, content);
        (a, b) = (new Rational(1, content) * a, new Rational(1, content) * b);
        int v = Enumerable.Range(0, a.Arity).Last(i => a.Contains(i) || b.Contains(i));
        // Liao and Fateman's evaluation point: more than twice the smaller coefficient bound.
        var xi = 2 * System.Numerics.BigInteger.Min(MaxNorm(a), MaxNorm(b)) + 29;
        int degree = Math.Max(a.Degree(v), b.Degree(v));
        for (int attempt = 0; attempt < 6; attempt++)
        {
            Poly.Check();
            if ((double)xi.GetBitLength() * degree > HeuristicBits) return null;
            var (ea, eb) = (a.Evaluate(v, xi), b.Evaluate(v, xi));
            if (!ea.IsZero && !eb.IsZero)
            {
                // A level below that gives up makes this one give up too (as SymPy does): retrying every
                // level with new points would cost 6^(variables) evaluations.
                if (HeuristicIn(ea, eb) is not { } h) return null;
                var candidate = Interpolate(h, xi, v).Primitive();
                if (!candidate.IsZero && a.TryDivide(candidate) is not null && b.TryDivide(candidate) is not null) return (Rational)content * candidate;
            }
            xi = xi * 73794 / 27011;
        }
        return null;
    }

    private static System.Numerics.BigInteger Integer(Rational r) => System.Numerics.BigInteger.Abs(r.Numerator);

    private static System.Numerics.BigInteger MaxNorm(Poly p)
    {
        System.Numerics.BigInteger max = 0;
        foreach (var t in p.Terms) max = System.Numerics.BigInteger.Max(max, Integer(t.Coefficient));
        return max;
    }

    // The polynomial whose value at variable = xi is h, digit by digit in the symmetric base xi.
    private static Poly Interpolate(Poly h, System.Numerics.BigInteger xi, int variable)
    {
        var result = Poly.Zero(h.Arity);
        for (int k = 0; !h.IsZero; k++)
        {
            Poly.Check();
            var digit = h.MapCoefficients(c => Symmetric(c.Numerator, xi));
            result += digit.ShiftBy(variable, k);
            h = new Rational(1, xi) * (h - digit);
        }
        return result;
    }

    private static System.Numerics.BigInteger Symmetric(System.Numerics.BigInteger c, System.Numerics.BigInteger m)
    {
        c = (c % m + m) % m;
        return c > m / 2 ? c - m : c;
    }

    public static Poly Lcm(Poly a, Poly b) =>
        a.IsZero || b.IsZero ? Poly.Zero(a.Arity) : (a * b.ExactDivide(Gcd(a, b))).Primitive();

    /// <summary>The gcd of the coefficients of the powers of <paramref name="variable"/>: a polynomial free of it.</summary>
    public static Poly ContentIn(Poly p, int variable)
    {
        Poly? content = null;
        foreach (var coefficient in p.CoefficientsIn(variable).Values)
        {
            content = content is null ? coefficient.Primitive() : Gcd(content, coefficient);
            if (content.IsConstant) break;
        }
        return content ?? Poly.Zero(p.Arity);
    }

    /// <summary>p divided by its content in <paramref name="variable"/>, with integer coprime coefficients.</summary>
    public static Poly PrimitivePartIn(Poly p, int variable) => p.IsZero ? p : p.ExactDivide(ContentIn(p, variable)).Primitive();

    private static Poly PrimitiveRemainderSequence(Poly a, Poly b, int variable)
    {
        if (a.Degree(variable) < b.Degree(variable)) (a, b) = (b, a);
        (a, b) = (a.Primitive(), b.Primitive());
        while (true)
        {
            var r = PseudoRemainder(a, b, variable);
            if (r.IsZero) return b;
            if (r.Degree(variable) == 0) return Poly.Constant(a.Arity, Rational.One);
            (a, b) = (b, PrimitivePartIn(r, variable));
        }
    }

    /// <summary>lc(b)^k * a reduced by b in <paramref name="variable"/>, degree below b's.</summary>
    public static Poly PseudoRemainder(Poly a, Poly b, int variable)
    {
        int degreeB = b.Degree(variable);
        var leadB = b.LeadingCoefficientIn(variable);
        var r = a;
        while (!r.IsZero && r.Degree(variable) >= degreeB)
        {
            Poly.Check();
            r = leadB * r - r.LeadingCoefficientIn(variable) * b.ShiftBy(variable, r.Degree(variable) - degreeB);
        }
        return r;
    }

    /// <summary>
    /// Yun's square-free decomposition: p = c * f1 * f2^2 * f3^3 ..., each fi square-free and the fi
    /// pairwise coprime. Returns the numeric content c and the non-constant (fi, i).
    /// </summary>
    public static (Rational Content, List<(Poly Factor, int Multiplicity)> Factors) SquareFree(Poly p)
    {
        var factors = new List<(Poly, int)>();
        var content = p.NumericContent();
        if (!p.IsZero) SquareFreeInto(p.Primitive(), factors);
        return (content, factors);
    }

    private static void SquareFreeInto(Poly p, List<(Poly, int)> factors)
    {
        if (p.IsConstant) return;
        int v = Enumerable.Range(0, p.Arity).First(p.Contains);
        var content = ContentIn(p, v);
        SquareFreeInto(content, factors);
        var f = p.ExactDivide(content).Primitive();
        var derivative = f.Derivative(v);
        var b = Gcd(f, derivative);
        var c = f.ExactDivide(b);
        var d = derivative.ExactDivide(b) - c.Derivative(v);
        for (int i = 1; !c.IsConstant; i++)
        {
            Poly.Check();
            var a = Gcd(c, d);
            if (!a.IsConstant) factors.Add((a, i));
            c = c.ExactDivide(a);
            d = d.ExactDivide(a) - c.Derivative(v);
        }
    }
}
