// Explicit transforms: Substitute and Expand. Both rebuild bottom-up through Traversal.Rewrite,
// so they are iterative, visit shared nodes once and keep sharing in their results.
namespace Hybrid.Symbolic;

internal static class Transforms
{
    /// <summary>The most terms Expand may produce before it refuses.</summary>
    public const int MaxExpandedTerms = 1_000_000;

    public static Expr Substitute(Expr root, IReadOnlyDictionary<Expr, Expr> replacements) =>
        Traversal.Rewrite(root, (node, children) =>
            replacements.TryGetValue(node, out var replacement) ? replacement : Traversal.WithChildren(node, children));

    public static Expr Expand(Expr root, int maxTerms = MaxExpandedTerms) =>
        Traversal.Rewrite(root, (node, children) =>
        {
            var rebuilt = Traversal.WithChildren(node, children);
            return rebuilt switch
            {
                Product product => Distribute(product.Children.ToArray(), maxTerms),
                Power { Base: Sum, Exponent: Number { Value: { IsInteger: true, Sign: > 0 } n } } power => ExpandPower(power.Base, n, maxTerms),
                Power { Base: Sum, Exponent: Number { Value: { IsInteger: true, Sign: < 0 } n } } power => Build.Pow(ExpandPower(power.Base, -n, maxTerms), Build.MinusOne),
                _ => rebuilt,
            };
        });

    private static Expr ExpandPower(Expr sum, Rational exponent, int maxTerms)
    {
        if (exponent.Numerator > maxTerms)
            throw new InvalidOperationException($"Expand refuses ({sum})^{exponent}: the exponent is above the limit of {maxTerms} terms.");
        var result = sum;
        for (int i = 1; i < (int)exponent.Numerator; i++) result = Distribute([result, sum], maxTerms);
        return result;
    }

    // Multiplies out the sums among the factors: (a + b)(c + d) = ac + ad + bc + bd.
    private static Expr Distribute(Expr[] factors, int maxTerms)
    {
        var terms = new List<Expr> { Build.One };
        foreach (var factor in factors)
        {
            var parts = factor is Sum s ? s.Children.ToArray() : [factor];
            long count = (long)terms.Count * parts.Length;
            if (count > maxTerms)
                throw new InvalidOperationException($"Expand would produce {count} terms, above the limit of {maxTerms}.");
            var next = new List<Expr>((int)count);
            foreach (var t in terms)
                foreach (var p in parts)
                    next.Add(Build.Multiply(t, p));
            terms = next;
        }
        return Build.Add(terms);
    }
}
