// The rational transforms of the public API, each one pass through RationalForm: Together, Cancel,
// Factor, Numerator/Denominator, Apart, Collect, and gcd, lcm and division of polynomials.
namespace Hybrid.Symbolic;

internal static class RationalTransforms
{
    // The fraction of one expression; an expression with a float has none and comes back as it is.
    private static Expr Transform(Expr e, Deadline deadline, Func<RationalForm, (Poly N, Poly D), Expr> shape) =>
        Poly.Within(deadline, () => RationalForm.TryCreate([e]) is ({ } form, [var fraction]) ? shape(form, fraction) : e);

    // ---- together: structural, as SymPy's (nothing expanded, nothing cancelled but equal factors) ----

    /// <summary>
    /// Every sum of fractions (outside function arguments) over its least common denominator: the
    /// denominators' factors are compared as expressions and each kept to its highest power.
    /// </summary>
    public static Expr Together(Expr e, Deadline deadline) =>
        Traversal.Rewrite(e, (node, children) => node switch
        {
            Call => node,   // arguments stay as they are (SymPy's deep=False)
            Sum => Combine(children, deadline),
            _ => Traversal.WithChildren(node, children),
        }, deadline);

    private static Expr Combine(Expr[] terms, Deadline deadline)
    {
        var parts = terms.SelectMany(t => t is Sum s ? s.Args : [t]).Select(t => Split(t)).ToList();
        if (parts.All(p => p.Denominator.Count == 0 && p.Coefficient.IsInteger)) return Build.Add(terms);
        // The least common denominator: each base to its highest power, and the lcm of the numeric denominators.
        var common = new SmallMap<Rational>();
        System.Numerics.BigInteger numeric = 1;
        foreach (var (_, _, denominator) in parts)
            for (int i = 0; i < denominator.Count; i++)
            {
                int at = common.IndexOf(denominator.KeyAt(i));
                if (at < 0) common.Add(denominator.KeyAt(i), denominator.ValueAt(i));
                else if (denominator.ValueAt(i).CompareTo(common.ValueAt(at)) > 0) common.SetAt(at, denominator.ValueAt(i));
            }
        foreach (var part in parts) numeric = numeric / System.Numerics.BigInteger.GreatestCommonDivisor(numeric, part.Coefficient.Denominator) * part.Coefficient.Denominator;
        var numerators = new List<Expr>(parts.Count);
        foreach (var (coefficient, numerator, denominator) in parts)
        {
            deadline.Check();
            var factors = new List<Expr> { Build.Number(coefficient * numeric) };
            factors.AddRange(numerator);
            for (int i = 0; i < common.Count; i++)
            {
                int at = denominator.IndexOf(common.KeyAt(i));
                var missing = common.ValueAt(i) - (at < 0 ? Rational.Zero : denominator.ValueAt(at));
                factors.Add(Build.Pow(common.KeyAt(i), Build.Number(missing)));
            }
            numerators.Add(Build.Multiply(factors));
        }
        var below = Enumerable.Range(0, common.Count).Select(i => Build.Pow(common.KeyAt(i), Build.Number(-common.ValueAt(i))));
        return Build.Multiply([Build.Add(numerators), Build.Number(new Rational(1, numeric)), .. below]);
    }

    // A term as coefficient * Π numerator / Π base^exponent (exponents positive, bases compared as expressions).
    private static (Rational Coefficient, List<Expr> Numerator, SmallMap<Rational> Denominator) Split(Expr term)
    {
        var coefficient = Rational.One;
        var numerator = new List<Expr>();
        var denominator = new SmallMap<Rational>();
        foreach (var factor in term is Product p ? p.Args : [term])
        {
            if (factor is Symbolic.Number n) coefficient *= n.Value;
            else if (factor is Power { Exponent: Symbolic.Number { Value.Sign: < 0 } e } power) denominator.Add(power.Base, -e.Value);
            else numerator.Add(factor);
        }
        return (coefficient, numerator, denominator);
    }


    public static Expr Cancel(Expr e, Deadline deadline) => Transform(e, deadline, (form, f) => form.Expanded(f));

    public static Expr Factor(Expr e, Deadline deadline) => Transform(e, deadline, (form, f) => form.Factored(f, irreducible: true));

    /// <summary>The numerator and denominator of <see cref="Together"/>: the factors with negative exponents go below.</summary>
    public static (Expr Numerator, Expr Denominator) Fraction(Expr e, Deadline deadline)
    {
        var (coefficient, numerator, denominator) = Split(Together(e, deadline));
        var below = Enumerable.Range(0, denominator.Count).Select(i => Build.Pow(denominator.KeyAt(i), Build.Number(denominator.ValueAt(i))));
        return (Build.Multiply([Build.Number(coefficient.Numerator), .. numerator]), Build.Multiply([Build.Number(coefficient.Denominator), .. below]));
    }

    // ---- polynomials ----

    private static (RationalForm Form, Poly A, Poly B) Polynomials(Expr a, Expr b, string operation)
    {
        if (RationalForm.TryCreate([a, b]) is not ({ } form, [var fa, var fb]))
            throw new ArgumentException($"{operation} needs exact polynomials; a float has no exact polynomial form.");
        foreach (var (f, e) in new[] { (fa, a), (fb, b) })
            if (!f.D.IsConstant || f.D.IsZero)
                throw new ArgumentException($"{operation} needs polynomials; {Describe(e)} has the denominator {form.ToExpr(f.D)}.");
        return (form, (Rational.One / fa.D.ConstantValue) * fa.N, (Rational.One / fb.D.ConstantValue) * fb.N);
    }

    private static string Describe(Expr e) => e.DagSize() <= 50 ? $"'{e}'" : "the expression";

    public static Expr Gcd(Expr a, Expr b, Deadline deadline) => Poly.Within(deadline, () =>
    {
        var (form, pa, pb) = Polynomials(a, b, "Gcd");
        return form.ToExpr(PolyGcd.Gcd(pa, pb));
    });

    public static Expr Lcm(Expr a, Expr b, Deadline deadline) => Poly.Within(deadline, () =>
    {
        var (form, pa, pb) = Polynomials(a, b, "Lcm");
        return form.ToExpr(PolyGcd.Lcm(pa, pb));
    });

    public static (Expr Quotient, Expr Remainder) Divide(Expr a, Expr b, Deadline deadline) => Poly.Within(deadline, () =>
    {
        var (form, pa, pb) = Polynomials(a, b, "Divide");
        if (pb.IsZero) throw new DivideByZeroException("Divide: the divisor is the zero polynomial.");
        var (q, r) = pa.DivRem(pb);
        return (form.ToExpr(q), form.ToExpr(r));
    });

    // ---- partial fractions ----

    public static Expr Apart(Expr e, Symbol x, Deadline deadline) => Poly.Within(deadline, () =>
    {
        if (RationalForm.TryCreate([e]) is not ({ } form, [var f])) throw new ArgumentException("Apart needs an exact rational function; the expression holds a float.");
        int v = form.VariableOf(x)
            ?? (form.Arity == 0 ? -1 : throw new ArgumentException($"Apart in {x} needs a rational function of {x}; {Describe(e)} is not one in that variable ({string.Join(", ", form.Generators)})."));
        if (v < 0 || f.D.IsConstant) return form.Expanded(f);
        if (form.Arity != 1)
            throw new ArgumentException($"Apart works on rational functions of one variable over Q; {Describe(e)} also has {string.Join(", ", form.Generators.Where(g => !g.Equals(x)))}.");
        var (polynomialPart, remainder) = f.N.DivRem(f.D);
        var terms = new List<Expr> { form.ToExpr(polynomialPart) };
        var (content, factors) = PolyFactor.Factor(f.D, irreducible: true);
        var numerator = (Rational.One / content) * remainder;   // remainder/D = numerator / Π factor^m
        var whole = Poly.Constant(1, Rational.One);
        foreach (var (factor, m) in factors) whole *= factor.Pow(m);
        foreach (var (factor, m) in factors)
        {
            // numerator / whole = A/factor^m + B/rest with A = numerator * rest^-1 mod factor^m.
            var power = factor.Pow(m);
            var rest = whole.ExactDivide(power);
            var a = Modulo(numerator * InverseModulo(rest, power), power);
            // A in base factor: A = Σ a_i factor^i, so A/factor^m = Σ a_i / factor^(m - i).
            for (int i = 0; !a.IsZero; i++)
            {
                var (q, digit) = a.DivRem(factor);
                if (!digit.IsZero) terms.Add(Build.Multiply(form.ToExpr(digit), Build.Pow(form.ToExpr(factor), Build.Number(i - m))));
                a = q;
            }
        }
        return Build.Add(terms);
    });

    private static Poly Modulo(Poly a, Poly m) => a.DivRem(m).Remainder;

    // s with s*a = 1 modulo m (a and m coprime univariate polynomials), by the extended Euclidean algorithm.
    private static Poly InverseModulo(Poly a, Poly m)
    {
        var (r0, r1) = (m, Modulo(a, m));
        var (s0, s1) = (Poly.Zero(1), Poly.Constant(1, Rational.One));
        while (!r1.IsZero)
        {
            Poly.Check();
            var (q, r) = r0.DivRem(r1);
            (r0, r1) = (r1, r);
            (s0, s1) = (s1, s0 - q * s1);
        }
        return (Rational.One / r0.ConstantValue) * s0;   // r0 is a non-zero constant: the gcd
    }

    // ---- collecting ----

    /// <summary>The terms of the sum grouped as Σ c_k x^k (as SymPy's collect, without expanding first).</summary>
    public static Expr Collect(Expr e, Expr x, Deadline deadline)
    {
        var powers = new SmallMap<List<Expr>>();   // k -> the coefficients of x^k
        foreach (var term in e is Sum s ? s.Args : [e])
        {
            deadline.Check();
            var (power, coefficient) = Split(term, x);
            int at = powers.IndexOf(power);
            if (at < 0) powers.Add(power, [coefficient]);
            else powers.ValueAt(at).Add(coefficient);
        }
        return Build.Add(Enumerable.Range(0, powers.Count).Select(i => Build.Multiply(Build.Add(powers.ValueAt(i)), Build.Pow(x, powers.KeyAt(i)))));
    }

    // A term as (k, c) with term = c * x^k, k a number (0 when x does not appear as a factor).
    private static (Expr Power, Expr Coefficient) Split(Expr term, Expr x)
    {
        var factors = term is Product p ? p.Args : [term];
        for (int i = 0; i < factors.Count; i++)
        {
            var k = factors[i].Equals(x) ? Build.One : factors[i] is Power { Exponent.IsNumber: true } pw && pw.Base.Equals(x) ? pw.Exponent : null;
            if (k is null) continue;
            return (k, Build.Multiply(factors.Where((_, j) => j != i)));
        }
        return (Build.Zero, term);
    }
}
