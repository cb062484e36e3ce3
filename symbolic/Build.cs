// Canonical construction (automatic simplification). Every public way to make an Expr ends here.
// Invariants of the result, relied on everywhere; the trusted Sum and Product constructors assert
// them in Debug (Canonical.IsSum, Canonical.IsProduct):
//   Sum:     >= 2 terms; no term is a Sum; at most one number, first; like terms merged
//            (coefficient * rest); terms sorted by their rest; no zero coefficient.
//   Product: >= 2 factors; no factor is a Product; at most one number, first, never 1 or 0;
//            equal bases merged (x*x = x^2, exp(a)*exp(b) = exp(a+b)); factors sorted;
//            a number times a single sum is distributed (2*(x+1) = 2*x + 2), as SymPy does.
//   Power:   exponent not 0 or 1; base not 1, e or exp(u); exact numeric powers folded unless huge;
//            (x^a)^b merged only where sound (b integer, or a a non-integer number).
//   Call:    arity matches the row; the row's special values folded; float arguments evaluated.
using System.Numerics;

namespace Hybrid.Symbolic;

internal static class Build
{
    public static readonly Expr Zero = new Number(Rational.Zero);
    public static readonly Expr One = new Number(Rational.One);
    public static readonly Expr MinusOne = new Number(Rational.MinusOne);
    public static readonly Expr Half = new Number(new Rational(1, 2));

    public static Expr Number(Rational value) => value.IsZero ? Zero : value.IsOne ? One : new Number(value);

    /// <summary>Undefined: the float NaN, which every sum, product and function of it absorbs.</summary>
    public static readonly Expr NaN = new FloatNumber(double.NaN);

    // One NaN node, so that every undefined result is the same value and prints the same.
    public static Expr Float(double value) => double.IsNaN(value) ? NaN : new FloatNumber(value);

    public static bool IsNaN(Expr e) => e is FloatNumber f && double.IsNaN(f.Value);

    public static bool IsZeroNumber(Expr e) => e is Number { Value.IsZero: true } || e is FloatNumber { Value: 0 };

    // ---- sums ----

    public static Expr Add(Expr a, Expr b)
    {
        // Fast path for the commonest sum, two unlike terms (x + y, x - y^2): sort them, nothing to merge.
        if (a is not (Sum or Symbolic.Number or FloatNumber) && b is not (Sum or Symbolic.Number or FloatNumber))
        {
            var (restA, restB) = (SplitCoefficient(a).Remainder, SplitCoefficient(b).Remainder);
            if (!restA.Equals(restB)) return Order.Compare(restA, restB) < 0 ? new Sum([a, b]) : new Sum([b, a]);
        }
        return Add([a, b]);
    }

    public static Expr Add(IEnumerable<Expr> terms)
    {
        var numbers = new NumberAccumulator(Rational.Zero, 0);
        // rest -> (coefficient, the term as given while nothing merged into it), in order of first appearance
        var coefficients = new SmallMap<(Expr Coefficient, Expr? Original)>();
        void AddTerm(Expr term)
        {
            if (numbers.TryAdd(term)) return;
            var (coefficient, rest) = SplitCoefficient(term);
            int at = coefficients.IndexOf(rest);
            if (at >= 0) coefficients.SetAt(at, (NumberAccumulator.Add(coefficients.ValueAt(at).Coefficient, coefficient), null));
            else coefficients.Add(rest, (coefficient, term));
        }
        foreach (var term in terms)
        {
            ArgumentNullException.ThrowIfNull(term, nameof(terms));
            if (term is Sum sum) foreach (var t in sum.Children) AddTerm(t);
            else AddTerm(term);
        }

        var kept = new List<(Expr Term, (Expr Coefficient, Expr? Original) Value)>(coefficients.Count);
        for (int i = 0; i < coefficients.Count; i++)
            if (!IsZeroNumber(coefficients.ValueAt(i).Coefficient)) kept.Add((coefficients.KeyAt(i), coefficients.ValueAt(i)));
        if (kept.Count > 1) kept.Sort((a, b) => Order.Compare(a.Term, b.Term));
        var constant = numbers.ToExpr(isProduct: false);
        if (IsNaN(constant)) return NaN;   // undefined plus anything is undefined
        bool keepConstant = !IsZeroNumber(constant) || kept.Count == 0 && constant is FloatNumber;
        var result = new Expr[kept.Count + (keepConstant ? 1 : 0)];
        int n = 0;
        if (keepConstant) result[n++] = constant;
        // A term nothing merged into is reused as given: no new node, and shared subtrees stay shared.
        foreach (var (rest, (coefficient, original)) in kept) result[n++] = original ?? Scale(coefficient, rest);
        return result.Length switch { 0 => Zero, 1 => result[0], _ => new Sum(result) };
    }

    /// <summary>Splits <c>3*x*y</c> into (3, x*y); anything else into (1, itself).</summary>
    public static (Expr Coefficient, Expr Remainder) SplitCoefficient(Expr term)
    {
        if (term is not Product p || !p.Children[0].IsNumber) return (One, term);
        var c = p.Children;
        return (c[0], c.Length == 2 ? c[1] : new Product(c[1..].ToArray()));
    }

    // coefficient * rest, where rest carries no coefficient of its own (trusted: stays canonical).
    private static Expr Scale(Expr coefficient, Expr rest)
    {
        if (coefficient is Number { Value.IsOne: true }) return rest;
        return rest is Product p ? new Product([coefficient, .. p.Children]) : new Product([coefficient, rest]);
    }

    // ---- products ----

    public static Expr Multiply(Expr a, Expr b)
    {
        // Fast paths for the commonest products: a number times one plain factor (3*x, -sin(y)), and two
        // plain factors with different bases (x*y, x^2*sin(x)): sort them, nothing to merge.
        if (a is Number { Value: { IsZero: false, IsOne: false } } && IsPlainFactor(b)) return new Product([a, b]);
        if (IsPlainFactor(a) && IsPlainFactor(b) && !BaseOf(a).Equals(BaseOf(b)))
            return Order.Compare(a, b) < 0 ? new Product([a, b]) : new Product([b, a]);
        return Multiply([a, b]);
    }

    // A factor that merges with nothing but an equal base: not a number, product, sum, exp or e, nor a power of a number.
    private static bool IsPlainFactor(Expr e) =>
        e is Symbol or Power { Base: not (Symbolic.Number or FloatNumber or Constant) } || e is Symbolic.Call c && !c.Of(Primitives.Exp);

    private static Expr BaseOf(Expr e) => e is Power p ? p.Base : e;

    public static Expr Multiply(IEnumerable<Expr> factors)
    {
        var numbers = new NumberAccumulator(Rational.One, 1);
        // base -> (the factor as given, exponents to add), in order of first appearance
        var powers = new SmallMap<(Expr Original, List<Expr>? More, Expr Exponent)>();
        void AddFactor(Expr factor)
        {
            if (numbers.TryMultiply(factor)) return;
            // exp(u) is e^u, so exp(a)*exp(b) = exp(a + b) and e*exp(2) = exp(3).
            var (b, e) = factor switch
            {
                Power power => (power.Base, power.Exponent),
                Call exp when exp.Of(Primitives.Exp) => (Expr.E, exp.Args[0]),
                _ => (factor, One),
            };
            int at = powers.IndexOf(b);
            if (at < 0) { powers.Add(b, (factor, null, e)); return; }
            var (original, more, first) = powers.ValueAt(at);
            (more ??= [first]).Add(e);
            powers.SetAt(at, (original, more, first));
        }
        foreach (var factor in factors)
        {
            ArgumentNullException.ThrowIfNull(factor, nameof(factors));
            if (factor is Product product) foreach (var f in product.Children) AddFactor(f);
            else AddFactor(factor);
        }
        // 0*u = 0 is sound wherever u is defined; a factor that is undefined everywhere (nan, from 1/0)
        // is a float, so the accumulator is not an exact zero and 0*nan stays nan below.
        if (numbers.IsExactZero) return Zero;

        var merged = new List<Expr>(powers.Count);
        List<Expr>? unflattened = null;
        for (int i = 0; i < powers.Count; i++)
        {
            var (original, more, _) = powers.ValueAt(i);
            // An unmerged factor is reused as it is, so shared subtrees stay shared.
            var factor = more is null ? original : Pow(powers.KeyAt(i), Add(more));
            if (numbers.TryMultiply(factor)) continue;
            if (factor is Product) (unflattened ??= []).Add(factor);
            else merged.Add(factor);
        }
        var coefficient = numbers.ToExpr(isProduct: true);
        if (IsNaN(coefficient)) return NaN;   // 0*nan and nan*x are undefined; an exact 0 absorbs only defined factors
        // Merging produced a product (sqrt(2)^3 = 2*sqrt(2)): its parts may merge further, so go round once more.
        if (unflattened is not null) return Multiply([coefficient, .. merged, .. unflattened]);
        if (IsZeroNumber(coefficient)) return coefficient;
        if (merged.Count > 1) merged.Sort(Order.Comparer);
        bool unit = coefficient is Number { Value.IsOne: true };
        if (merged.Count == 0) return coefficient;
        if (merged.Count == 1 && unit) return merged[0];
        if (merged.Count == 1 && merged[0] is Sum sum && coefficient is Number)
            return Add(sum.Children.ToArray().Select(t => Multiply(coefficient, t)));
        return new Product(unit ? merged.ToArray() : [coefficient, .. merged]);
    }

    // ---- powers ----

    public static Expr Pow(Expr b, Expr e)
    {
        ArgumentNullException.ThrowIfNull(b);
        ArgumentNullException.ThrowIfNull(e);
        if (e is Number { Value.IsZero: true }) return One;
        if (e is Number { Value.IsOne: true }) return b;
        if (b is Number { Value.IsOne: true }) return One;
        if (b is Number { Value.IsZero: true } && e is Number { Value.Sign: > 0 }) return Zero;
        if (b.IsNumber && e.IsNumber) return PowNumbers(b, e);
        if (b is Constant { Name: "e" }) return Call(Primitives.Exp, [e]);
        if (b is Call exp && exp.Of(Primitives.Exp)) return Call(Primitives.Exp, [Multiply(exp.Args[0], e)]);   // (e^a)^b = e^(ab) for real a, b
        if (b is Power inner && (e is Number { Value.IsInteger: true } || inner.Exponent is Number { Value.IsInteger: false }))
            return Pow(inner.Base, Multiply(inner.Exponent, e));
        if (b is Product product && e is Number { Value.IsInteger: true })
            return Multiply(product.Children.ToArray().Select(f => Pow(f, e)));
        return new Power(b, e);
    }

    private static Expr PowNumbers(Expr b, Expr e)
    {
        // Floats follow IEEE, infinities and NaN included: 1/0.0 is inf, (-8.0)^(1/3) is nan.
        if (b is FloatNumber || e is FloatNumber)
            return Float(Math.Pow(NumberAccumulator.ToDouble(b), NumberAccumulator.ToDouble(e)));
        var (x, n) = (((Number)b).Value, ((Number)e).Value);
        if (x.IsZero) return NaN;   // 0^n for n < 0: division by zero is undefined (SymPy: zoo; 0/0 is nan)
        if (n.IsInteger) return x.TryPow(n.Numerator) is { } exact ? Number(exact) : new Power(b, e);
        if (x.Sign < 0) return new Power(b, e);
        var q = n.Denominator;

        // x^(p/q) = x^k * x^(r/q) with 0 < r < q.
        var k = BigInteger.Divide(n.Numerator - ((n.Numerator % q) + q) % q, q);
        var r = n.Numerator - k * q;
        if (x.TryPow(k) is not { } whole) return new Power(b, e);
        // An integer m > 1 has an exact q-th root only if m >= 2^q, and a q-th power comes out of a root only
        // if it fits in the radicand: a denominator beyond the limit is decided here, before any root is
        // tried (2^(1/494913671) stays as it is, at once), and roots are tried only below the bit length.
        if (q > Limits.MaxBits)
            return k.IsZero ? new Power(b, e) : Multiply(Number(whole), new Power(b, Number(new Rational(r, q))));
        int degree = (int)q;
        bool rootPossible = q < Math.Max(x.Numerator.GetBitLength(), x.Denominator.GetBitLength());
        if (rootPossible && IntegerRoot(x.Numerator, degree) is { } rootN && IntegerRoot(x.Denominator, degree) is { } rootD)
            return new Rational(rootN, rootD).TryPow(n.Numerator) is { } exactRoot ? Number(exactRoot) : new Power(b, e);
        if (!r.IsOne || (!x.Denominator.IsOne && degree != 2))
            return k.IsZero ? new Power(b, e) : Multiply(Number(whole), new Power(b, Number(new Rational(r, q))));
        // For r = 1, perfect q-th powers come out of the root; sqrt(n/d) = sqrt(n*d)/d, so only an integer is left under it.
        var radicand = x.Numerator * x.Denominator;
        var (outside, inside) = ExtractPowers(radicand, degree);
        var coefficient = whole * new Rational(outside, x.Denominator);
        var root = inside.IsOne ? One : new Power(Number(inside), Number(new Rational(1, degree)));
        return Multiply(Number(coefficient), root);
    }

    // Pulls factors p^q out of m for p < 1000: m = outside^q * inside. Stops as soon as p^q
    // has more bits than what is left, so a large q costs one comparison.
    private static (BigInteger Outside, BigInteger Inside) ExtractPowers(BigInteger m, int q)
    {
        BigInteger outside = 1, inside = m;
        for (int p = 2; p < 1000; p++)
        {
            if ((double)q * Math.Log2(p) > inside.GetBitLength()) break;
            var pq = BigInteger.Pow(p, q);
            while ((inside % pq).IsZero) { inside /= pq; outside *= p; }
        }
        return (outside, inside);
    }

    // The exact q-th root of a non-negative integer, or null. Callers keep q below m's bit length,
    // so every power computed here has about as many bits as m.
    private static BigInteger? IntegerRoot(BigInteger m, int q)
    {
        if (m.Sign < 0 || m.GetBitLength() > Rational.MaxBits) return null;
        if (m <= 1) return m;
        if (m.GetBitLength() <= 1000)
        {
            var guess = (BigInteger)Math.Round(Math.Pow((double)m, 1.0 / q));
            for (var candidate = BigInteger.Max(guess - 1, 0); candidate <= guess + 1; candidate++)
                if (BigInteger.Pow(candidate, q) == m) return candidate;
            if (m.GetBitLength() <= 50) return null;
        }
        // Beyond double precision: Newton's method on integers, from above.
        var x = BigInteger.One << (int)((m.GetBitLength() + q - 1) / q);
        while (true)
        {
            var next = ((q - 1) * x + m / BigInteger.Pow(x, q - 1)) / q;
            if (next >= x) break;
            x = next;
        }
        return BigInteger.Pow(x, q) == m ? x : null;
    }

    // ---- calls ----

    public static Expr Call(Primitive primitive, Expr[] args)
    {
        ArgumentNullException.ThrowIfNull(primitive);
        ArgumentNullException.ThrowIfNull(args);
        if (args.Length != primitive.Arity)
            throw new ArgumentException($"{primitive.Name} takes {primitive.Arity} argument(s) ({string.Join(", ", primitive.Parameters)}), not {args.Length}.", nameof(args));
        foreach (var arg in args) ArgumentNullException.ThrowIfNull(arg, nameof(args));
        if (primitive.Fold(args) is { } folded) return folded;
        // Float arguments evaluate as IEEE does (sin(inf) is nan, exp(1000.0) is inf), like float arithmetic.
        if (Array.TrueForAll(args, a => a.IsNumber) && Array.Exists(args, a => a is FloatNumber))
        {
            Span<double> values = stackalloc double[args.Length];
            for (int i = 0; i < args.Length; i++) values[i] = NumberAccumulator.ToDouble(args[i]);
            return Float(primitive.Evaluate(values));
        }
        return new Call(primitive, args);
    }

    /// <summary>Folds the numbers of a sum or product: exact unless a float takes part.</summary>
    private struct NumberAccumulator(Rational exact, double floating)
    {
        private Rational exact = exact;
        private double floating = floating;
        private bool anyFloat;

        public readonly bool IsExactZero => !anyFloat && exact.IsZero;

        public bool TryAdd(Expr e)
        {
            switch (e)
            {
                case Number n: exact += n.Value; return true;
                case FloatNumber f: floating += f.Value; anyFloat = true; return true;
                default: return false;
            }
        }

        public bool TryMultiply(Expr e)
        {
            switch (e)
            {
                case Number n: exact *= n.Value; return true;
                case FloatNumber f: floating *= f.Value; anyFloat = true; return true;
                default: return false;
            }
        }

        public readonly Expr ToExpr(bool isProduct) =>
            !anyFloat ? Number(exact) : Float(isProduct ? exact.ToDouble() * floating : exact.ToDouble() + floating);

        public static double ToDouble(Expr number) => number is Number n ? n.Value.ToDouble() : ((FloatNumber)number).Value;

        public static Expr Add(Expr a, Expr b) =>
            a is Number x && b is Number y ? Number(x.Value + y.Value) : Float(ToDouble(a) + ToDouble(b));
    }
}
