// Sparse multivariate polynomials over Q: a sorted array of terms (exponent vector, rational
// coefficient), in descending lexicographic order of the exponents (variable 0 most significant).
// Immutable. Every operation that can grow checks the declared limits (Limits.MaxPolynomialTerms,
// Limits.MaxPolynomialDegree) and the deadline of the transform that runs it (Poly.Within).
namespace Hybrid.Symbolic;

internal sealed class Poly : IEquatable<Poly>
{
    /// <summary>One term: the exponent of each variable, and a non-zero coefficient.</summary>
    internal readonly record struct Term(int[] Exponents, Rational Coefficient);

    private readonly Term[] terms;

    /// <summary>The number of variables (every exponent vector has this length).</summary>
    public int Arity { get; }

    private Poly(int arity, Term[] sortedTerms) { Arity = arity; terms = sortedTerms; }

    public ReadOnlySpan<Term> Terms => terms;
    public int Count => terms.Length;
    public bool IsZero => terms.Length == 0;
    public bool IsConstant => terms.Length == 0 || terms.Length == 1 && IsUnitMonomial(terms[0].Exponents);
    public bool IsOne => IsConstant && !IsZero && terms[0].Coefficient.IsOne;
    /// <summary>The constant term (the value of a constant polynomial); the smallest monomial comes last.</summary>
    public Rational ConstantValue => terms.Length > 0 && IsUnitMonomial(terms[^1].Exponents) ? terms[^1].Coefficient : Rational.Zero;
    /// <summary>The first term in lexicographic order.</summary>
    public Term Leading => terms[0];

    // ---- the ambient deadline: set by the transform that runs the algebra, checked in every loop ----

    [ThreadStatic] private static Deadline current;

    /// <summary>Runs <paramref name="work"/> with <paramref name="deadline"/> checked by every polynomial operation inside it.</summary>
    public static T Within<T>(Deadline deadline, Func<T> work)
    {
        var saved = current;
        current = deadline;
        try { return work(); }
        finally { current = saved; }
    }

    public static void Check() => current.Check();

    // ---- construction ----

    public static Poly Zero(int arity) => new(arity, []);

    public static Poly Constant(int arity, Rational value) =>
        value.IsZero ? Zero(arity) : new(arity, [new Term(new int[arity], value)]);

    public static Poly Variable(int arity, int index, int power = 1)
    {
        var exponents = new int[arity];
        exponents[index] = power;
        return new(arity, [new Term(exponents, Rational.One)]);
    }

    /// <summary>Collects terms, merging equal monomials and dropping zeros.</summary>
    public static Poly FromTerms(int arity, IEnumerable<Term> unsorted)
    {
        var merged = new Dictionary<int[], Rational>(MonomialComparer.Instance);
        foreach (var (exponents, coefficient) in unsorted)
            merged[exponents] = merged.TryGetValue(exponents, out var c) ? c + coefficient : coefficient;
        return FromMerged(arity, merged);
    }

    private static Poly FromMerged(int arity, Dictionary<int[], Rational> merged)
    {
        if (merged.Count > Limits.MaxPolynomialTerms)
            throw new LimitExceededException($"A polynomial of {merged.Count} terms would pass the limit of {Limits.MaxPolynomialTerms} terms (Limits.MaxPolynomialTerms).", nameof(Limits.MaxPolynomialTerms));
        var result = new List<Term>(merged.Count);
        foreach (var (exponents, coefficient) in merged) if (!coefficient.IsZero) result.Add(new Term(exponents, coefficient));
        var array = result.ToArray();
        Array.Sort(array, (a, b) => CompareMonomials(b.Exponents, a.Exponents));
        return new(arity, array);
    }

    // ---- monomials ----

    public static int CompareMonomials(int[] a, int[] b)
    {
        for (int i = 0; i < a.Length; i++) if (a[i] != b[i]) return a[i].CompareTo(b[i]);
        return 0;
    }

    private static bool IsUnitMonomial(int[] exponents) => Array.TrueForAll(exponents, e => e == 0);

    private static int[] AddMonomials(int[] a, int[] b)
    {
        var sum = new int[a.Length];
        for (int i = 0; i < a.Length; i++)
        {
            sum[i] = a[i] + b[i];
            if (sum[i] > Limits.MaxPolynomialDegree)
                throw new LimitExceededException($"A polynomial of degree {sum[i]} in one variable would pass the limit of {Limits.MaxPolynomialDegree} (Limits.MaxPolynomialDegree).", nameof(Limits.MaxPolynomialDegree));
        }
        return sum;
    }

    private static int[]? DivideMonomials(int[] a, int[] b)
    {
        var quotient = new int[a.Length];
        for (int i = 0; i < a.Length; i++) if ((quotient[i] = a[i] - b[i]) < 0) return null;
        return quotient;
    }

    private sealed class MonomialComparer : IEqualityComparer<int[]>
    {
        public static readonly MonomialComparer Instance = new();
        public bool Equals(int[]? a, int[]? b) => a.AsSpan().SequenceEqual(b);
        public int GetHashCode(int[] exponents)
        {
            var hash = new HashCode();
            foreach (var e in exponents) hash.Add(e);
            return hash.ToHashCode();
        }
    }

    // ---- arithmetic ----

    public static Poly operator +(Poly a, Poly b) => a.IsZero ? b : b.IsZero ? a : FromTerms(a.Arity, a.terms.Concat(b.terms));

    public static Poly operator -(Poly a) => new(a.Arity, Array.ConvertAll(a.terms, t => t with { Coefficient = -t.Coefficient }));

    public static Poly operator -(Poly a, Poly b) => a + -b;

    public static Poly operator *(Rational c, Poly a) =>
        c.IsZero ? Zero(a.Arity) : c.IsOne ? a : new(a.Arity, Array.ConvertAll(a.terms, t => t with { Coefficient = c * t.Coefficient }));

    public static Poly operator *(Poly a, Poly b)
    {
        if (a.IsZero || b.IsZero) return Zero(a.Arity);
        if (a.IsConstant) return a.ConstantValue * b;
        if (b.IsConstant) return b.ConstantValue * a;
        if ((long)a.Count * b.Count > (long)Limits.MaxPolynomialTerms * 16)
            throw new LimitExceededException($"A product of polynomials of {a.Count} and {b.Count} terms passes the limit of {Limits.MaxPolynomialTerms} terms (Limits.MaxPolynomialTerms).", nameof(Limits.MaxPolynomialTerms));
        var merged = new Dictionary<int[], Rational>(MonomialComparer.Instance);
        foreach (var (ea, ca) in a.terms)
        {
            Check();
            foreach (var (eb, cb) in b.terms)
            {
                var e = AddMonomials(ea, eb);
                merged[e] = merged.TryGetValue(e, out var c) ? c + ca * cb : ca * cb;
            }
        }
        return FromMerged(a.Arity, merged);
    }

    public Poly Pow(int n)
    {
        if (n < 0) throw new ArgumentOutOfRangeException(nameof(n));
        var result = Constant(Arity, Rational.One);
        var square = this;
        for (; n > 0; n >>= 1)
        {
            if ((n & 1) != 0) result *= square;
            if (n > 1) square *= square;
        }
        return result;
    }

    /// <summary>Lexicographic division: quotient and remainder with no term of the remainder divisible by the divisor's leading term.</summary>
    /// <remarks>
    /// The running remainder is a mutable map with a heap of its monomials (Johnson's division), so each
    /// quotient term costs one pass over the divisor, not a rebuilt polynomial.
    /// </remarks>
    public (Poly Quotient, Poly Remainder) DivRem(Poly divisor)
    {
        if (divisor.IsZero) throw new DivideByZeroException("Division by the zero polynomial.");
        var quotient = new List<Term>();
        var remainder = new List<Term>();
        var (leadExponents, leadCoefficient) = divisor.Leading;
        var rest = new Dictionary<int[], Rational>(MonomialComparer.Instance);
        var heap = new PriorityQueue<int[], int[]>(Comparer<int[]>.Create((a, b) => CompareMonomials(b, a)));   // largest first
        foreach (var (e, c) in terms) { rest[e] = c; heap.Enqueue(e, e); }
        while (heap.TryDequeue(out var e, out _))
        {
            if (!rest.Remove(e, out var c) || c.IsZero) continue;   // a duplicate entry, or a cancelled term
            Check();
            if (DivideMonomials(e, leadExponents) is not { } q) { remainder.Add(new Term(e, c)); continue; }
            var factor = c / leadCoefficient;
            quotient.Add(new Term(q, factor));
            for (int i = 1; i < divisor.terms.Length; i++)
            {
                var (de, dc) = divisor.terms[i];
                var product = AddMonomials(q, de);
                if (rest.TryGetValue(product, out var existing)) rest[product] = existing - factor * dc;
                else { rest[product] = -(factor * dc); heap.Enqueue(product, product); }
            }
        }
        return (new Poly(Arity, quotient.ToArray()), new Poly(Arity, remainder.ToArray()));
    }

    /// <summary>The exact quotient, or null when <paramref name="divisor"/> does not divide this.</summary>
    public Poly? TryDivide(Poly divisor)
    {
        if (divisor.IsConstant) return divisor.IsZero ? null : (Rational.One / divisor.ConstantValue) * this;
        if (IsZero) return this;
        // A quick refusal: every variable's degree must be at least the divisor's.
        for (int v = 0; v < Arity; v++) if (Degree(v) < divisor.Degree(v)) return null;
        var (q, r) = DivRem(divisor);
        return r.IsZero ? q : null;
    }

    public Poly ExactDivide(Poly divisor) =>
        TryDivide(divisor) ?? throw new InvalidOperationException("Internal error: an exact polynomial division left a remainder.");

    /// <summary>Each coefficient replaced (zeros dropped).</summary>
    public Poly MapCoefficients(Func<Rational, Rational> map) => FromTerms(Arity, terms.Select(t => t with { Coefficient = map(t.Coefficient) }));

    // ---- views by one variable ----

    public int Degree(int variable)
    {
        int degree = IsZero ? -1 : 0;
        foreach (var t in terms) degree = Math.Max(degree, t.Exponents[variable]);
        return degree;
    }

    public int TotalDegree() => IsZero ? -1 : terms.Max(t => t.Exponents.Sum());

    public bool Contains(int variable) => Array.Exists(terms, t => t.Exponents[variable] != 0);

    /// <summary>The coefficients of the powers of <paramref name="variable"/>: k -> a polynomial free of it.</summary>
    public SortedDictionary<int, Poly> CoefficientsIn(int variable)
    {
        var groups = new SortedDictionary<int, List<Term>>();
        foreach (var (e, c) in terms)
        {
            var rest = (int[])e.Clone();
            rest[variable] = 0;
            if (!groups.TryGetValue(e[variable], out var list)) groups[e[variable]] = list = [];
            list.Add(new Term(rest, c));
        }
        var result = new SortedDictionary<int, Poly>();
        foreach (var (k, list) in groups) result[k] = FromTerms(Arity, list);
        return result;
    }

    /// <summary>The coefficient of the highest power of <paramref name="variable"/>.</summary>
    public Poly LeadingCoefficientIn(int variable)
    {
        int degree = Degree(variable);
        return FromTerms(Arity, terms.Where(t => t.Exponents[variable] == degree).Select(t => { var e = (int[])t.Exponents.Clone(); e[variable] = 0; return new Term(e, t.Coefficient); }));
    }

    /// <summary>This times <paramref name="variable"/>^<paramref name="power"/>.</summary>
    public Poly ShiftBy(int variable, int power) =>
        new(Arity, Array.ConvertAll(terms, t => { var e = (int[])t.Exponents.Clone(); e[variable] += power; return t with { Exponents = e }; }));

    public Poly Derivative(int variable) =>
        FromTerms(Arity, terms.Where(t => t.Exponents[variable] > 0).Select(t =>
        {
            var e = (int[])t.Exponents.Clone();
            e[variable]--;
            return new Term(e, t.Coefficient * t.Exponents[variable]);
        }));

    /// <summary>Substitutes the number <paramref name="value"/> for <paramref name="variable"/>.</summary>
    public Poly Evaluate(int variable, Rational value) =>
        FromTerms(Arity, terms.Select(t =>
        {
            var e = (int[])t.Exponents.Clone();
            e[variable] = 0;
            return new Term(e, t.Coefficient * (value.TryPow(t.Exponents[variable]) ?? throw new LimitExceededException($"Evaluating a polynomial passes the limit of {Limits.MaxBits} bits (Limits.MaxBits).", nameof(Limits.MaxBits))));
        }));

    // ---- numeric content ----

    /// <summary>
    /// The rational c with this = c * p, where p has coprime integer coefficients and a positive
    /// leading coefficient (0 for the zero polynomial).
    /// </summary>
    public Rational NumericContent()
    {
        if (IsZero) return Rational.Zero;
        System.Numerics.BigInteger numerator = 0, denominator = 1;
        foreach (var (_, c) in terms)
        {
            numerator = System.Numerics.BigInteger.GreatestCommonDivisor(numerator, c.Numerator);
            denominator = denominator / System.Numerics.BigInteger.GreatestCommonDivisor(denominator, c.Denominator) * c.Denominator;
        }
        var content = new Rational(numerator, denominator);
        return Leading.Coefficient.Sign < 0 ? -content : content;
    }

    /// <summary>This divided by its numeric content: integer, coprime coefficients, positive leading coefficient.</summary>
    public Poly Primitive() => IsZero ? this : (Rational.One / NumericContent()) * this;

    // ---- equality ----

    public bool Equals(Poly? other)
    {
        if (other is null || other.Count != Count) return false;
        for (int i = 0; i < terms.Length; i++)
            if (terms[i].Coefficient != other.terms[i].Coefficient || CompareMonomials(terms[i].Exponents, other.terms[i].Exponents) != 0) return false;
        return true;
    }

    public override bool Equals(object? obj) => obj is Poly p && Equals(p);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        foreach (var t in terms) { hash.Add(t.Coefficient); hash.Add(MonomialComparer.Instance.GetHashCode(t.Exponents)); }
        return hash.ToHashCode();
    }

    /// <summary>For debugging: terms as c*x0^a*x1^b.</summary>
    public override string ToString() =>
        IsZero ? "0" : string.Join(" + ", terms.Select(t => t.Coefficient + string.Concat(t.Exponents.Select((e, i) => e == 0 ? "" : $"*x{i}^{e}"))));
}
