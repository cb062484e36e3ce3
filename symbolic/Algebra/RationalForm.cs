// An expression as a quotient of two polynomials over Q in "generators": every subterm that is not
// rational arithmetic (a symbol, pi, sin(c + d*x), exp(x), sqrt(1 - x), a^x) becomes a variable.
// Known relations between generators are built into the choice of variables, so that equal values
// get equal forms:
//   exp(a + b) = exp(a) exp(b), exp(k u) = exp(u)^k, exp(-u) = 1/exp(u)  (also b^(a + b), any base b)
//   x^(p/q) = g^p with g = x^(1/q), and x itself = g^q   (one generator per base, q the lcm of its roots)
//   B^(p/q) for a compound base B: g = B^(1/q) with the relation g^q = B, applied to every power
//   of g past q, and a monomial denominator in g rationalized (1/sqrt(B) = sqrt(B)/B)
// Each relation holds wherever the input is defined (b^(u+v) = b^u b^v where b^u, b^v are defined; x
// = (x^(1/q))^q for x >= 0, which is where x^(1/q) is defined). Arguments of functions are brought to
// their own normal form before generators are compared, so sin(x*(x+1)) and sin(x + x^2) are one
// generator. Floats have no exact form: an expression with one is not converted (TryCreate gives null).
namespace Hybrid.Symbolic;

/// <summary>Which square the Pythagorean relation removes in a trigonometric rational form.</summary>
internal enum TrigReduction
{
    /// <summary>No relation: sin and cos are independent generators.</summary>
    None,
    /// <summary>cos(v)^2 = 1 - sin(v)^2: the form is at most linear in each cos.</summary>
    Sine,
    /// <summary>sin(v)^2 = 1 - cos(v)^2: the form is at most linear in each sin.</summary>
    Cosine,
}

internal sealed class RationalForm
{
    private enum Kind { Atom, Radical, Exponential }

    // Atom: Base is the atom (its normalized key); Radical: Base is the radicand; Exponential: Base^Exponent.
    private readonly record struct Key(Kind Kind, Expr Base, Expr? Exponent);

    private sealed class Generator(Key key, Expr sample)
    {
        public Key Key { get; } = key;
        public Expr Sample { get; } = sample;   // the first node seen for an atom, shown in results
        public int Root { get; set; } = 1;      // this generator is Base^(1/Root) (Exponential: Base^(Exponent/Root))
        public int Index { get; set; }
        public Poly? Relation { get; set; }     // g^RelationPower equals this polynomial: a radical's radicand, or 1 - sin^2 for cos
        public int RelationPower { get; set; }
    }

    private readonly Dictionary<Key, Generator> generators = [];
    private readonly List<Generator> ordered = [];
    private readonly Dictionary<Expr, Expr> atomKeys;   // call -> its key (arguments in normal form), shared by nested forms
    private readonly Dictionary<Expr, (Poly N, Poly D)> fractions = new(Expr.ByReference);
    private int arity;

    private RationalForm(Dictionary<Expr, Expr> atomKeys) => this.atomKeys = atomKeys;

    /// <summary>The number of generators (polynomial variables).</summary>
    public int Arity => arity;

    private sealed class NotRationalException() : Exception("The expression holds a float.");

    /// <summary>
    /// The numerator and denominator of each root over one shared set of generators, or null when a
    /// root holds a float. <paramref name="deep"/> brings function arguments to normal form first.
    /// </summary>
    /// <remarks>
    /// <paramref name="quick"/> cancels only the common factors that are cheap to find (see
    /// <see cref="PolyGcd.QuickGcd"/>): for Simplify's local rules, which run at every node.
    /// With <paramref name="trig"/> (for forms made by <see cref="TranscendentalForm.Rewrite"/>), sin(v) and cos(v)
    /// are generators together, with the Pythagorean relation: <see cref="TrigReduction.Sine"/> writes
    /// cos(v)^2 as 1 - sin(v)^2, <see cref="TrigReduction.Cosine"/> sin(v)^2 as 1 - cos(v)^2. A
    /// polynomial is zero on the circle exactly when its remainder by sin^2 + cos^2 - 1 (irreducible) is.
    /// </remarks>
    public static (RationalForm Form, (Poly N, Poly D)[] Fractions)? TryCreate(IReadOnlyList<Expr> roots, bool deep = true, bool quick = false, TrigReduction trig = TrigReduction.None) =>
        TryCreate(roots, deep ? new Dictionary<Expr, Expr>(Expr.ByReference) : null, quick, trig);

    private static (RationalForm, (Poly, Poly)[])? TryCreate(IReadOnlyList<Expr> roots, Dictionary<Expr, Expr>? atomKeys, bool quick, TrigReduction trig = TrigReduction.None)
    {
        var form = new RationalForm(atomKeys ?? new Dictionary<Expr, Expr>(Expr.ByReference)) { deep = atomKeys is not null, quick = quick, trig = trig };
        try
        {
            foreach (var node in Traversal.PostOrder(roots.ToList())) form.Register(node);
            form.NumberGenerators();
            return (form, roots.Select(r => form.Reduce(form.Fraction(r))).ToArray());
        }
        catch (NotRationalException) { return null; }
    }

    private bool deep, quick;
    private TrigReduction trig;

    private Poly Gcd(Poly a, Poly b) => quick ? PolyGcd.QuickGcd(a, b) : PolyGcd.Gcd(a, b);

    // ---- pass 1: find the generators and the roots taken of each ----

    private void Register(Expr node)
    {
        Poly.Check();
        switch (node)
        {
            case FloatNumber: throw new NotRationalException();
            case Symbol or Symbolic.Constant: Find(new Key(Kind.Atom, node, null), node); break;
            case Call exp when exp.Of(Primitives.Exp): RegisterExponential(Expr.E, exp.Args[0]); break;
            case Call { Args: [Symbolic.Number] } log when log.Of(Primitives.Log):
                foreach (var (prime, _) in PrimePowers(log.Args[0])) Find(new Key(Kind.Atom, LogOf(prime), null), LogOf(prime));
                break;
            case Call circular when circular.OfAny(Primitives.Sin, Primitives.Cos) && trig != TrigReduction.None:
                foreach (var f in new[] { Primitives.Sin, Primitives.Cos })
                {
                    var partner = Build.Call(f, [circular.Args[0]]);
                    Find(new Key(Kind.Atom, AtomKey((Call)partner), null), partner);
                }
                break;
            case Call call: Find(new Key(Kind.Atom, AtomKey(call), null), call); break;
            case Power { Exponent: Symbolic.Number { Value: var n } } power when !n.IsInteger: RegisterRoot(power.Base, n); break;
            case Power { Exponent: not Symbolic.Number } power: RegisterExponential(power.Base, power.Exponent); break;
        }
    }

    private void RegisterRoot(Expr @base, Rational exponent)
    {
        if (IsAtom(@base))
        {
            var atom = Find(RootKey(@base), @base);
            atom.Root = Lcm(atom.Root, exponent.Denominator);
            return;
        }
        var (radicand, content) = Radicand(@base);
        foreach (var node in Traversal.PostOrder(radicand)) Register(node);   // the normal form may hold new nodes
        var generator = Find(new Key(Kind.Radical, radicand, null), radicand);
        generator.Root = Lcm(generator.Root, exponent.Denominator);
        if (!content.IsOne) foreach (var node in Traversal.PostOrder(ContentPower(content, exponent))) Register(node);
    }

    private void RegisterExponential(Expr @base, Expr exponent)
    {
        if (@base is Symbolic.Constant) Find(new Key(Kind.Atom, @base, null), @base);
        foreach (var term in ExponentTerms(exponent))
        {
            var (c, rest) = Build.SplitCoefficient(term);
            if (term is FloatNumber || c is FloatNumber) throw new NotRationalException();
            if (term is Symbolic.Number n) { if (!n.Value.IsInteger) RegisterRoot(@base, n.Value); continue; }
            foreach (var (prime, k) in PrimePowers(@base))
            {
                var generator = Find(new Key(Kind.Exponential, prime, rest), prime);
                generator.Root = Lcm(generator.Root, (((Symbolic.Number)c).Value * k).Denominator);
            }
        }
    }

    private static bool IsAtom(Expr e) => e is Symbol or Symbolic.Constant || e is Call c && !c.Of(Primitives.Exp);

    private Key RootKey(Expr @base) => IsAtom(@base)
        ? new Key(Kind.Atom, @base is Call call ? AtomKey(call) : @base, null)
        : new Key(Kind.Radical, Radicand(@base).Radicand, null);

    // A positive rational base as primes to powers, so 4^x = 2^(2x), 10^x = 2^x 5^x and (1/2)^x = 2^(-x)
    // (true for real x: b^x = e^(x log b)); a factor past 1000 stays whole. Any other base is itself.
    private static List<(Expr Prime, Rational Power)> PrimePowers(Expr @base)
    {
        if (@base is not Symbolic.Number { Value: { Sign: > 0 } value } || value.IsOne) return [(@base, Rational.One)];
        var powers = new List<(Expr, Rational)>();
        foreach (var (part, sign) in new[] { (value.Numerator, 1), (value.Denominator, -1) })
        {
            var rest = part;
            for (int p = 2; p < 1000 && rest > 1; p++)
            {
                int k = 0;
                while ((rest % p).IsZero) { rest /= p; k++; }
                if (k > 0) powers.Add((Build.Number(p), sign * k));
            }
            if (rest > 1) powers.Add((Build.Number(rest), sign));
        }
        return powers;
    }

    // A compound radicand in normal form with its positive numeric content taken out, so that
    // sqrt(1 + exp(2x)/9) and sqrt(exp(2x) + 9)/3 meet: (c u)^r = c^r u^r for c > 0 (where u^r is defined).
    private readonly Dictionary<Expr, (Expr Radicand, Rational Content)> radicands = new(Expr.ByReference);

    private (Expr Radicand, Rational Content) Radicand(Expr @base)
    {
        if (radicands.TryGetValue(@base, out var known)) return known;
        var result = (@base, Rational.One);
        if (@base is not Symbolic.Number && TryCreate([@base], atomKeys, quick) is ({ } form, [var (n, d)]) && !n.IsZero && !d.IsZero)
        {
            var (cn, cd) = (Abs(n.NumericContent()), Abs(d.NumericContent()));
            var radicand = form.Expanded(((Rational.One / cn) * n, (Rational.One / cd) * d));
            if (!radicand.IsNumber) result = (radicand, cn / cd);
        }
        return radicands[@base] = result;
    }

    // log of a positive rational as a sum over its primes: log(10) = log(2) + log(5), log(1/4) = -2 log(2).
    private static Expr LogOf(Expr prime) => Build.Call(Primitives.Log, [prime]);

    private static Rational Abs(Rational r) => r.Sign < 0 ? -r : r;

    private static Expr ContentPower(Rational content, Rational exponent) => Build.Pow(Build.Number(content), Build.Number(exponent));

    private Generator Find(Key key, Expr sample)
    {
        if (!generators.TryGetValue(key, out var generator)) generators[key] = generator = new Generator(key, sample);
        return generator;
    }

    // The terms of an exponent, expanded so that exp(2*(x + 1)) and exp(2*x + 2) split alike.
    private static IReadOnlyList<Expr> ExponentTerms(Expr exponent)
    {
        try { exponent = Transforms.Expand(exponent, 1_000, default); }
        catch (LimitExceededException e) when (e.Limit != Deadline.TimeoutLimit) { }
        return exponent is Sum s ? s.Args : [exponent];
    }

    // A call compared by value: its arguments in normal form (when deep), so equal arguments meet.
    private Expr AtomKey(Call call)
    {
        if (!deep) return call;
        if (atomKeys.TryGetValue(call, out var key)) return key;
        var args = call.Args.Select(a => TryCreate([a], atomKeys, quick) is var (form, fractions) ? form.Expanded(fractions[0]) : a).ToArray();
        return atomKeys[call] = Traversal.WithChildren(call, args);
    }

    private static int Lcm(int a, System.Numerics.BigInteger b)
    {
        var lcm = a / System.Numerics.BigInteger.GreatestCommonDivisor(a, b) * b;
        if (lcm > 1000)
            throw new LimitExceededException($"A root of index {lcm} passes the limit of 1000 in the rational form (Limits.MaxPolynomialDegree guards the powers it would make).", nameof(Limits.MaxPolynomialDegree));
        return (int)lcm;
    }

    // Variables in the canonical order of their expressions, so the forms (and the sign of a
    // denominator) do not depend on the order the generators were met in.
    private void NumberGenerators()
    {
        ordered.AddRange(generators.Values.OrderBy(g => g.Sample, Order.Comparer).ThenBy(g => g.Key.Exponent ?? Build.Zero, Order.Comparer));
        arity = ordered.Count;
        for (int i = 0; i < ordered.Count; i++) ordered[i].Index = i;
        foreach (var g in ordered)
            if (g.Key.Kind == Kind.Radical && Fraction(g.Key.Base) is var (n, d) && d.IsConstant)
                (g.Relation, g.RelationPower) = ((Rational.One / d.ConstantValue) * n, g.Root);
        if (trig == TrigReduction.None) return;
        var (reduced, kept) = trig == TrigReduction.Sine ? (Primitives.Cos, Primitives.Sin) : (Primitives.Sin, Primitives.Cos);
        foreach (var g in ordered)
            if (g.Key is { Kind: Kind.Atom, Base: Call call } && ReferenceEquals(call.Primitive, reduced)
                && generators.TryGetValue(new Key(Kind.Atom, Build.Call(kept, [call.Args[0]]), null), out var other))
                (g.Relation, g.RelationPower) = (One - Poly.Variable(arity, other.Index, 2), 2);
    }

    // ---- pass 2: the fraction of every node ----

    private (Poly N, Poly D) Fraction(Expr node)
    {
        if (fractions.TryGetValue(node, out var known)) return known;
        Poly.Check();
        var result = node switch
        {
            Symbolic.Number n => (ConstantPoly(n.Value), One),
            Symbol or Symbolic.Constant => AtomPower(new Key(Kind.Atom, node, null)),
            Call exp when exp.Of(Primitives.Exp) => Exponential(Expr.E, exp.Args[0]),
            Call { Args: [Symbolic.Number] } log when log.Of(Primitives.Log) => PrimePowers(log.Args[0])
                .Select(p => (ConstantPoly(p.Power) * AtomPower(new Key(Kind.Atom, LogOf(p.Prime), null)).Item1, One))
                .Aggregate(Add),
            Call call => AtomPower(new Key(Kind.Atom, AtomKey(call), null)),
            Sum sum => SumOf(sum.Args.Select(Fraction).ToList()),
            Product product => product.Args.Select(Fraction).Aggregate(Multiply),
            Power { Exponent: Symbolic.Number { Value: var k } } power when k.IsInteger => Raise(Fraction(power.Base), k),
            Power { Exponent: Symbolic.Number { Value: var k } } power => RootPower(power.Base, k),
            Power power => Exponential(power.Base, power.Exponent),
            _ => throw new NotRationalException(),
        };
        fractions[node] = result;
        return result;
    }

    // An atom is its generator to the power Root (x = (x^(1/q))^q).
    private (Poly, Poly) AtomPower(Key key)
    {
        var g = generators[key];
        return Power(g, g.Root);
    }

    private (Poly, Poly) RootPower(Expr @base, Rational exponent)
    {
        var generator = generators[RootKey(@base)];
        var power = Power(generator, exponent * generator.Root);
        var content = IsAtom(@base) ? Rational.One : Radicand(@base).Content;
        return content.IsOne ? power : Multiply(power, Fraction(ContentPower(content, exponent)));
    }

    private (Poly, Poly) Exponential(Expr @base, Expr exponent)
    {
        var result = (One, One);
        foreach (var term in ExponentTerms(exponent))
        {
            var (c, rest) = Build.SplitCoefficient(term);
            var factor = term switch
            {
                Symbolic.Number { Value.IsInteger: true } n => Raise(Fraction(@base), n.Value),
                Symbolic.Number n => RootPower(@base, n.Value),
                _ => PrimePowers(@base).Select(p =>
                {
                    var g = generators[new Key(Kind.Exponential, p.Prime, rest)];   // prime^(rest/Root)
                    return Power(g, ((Symbolic.Number)c).Value * p.Power * g.Root);
                }).Aggregate(Multiply),
            };
            result = Multiply(result, factor);
        }
        return result;
    }

    // g^k for an integer k (the caller guarantees it): a negative power goes below the line.
    private (Poly, Poly) Power(Generator generator, Rational k)
    {
        int power = (int)k.Numerator;
        return power >= 0 ? (Poly.Variable(arity, generator.Index, power), One) : (One, Poly.Variable(arity, generator.Index, -power));
    }

    private Poly One => Poly.Constant(arity, Rational.One);
    private Poly ConstantPoly(Rational value) => Poly.Constant(arity, value);

    // ---- fraction arithmetic ----

    // The polynomial terms in one pass (pairwise addition of a long polynomial would be quadratic), then the fractions.
    private (Poly N, Poly D) SumOf(List<(Poly N, Poly D)> terms)
    {
        var polynomial = terms.Where(t => t.D.IsConstant && !t.D.IsZero).ToList();
        var sum = (Poly.FromTerms(arity, polynomial.SelectMany(t => ((Rational.One / t.D.ConstantValue) * t.N).Terms.ToArray())), One);
        foreach (var fraction in terms.Where(t => !t.D.IsConstant || t.D.IsZero)) sum = Add(sum, fraction);
        return sum;
    }

    private (Poly N, Poly D) Add((Poly N, Poly D) a, (Poly N, Poly D) b)
    {
        if (a.D.IsZero) return a;   // undefined plus anything is undefined
        if (b.D.IsZero) return b;
        if (a.N.IsZero) return b;
        if (b.N.IsZero) return a;
        if (a.D.Equals(b.D)) return (a.N + b.N, a.D);
        if (a.D.IsConstant || b.D.IsConstant) return (a.N * b.D + b.N * a.D, a.D * b.D);
        // Over the least common denominator, so sums of many fractions with shared factors stay small.
        var g = Gcd(a.D, b.D);
        var (ra, rb) = (a.D.ExactDivide(g), b.D.ExactDivide(g));
        return (a.N * rb + b.N * ra, a.D * rb);
    }

    // A zero denominator (undefined) survives every product: 0 * (1/0) stays undefined.
    private static (Poly N, Poly D) Multiply((Poly N, Poly D) a, (Poly N, Poly D) b) => (a.N * b.N, a.D * b.D);

    private (Poly, Poly) Raise((Poly N, Poly D) f, Rational k)
    {
        if (System.Numerics.BigInteger.Abs(k.Numerator) > Limits.MaxPolynomialDegree)
            throw new LimitExceededException($"A power {k} passes the limit of {Limits.MaxPolynomialDegree} (Limits.MaxPolynomialDegree).", nameof(Limits.MaxPolynomialDegree));
        int n = (int)k.Numerator;
        return n >= 0 ? (f.N.Pow(n), f.D.Pow(n)) : (f.D.Pow(-n), f.N.Pow(-n));
    }

    // ---- relations, rationalizing, cancelling ----

    /// <summary>
    /// Applies the radical relations, rationalizes a monomial radical denominator, and cancels the gcd;
    /// the denominator ends primitive with a positive leading coefficient. A zero denominator (the input
    /// is undefined everywhere) stays zero.
    /// </summary>
    private (Poly N, Poly D) Reduce((Poly N, Poly D) f)
    {
        var (n, d) = (ApplyRelations(f.N), ApplyRelations(f.D));
        if (d.IsZero || n.IsZero) return (n, d.IsZero ? d : One);
        if (d.Count == 1)
        {
            var multiplier = One;
            foreach (var g in ordered)
                if (g.Key.Kind == Kind.Radical && g.Relation is not null && d.Leading.Exponents[g.Index] % g.Root is var e and > 0)
                    multiplier *= Poly.Variable(arity, g.Index, g.Root - e);
            if (!multiplier.IsOne) (n, d) = (ApplyRelations(n * multiplier), ApplyRelations(d * multiplier));
        }
        var gcd = Gcd(n, d);
        (n, d) = (n.ExactDivide(gcd), d.ExactDivide(gcd));
        var content = d.NumericContent();
        return ((Rational.One / content) * n, (Rational.One / content) * d);
    }

    private Poly ApplyRelations(Poly p)
    {
        for (int round = 0; round < 16; round++)
        {
            bool changed = false;
            foreach (var g in ordered)
            {
                if (g.Relation is null || p.Degree(g.Index) < g.RelationPower) continue;
                var reduced = Poly.Zero(arity);
                foreach (var (k, coefficient) in p.CoefficientsIn(g.Index))
                    reduced += coefficient.ShiftBy(g.Index, k % g.RelationPower) * g.Relation.Pow(k / g.RelationPower);
                p = reduced;
                changed = true;
            }
            if (!changed) return p;
        }
        return p;
    }

    // ---- back to expressions ----

    /// <summary>A generator to a power, as an expression.</summary>
    private Expr PowerOf(Generator g, int k)
    {
        var exponent = new Rational(k, g.Root);
        return g.Key.Kind switch
        {
            Kind.Atom => Build.Pow(g.Sample, Build.Number(exponent)),
            Kind.Radical => Build.Pow(g.Key.Base, Build.Number(exponent)),
            _ => Build.Pow(g.Key.Base, Build.Multiply(Build.Number(exponent), g.Key.Exponent!)),
        };
    }

    /// <summary>A polynomial as an expanded sum of terms.</summary>
    public Expr ToExpr(Poly p) => Build.Add(p.Terms.ToArray().Select(t => Build.Multiply(Monomial(t.Exponents).Prepend(Build.Number(t.Coefficient)))));

    private IEnumerable<Expr> Monomial(int[] exponents)
    {
        for (int i = 0; i < exponents.Length; i++) if (exponents[i] != 0) yield return PowerOf(ordered[i], exponents[i]);
    }

    /// <summary>The generators as expressions (for messages).</summary>
    public IEnumerable<Expr> Generators => ordered.Select(g => PowerOf(g, 1));

    /// <summary>The variable index of the symbol <paramref name="x"/> when it is a generator by itself (no root of it taken), else null.</summary>
    public int? VariableOf(Expr x) =>
        generators.TryGetValue(new Key(Kind.Atom, x, null), out var g) && g.Root == 1 ? g.Index : null;

    /// <summary>N/D with each side expanded or square-free factored, whichever is smaller.</summary>
    public Expr Compact((Poly N, Poly D) f) =>
        f.D.IsZero ? Build.NaN : Build.Multiply(Side(f.N), Build.Pow(Side(f.D), Build.MinusOne));

    /// <summary>A polynomial expanded or square-free factored, whichever is smaller.</summary>
    private Expr Side(Poly p)
    {
        var expanded = ToExpr(p);
        var factored = FactoredPoly(p, irreducible: false);
        return Traversal.TreeSize(factored) < Traversal.TreeSize(expanded) ? factored : expanded;
    }

    /// <summary>N/D with both expanded: the canonical form (SymPy's cancel).</summary>
    public Expr Expanded((Poly N, Poly D) f)
    {
        if (f.D.IsZero) return Build.NaN;
        return Build.Multiply(ToExpr(f.N), Build.Pow(ToExpr(f.D), Build.MinusOne));
    }

    /// <summary>
    /// N/D with each side written as content * monomial * square-free factors (or fully factored over
    /// Q when <paramref name="irreducible"/>), each polynomial factor kept expanded when that is smaller.
    /// </summary>
    public Expr Factored((Poly N, Poly D) f, bool irreducible)
    {
        if (f.D.IsZero) return Build.NaN;
        return Build.Multiply(FactoredPoly(f.N, irreducible), Build.Pow(FactoredPoly(f.D, irreducible), Build.MinusOne));
    }

    public Expr FactoredPoly(Poly p, bool irreducible)
    {
        if (p.IsConstant) return Build.Number(p.ConstantValue);
        var (content, factors) = PolyFactor.Factor(p, irreducible);
        var parts = new List<Expr> { Build.Number(content) };
        foreach (var (factor, multiplicity) in factors) parts.Add(Build.Pow(ToExpr(factor), Build.Number(multiplicity)));
        return Build.Multiply(parts);
    }
}
