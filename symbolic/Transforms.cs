// Explicit transforms: Substitute and Expand. Both rebuild bottom-up through Traversal.Rewrite,
// so they are iterative, visit shared nodes once and keep sharing in their results.
namespace Hybrid.Symbolic;

internal static class Transforms
{
    public static Expr Substitute(Expr root, IReadOnlyDictionary<Expr, Expr> replacements) =>
        Traversal.Rewrite(root, (node, children) =>
            replacements.TryGetValue(node, out var replacement) ? replacement : Traversal.WithChildren(node, children));

    public static Expr Expand(Expr root, int maxTerms, Deadline deadline) =>
        Traversal.Rewrite(root, (node, children) =>
        {
            var rebuilt = Traversal.WithChildren(node, children);
            return rebuilt switch
            {
                Product product => Distribute(product.Children.ToArray(), maxTerms, deadline),
                Power { Base: Sum, Exponent: Number { Value: { IsInteger: true, Sign: > 0 } n } } power => ExpandPower(power.Base, n, maxTerms, deadline),
                Power { Base: Sum, Exponent: Number { Value: { IsInteger: true, Sign: < 0 } n } } power => Build.Pow(ExpandPower(power.Base, -n, maxTerms, deadline), Build.MinusOne),
                _ => rebuilt,
            };
        }, deadline);

    // (t1 + ... + tm)^n by the multinomial theorem: one term per composition k1 + ... + km = n,
    // with coefficient n!/(k1!...km!). The term count C(n+m-1, m-1) is checked before any work.
    private static Expr ExpandPower(Expr sum, Rational exponent, int maxTerms, Deadline deadline)
    {
        var terms = sum.Args;
        int m = terms.Count;
        var count = Binomial(exponent.Numerator + m - 1, m - 1, maxTerms);
        if (count > maxTerms)
            throw new LimitExceededException($"Expand refuses ({Describe(sum)})^{exponent}: it would produce more than {maxTerms} terms, the limit (Limits.MaxExpandedTerms).", nameof(Limits.MaxExpandedTerms));
        int n = (int)exponent.Numerator;
        var result = new List<Expr>((int)count);
        var k = new int[m];
        k[m - 1] = n;
        System.Numerics.BigInteger coefficient = 1;
        while (true)
        {
            deadline.Check();
            var factors = new List<Expr> { Build.Number(coefficient) };
            for (int i = 0; i < m; i++) if (k[i] > 0) factors.Add(Build.Pow(terms[i], Build.Number(k[i])));
            result.Add(Build.Multiply(factors));
            // Next composition in lexicographic order of (k0, ..., k_{m-2}); k_{m-1} takes the rest.
            int j = m - 2;
            bool carried = false;
            while (j >= 0 && k[m - 1] == 0) { k[m - 1] += k[j]; k[j] = 0; j--; carried = true; }
            if (j < 0) break;
            // Moving one unit from k_{m-1} to k_j multiplies n!/(k0!...k_{m-1}!) by k_{m-1}/(k_j + 1), exactly;
            // after a carry (rare: once per k_{m-1} = 0) it is computed afresh.
            if (!carried) coefficient = coefficient * k[m - 1] / (k[j] + 1);
            k[j]++;
            k[m - 1]--;
            if (carried) coefficient = Multinomial(n, k);
        }
        return Build.Add(result);
    }

    // A sum in a message: itself when short, else its size (a message must not be megabytes long).
    private static string Describe(Expr sum) => sum.DagSize() <= 50 ? sum.ToString() : $"a sum of {sum.Args.Count} terms";

    private static System.Numerics.BigInteger Multinomial(int n, int[] k)
    {
        System.Numerics.BigInteger result = 1;
        int placed = 0;
        foreach (var ki in k)
        {
            for (int i = 1; i <= ki; i++) result = result * (placed + i) / i;
            placed += ki;
        }
        return result;
    }

    // C(n, r), or any value above cap once it exceeds the cap (so the caller can refuse cheaply).
    private static long Binomial(System.Numerics.BigInteger n, int r, long cap)
    {
        System.Numerics.BigInteger result = 1;
        for (int i = 1; i <= r; i++)
        {
            result = result * (n - r + i) / i;
            if (result > cap) return cap + 1;
        }
        return (long)result;
    }

    // Multiplies out the sums among the factors: (a + b)(c + d) = ac + ad + bc + bd.
    private static Expr Distribute(Expr[] factors, int maxTerms, Deadline deadline)
    {
        var terms = new List<Expr> { Build.One };
        foreach (var factor in factors)
        {
            var parts = factor is Sum s ? s.Children.ToArray() : [factor];
            long count = (long)terms.Count * parts.Length;
            if (count > maxTerms)
                throw new LimitExceededException($"Expand would produce {count} terms, above the limit of {maxTerms} (Limits.MaxExpandedTerms).", nameof(Limits.MaxExpandedTerms));
            var next = new List<Expr>((int)count);
            foreach (var t in terms)
            {
                deadline.Check();
                foreach (var p in parts) next.Add(Build.Multiply(t, p));
            }
            terms = next;
        }
        return Build.Add(terms);
    }
}
