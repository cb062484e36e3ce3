// Factorization over Q. Covered: numeric content, monomial content, square-free decomposition
// (Yun), complete factorization of univariate polynomials (Zassenhaus: Cantor-Zassenhaus modulo a
// small prime, Hensel lifting, recombination of the lifted factors), and of homogeneous multivariate
// polynomials through their univariate dehomogenization (x^2 - y^2 = (x - y)(x + y)). A square-free
// factor of several variables that is not homogeneous is returned as it is (not proven irreducible).
using System.Numerics;

namespace Hybrid.Symbolic;

internal static class PolyFactor
{
    /// <summary>
    /// p = content * Π factor^multiplicity, each factor primitive with a positive leading coefficient;
    /// square-free factors only, unless <paramref name="irreducible"/>.
    /// </summary>
    public static (Rational Content, List<(Poly Factor, int Multiplicity)> Factors) Factor(Poly p, bool irreducible)
    {
        var factors = new List<(Poly, int)>();
        if (p.IsConstant) return (p.ConstantValue, factors);
        var content = p.NumericContent();
        var rest = p.Primitive();
        // The monomial content: the least power of each variable over all terms.
        for (int v = 0; v < p.Arity; v++)
        {
            int least = int.MaxValue;
            foreach (var t in rest.Terms) least = Math.Min(least, t.Exponents[v]);
            if (least == 0) continue;
            factors.Add((Poly.Variable(p.Arity, v), least));
            rest = rest.ExactDivide(Poly.Variable(p.Arity, v, least));
        }
        foreach (var (factor, multiplicity) in PolyGcd.SquareFree(rest).Factors)
        {
            if (!irreducible) { factors.Add((factor, multiplicity)); continue; }
            foreach (var f in Irreducible(factor)) factors.Add((f, multiplicity));
        }
        return (content, factors);
    }

    // The irreducible factors of a primitive square-free polynomial free of monomial factors.
    private static List<Poly> Irreducible(Poly f)
    {
        var variables = Enumerable.Range(0, f.Arity).Where(f.Contains).ToList();
        if (variables.Count == 1)
            return FactorSquareFree(ToDense(f, variables[0])).Select(g => FromDense(g, f.Arity, variables[0])).ToList();
        if (IsHomogeneous(f))
        {
            // f(x, ..., y) = y^d f(x/y, ..., 1): factor with y = 1, then give each factor back its degree in y.
            int y = variables[^1];
            return Irreducible(f.Evaluate(y, Rational.One)).Select(g => Homogenize(g, y)).Select(g => g.Primitive()).ToList();
        }
        return [f];
    }

    private static bool IsHomogeneous(Poly f)
    {
        int degree = f.Leading.Exponents.Sum();
        foreach (var t in f.Terms) if (t.Exponents.Sum() != degree) return false;
        return true;
    }

    private static Poly Homogenize(Poly g, int y)
    {
        int degree = g.TotalDegree();
        return Poly.FromTerms(g.Arity, g.Terms.ToArray().Select(t =>
        {
            var e = (int[])t.Exponents.Clone();
            e[y] += degree - e.Sum();
            return t with { Exponents = e };
        }));
    }

    private static BigInteger[] ToDense(Poly f, int x)
    {
        var dense = new BigInteger[f.Degree(x) + 1];
        foreach (var t in f.Terms) dense[t.Exponents[x]] = t.Coefficient.Numerator;   // primitive: integer coefficients
        return dense;
    }

    private static Poly FromDense(BigInteger[] g, int arity, int x) =>
        Poly.FromTerms(arity, g.Select((c, k) => { var e = new int[arity]; e[x] = k; return new Poly.Term(e, c); })).Primitive();

    // ---- univariate factorization over Z (dense coefficients, lowest power first) ----

    /// <summary>The irreducible factors of a primitive square-free f with f(0) != 0 and a positive leading coefficient.</summary>
    public static List<BigInteger[]> FactorSquareFree(BigInteger[] f)
    {
        int n = f.Length - 1;
        if (n <= 1) return [f];
        if (Cyclotomic(f) is { } cyclotomic) return cyclotomic;
        // The prime with the fewest modular factors among the first few that keep f square-free.
        (long P, List<long[]> Factors)? best = null;
        int tried = 0;
        foreach (long p in Primes())
        {
            Poly.Check();
            if ((f[^1] % p).IsZero) continue;
            var fp = ModP.Monic(ModP.From(f, p), p);
            if (ModP.Degree(ModP.Gcd(fp, ModP.Derivative(fp, p), p)) > 0) continue;
            var factors = ModP.Factor(fp, p);
            if (factors.Count == 1) return [f];
            if (best is null || factors.Count < best.Value.Factors.Count) best = (p, factors);
            if (++tried == 6) break;
        }
        var (prime, modular) = best!.Value;
        // Any factor's coefficients are below 2^n |f|_2 (Mignotte); lift past twice that times lc(f).
        double bits = n + Math.Log2(Math.Sqrt(n + 1)) + BigInteger.Log(f.Max(BigInteger.Abs), 2) + BigInteger.Log(BigInteger.Abs(f[^1]), 2) + 2;
        int k = (int)Math.Ceiling(bits / Math.Log2(prime)) + 1;
        var modulus = BigInteger.Pow(prime, k);
        var lifted = Hensel.Lift(f, modular, prime, k);
        return Recombine(f, lifted, modulus);
    }

    // x^n - 1 = Π Φ_d over d | n, and x^n + 1 = Π Φ_d over d | 2n not dividing n, with Φ_d the
    // cyclotomic polynomials (irreducible over Q). As in SymPy: these binomials split mod every prime
    // into so many factors that Zassenhaus's recombination would take exponential time.
    private static List<BigInteger[]>? Cyclotomic(BigInteger[] f)
    {
        int n = f.Length - 1;
        if (!f[n].IsOne || BigInteger.Abs(f[0]) != 1 || f.Skip(1).Take(n - 1).Any(c => !c.IsZero)) return null;
        bool minus = f[0] == -1;
        var divisors = Enumerable.Range(1, 2 * n).Where(d => minus ? n % d == 0 : (2 * n) % d == 0 && n % d != 0);
        var known = new Dictionary<int, BigInteger[]>();
        return divisors.Select(d => CyclotomicPolynomial(d, known)).ToList();
    }

    // Φ_d = (x^d - 1) / Π Φ_k over the proper divisors k of d.
    private static BigInteger[] CyclotomicPolynomial(int d, Dictionary<int, BigInteger[]> known)
    {
        if (known.TryGetValue(d, out var done)) return done;
        var result = new BigInteger[d + 1];
        result[0] = -1;
        result[d] = 1;
        for (int k = 1; k < d; k++)
            if (d % k == 0) result = Dense.TryDivide(result, CyclotomicPolynomial(k, known))!;
        return known[d] = result;
    }

    private static IEnumerable<long> Primes()
    {
        for (long candidate = 3; ; candidate += 2)
        {
            bool prime = true;
            for (long d = 3; d * d <= candidate && prime; d += 2) prime = candidate % d != 0;
            if (prime) yield return candidate;
        }
    }

    // Zassenhaus recombination: try products of 1, 2, ... lifted factors (times lc(f)) as true factors.
    private static List<BigInteger[]> Recombine(BigInteger[] f, List<BigInteger[]> lifted, BigInteger modulus)
    {
        var result = new List<BigInteger[]>();
        var remaining = lifted;
        for (int size = 1; 2 * size <= remaining.Count;)
        {
            bool found = false;
            foreach (var subset in Combinations(remaining.Count, size))
            {
                Poly.Check();
                var lead = f[^1];
                // A cheap test first: the constant term of a factor divides lc(f) * f(0).
                var constant = Dense.Symmetric(subset.Aggregate(lead, (c, i) => c * remaining[i][0] % modulus), modulus);
                if (constant.IsZero || !(lead * f[0] % constant).IsZero) continue;
                var candidate = Dense.Symmetric(subset.Aggregate(new[] { lead }, (g, i) => Dense.Mod(Dense.Multiply(g, remaining[i]), modulus)), modulus);
                if (Dense.TryDivide(Dense.Scale(f, lead), candidate) is not { } quotient) continue;
                result.Add(Dense.Primitive(candidate));
                f = Dense.Primitive(quotient);
                remaining = remaining.Where((_, i) => !subset.Contains(i)).ToList();
                found = true;
                break;
            }
            if (!found) size++;
        }
        if (f.Length > 1) result.Add(f);
        return result;
    }

    private static IEnumerable<int[]> Combinations(int n, int k)
    {
        var c = Enumerable.Range(0, k).ToArray();
        while (true)
        {
            yield return (int[])c.Clone();
            int i = k - 1;
            while (i >= 0 && c[i] == n - k + i) i--;
            if (i < 0) yield break;
            c[i]++;
            for (int j = i + 1; j < k; j++) c[j] = c[j - 1] + 1;
        }
    }
}

/// <summary>Dense polynomials over Z or Z/m (BigInteger coefficients, lowest power first, no trailing zeros).</summary>
internal static class Dense
{
    public static BigInteger[] Trim(BigInteger[] a)
    {
        int n = a.Length;
        while (n > 0 && a[n - 1].IsZero) n--;
        return n == a.Length ? a : a[..n];
    }

    public static BigInteger[] Mod(BigInteger[] a, BigInteger m) => Trim(a.Select(c => (c % m + m) % m).ToArray());

    /// <summary>Coefficients in (-m/2, m/2].</summary>
    public static BigInteger[] Symmetric(BigInteger[] a, BigInteger m) => Trim(a.Select(c => Symmetric(c, m)).ToArray());

    public static BigInteger Symmetric(BigInteger c, BigInteger m)
    {
        c = (c % m + m) % m;
        return c > m / 2 ? c - m : c;
    }

    public static BigInteger[] Add(BigInteger[] a, BigInteger[] b)
    {
        var sum = new BigInteger[Math.Max(a.Length, b.Length)];
        for (int i = 0; i < sum.Length; i++) sum[i] = (i < a.Length ? a[i] : 0) + (i < b.Length ? b[i] : 0);
        return Trim(sum);
    }

    public static BigInteger[] Subtract(BigInteger[] a, BigInteger[] b) => Add(a, Scale(b, -1));

    public static BigInteger[] Scale(BigInteger[] a, BigInteger c) => Trim(a.Select(x => x * c).ToArray());

    public static BigInteger[] Multiply(BigInteger[] a, BigInteger[] b)
    {
        if (a.Length == 0 || b.Length == 0) return [];
        var product = new BigInteger[a.Length + b.Length - 1];
        for (int i = 0; i < a.Length; i++)
            for (int j = 0; j < b.Length; j++) product[i + j] += a[i] * b[j];
        return Trim(product);
    }

    /// <summary>Division by a monic b modulo m.</summary>
    public static (BigInteger[] Quotient, BigInteger[] Remainder) DivRemMonic(BigInteger[] a, BigInteger[] b, BigInteger m)
    {
        var r = Mod(a, m).ToArray();
        if (r.Length < b.Length) return ([], r);
        var q = new BigInteger[r.Length - b.Length + 1];
        for (int k = r.Length - b.Length; k >= 0; k--)
        {
            var c = r[k + b.Length - 1] % m;
            q[k] = c;
            if (c.IsZero) continue;
            for (int j = 0; j < b.Length; j++) r[k + j] = (r[k + j] - c * b[j]) % m;
        }
        return (Mod(q, m), Mod(r, m));
    }

    /// <summary>The exact quotient over Z, or null.</summary>
    public static BigInteger[]? TryDivide(BigInteger[] a, BigInteger[] b)
    {
        if (a.Length < b.Length) return a.Length == 0 ? [] : null;
        var r = (BigInteger[])a.Clone();
        var q = new BigInteger[a.Length - b.Length + 1];
        for (int k = q.Length - 1; k >= 0; k--)
        {
            var (c, rem) = BigInteger.DivRem(r[k + b.Length - 1], b[^1]);
            if (!rem.IsZero) return null;
            q[k] = c;
            for (int j = 0; j < b.Length; j++) r[k + j] -= c * b[j];
        }
        return r.All(c => c.IsZero) ? Trim(q) : null;
    }

    public static BigInteger[] Primitive(BigInteger[] a)
    {
        var g = a.Aggregate(BigInteger.Zero, BigInteger.GreatestCommonDivisor);
        if (a[^1].Sign < 0) g = -g;
        return a.Select(c => c / g).ToArray();
    }
}
