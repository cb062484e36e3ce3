// Polynomials over the field Z/p for a small odd prime p (long coefficients in [0, p), lowest power
// first, no trailing zeros), and their factorization: distinct-degree splitting, then Cantor and
// Zassenhaus's random equal-degree splitting. Feeds the Hensel lifting of PolyFactor.
using System.Numerics;

namespace Hybrid.Symbolic;

internal static class ModP
{
    public static long[] Trim(long[] a)
    {
        int n = a.Length;
        while (n > 0 && a[n - 1] == 0) n--;
        return n == a.Length ? a : a[..n];
    }

    public static int Degree(long[] a) => a.Length - 1;

    public static long[] From(BigInteger[] a, long p) => Trim(a.Select(c => (long)((c % p + p) % p)).ToArray());

    public static long Inverse(long a, long p) => (long)BigInteger.ModPow(a, p - 2, p);

    public static long[] Monic(long[] a, long p)
    {
        long inverse = Inverse(a[^1], p);
        return a.Select(c => c * inverse % p).ToArray();
    }

    public static long[] Subtract(long[] a, long[] b, long p)
    {
        var result = new long[Math.Max(a.Length, b.Length)];
        for (int i = 0; i < result.Length; i++) result[i] = ((i < a.Length ? a[i] : 0) - (i < b.Length ? b[i] : 0) + p) % p;
        return Trim(result);
    }

    public static long[] Multiply(long[] a, long[] b, long p)
    {
        if (a.Length == 0 || b.Length == 0) return [];
        var product = new long[a.Length + b.Length - 1];
        for (int i = 0; i < a.Length; i++)
        {
            if (a[i] == 0) continue;
            for (int j = 0; j < b.Length; j++) product[i + j] = (product[i + j] + a[i] * b[j]) % p;
        }
        return Trim(product);
    }

    public static (long[] Quotient, long[] Remainder) DivRem(long[] a, long[] b, long p)
    {
        var r = (long[])a.Clone();
        if (a.Length < b.Length) return ([], Trim(r));
        long inverse = Inverse(b[^1], p);
        var q = new long[a.Length - b.Length + 1];
        for (int k = q.Length - 1; k >= 0; k--)
        {
            long c = r[k + b.Length - 1] * inverse % p;
            q[k] = c;
            if (c == 0) continue;
            for (int j = 0; j < b.Length; j++) r[k + j] = ((r[k + j] - c * b[j]) % p + p) % p;
        }
        return (Trim(q), Trim(r));
    }

    public static long[] Gcd(long[] a, long[] b, long p)
    {
        while (b.Length > 0) (a, b) = (b, DivRem(a, b, p).Remainder);
        return a.Length == 0 ? a : Monic(a, p);
    }

    /// <summary>s, t with s*a + t*b = 1 (a and b coprime), deg s &lt; deg b, deg t &lt; deg a.</summary>
    public static (long[] S, long[] T) Bezout(long[] a, long[] b, long p)
    {
        long[] r0 = a, r1 = b, s0 = [1], s1 = [], t0 = [], t1 = [1];
        while (r1.Length > 0)
        {
            var (q, r) = DivRem(r0, r1, p);
            (r0, r1) = (r1, r);
            (s0, s1) = (s1, Subtract(s0, Multiply(q, s1, p), p));
            (t0, t1) = (t1, Subtract(t0, Multiply(q, t1, p), p));
        }
        long inverse = Inverse(r0[0], p);   // r0 is a non-zero constant
        return (s0.Select(c => c * inverse % p).ToArray(), t0.Select(c => c * inverse % p).ToArray());
    }

    public static long[] Derivative(long[] a, long p) => Trim(a.Skip(1).Select((c, i) => c * (i + 1) % p).ToArray());

    private static long[] PowMod(long[] b, BigInteger exponent, long[] modulus, long p)
    {
        long[] result = [1];
        b = DivRem(b, modulus, p).Remainder;
        for (int bit = (int)exponent.GetBitLength() - 1; bit >= 0; bit--)
        {
            Poly.Check();
            result = DivRem(Multiply(result, result, p), modulus, p).Remainder;
            if (!((exponent >> bit) & 1).IsZero) result = DivRem(Multiply(result, b, p), modulus, p).Remainder;
        }
        return result;
    }

    /// <summary>The monic irreducible factors of a monic square-free f.</summary>
    public static List<long[]> Factor(long[] f, long p)
    {
        var factors = new List<long[]>();
        long[] x = [0, 1];
        var h = x;
        for (int d = 1; 2 * d <= Degree(f); d++)
        {
            h = PowMod(h, p, f, p);   // x^(p^d) mod f
            var g = Gcd(f, Subtract(h, x, p), p);
            if (Degree(g) <= 0) continue;
            SplitEqualDegree(g, d, p, new Random(d), factors);
            f = DivRem(f, g, p).Quotient;
            h = DivRem(h, f, p).Remainder;
        }
        if (Degree(f) > 0) factors.Add(f);
        return factors;
    }

    // g is a product of irreducibles of degree d: a random a splits it with probability about 1/2,
    // by gcd(g, a^((p^d - 1)/2) - 1).
    private static void SplitEqualDegree(long[] g, int d, long p, Random random, List<long[]> factors)
    {
        if (Degree(g) == d) { factors.Add(g); return; }
        var exponent = (BigInteger.Pow(p, d) - 1) / 2;
        while (true)
        {
            var a = Trim(Enumerable.Range(0, Degree(g)).Select(_ => random.NextInt64(p)).ToArray());
            if (Degree(a) < 1) continue;
            var h = Gcd(g, Subtract(PowMod(a, exponent, g, p), [1], p), p);
            if (Degree(h) <= 0 || Degree(h) == Degree(g)) continue;
            SplitEqualDegree(h, d, p, random, factors);
            SplitEqualDegree(DivRem(g, h, p).Quotient, d, p, random, factors);
            return;
        }
    }
}

/// <summary>Hensel lifting of a factorization modulo p to one modulo p^k (von zur Gathen and Gerhard, algorithms 15.10 and 15.17).</summary>
internal static class Hensel
{
    /// <summary>Monic factors modulo p^k whose product times lc(f) is f modulo p^k.</summary>
    public static List<BigInteger[]> Lift(BigInteger[] f, List<long[]> factors, long p, int k)
    {
        var modulus = BigInteger.Pow(p, k);
        if (factors.Count == 1)
        {
            var inverse = BigInteger.ModPow(f[^1], modulus / p * (p - 1) - 1, modulus);   // lc^-1 by Euler (phi(p^k) = p^(k-1)(p-1))
            return [Dense.Mod(Dense.Scale(f, inverse), modulus)];
        }
        int half = factors.Count / 2;
        var (first, second) = (factors.Take(half).ToList(), factors.Skip(half).ToList());
        var g0 = ModP.Multiply(ModP.From([f[^1]], p), first.Aggregate((a, b) => ModP.Multiply(a, b, p)), p);
        var h0 = second.Aggregate((a, b) => ModP.Multiply(a, b, p));
        var (s0, t0) = ModP.Bezout(g0, h0, p);
        BigInteger[] g = ToBig(g0), h = ToBig(h0), s = ToBig(s0), t = ToBig(t0);
        for (BigInteger m = p; m < modulus; m *= m) (g, h, s, t) = Step(f, g, h, s, t, m);
        return [.. Lift(Dense.Mod(g, modulus), first, p, k), .. Lift(Dense.Mod(h, modulus), second, p, k)];
    }

    private static BigInteger[] ToBig(long[] a) => a.Select(c => (BigInteger)c).ToArray();

    // From f = g h, s g + t h = 1 (mod m), h monic: the same modulo m^2.
    private static (BigInteger[], BigInteger[], BigInteger[], BigInteger[]) Step(BigInteger[] f, BigInteger[] g, BigInteger[] h, BigInteger[] s, BigInteger[] t, BigInteger m)
    {
        Poly.Check();
        var m2 = m * m;
        var e = Dense.Mod(Dense.Subtract(f, Dense.Multiply(g, h)), m2);
        var (q, r) = Dense.DivRemMonic(Dense.Multiply(s, e), h, m2);
        var gNext = Dense.Mod(Dense.Add(Dense.Add(g, Dense.Multiply(t, e)), Dense.Multiply(q, g)), m2);
        var hNext = Dense.Mod(Dense.Add(h, r), m2);
        var b = Dense.Mod(Dense.Subtract(Dense.Add(Dense.Multiply(s, gNext), Dense.Multiply(t, hNext)), [1]), m2);
        var (c, d) = Dense.DivRemMonic(Dense.Multiply(s, b), hNext, m2);
        var sNext = Dense.Mod(Dense.Subtract(s, d), m2);
        var tNext = Dense.Mod(Dense.Subtract(Dense.Subtract(t, Dense.Multiply(t, b)), Dense.Multiply(c, gNext)), m2);
        return (gNext, hNext, sNext, tNext);
    }
}
