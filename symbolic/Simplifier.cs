// Simplify: sound rewriting beyond the canonical form, within a budget. Each round applies the
// local rules below bottom-up, also to the expanded form, and keeps the smallest candidate (tree
// size). Rounds stop at a fixed point, after MaxRounds, or at the deadline (with the best so far),
// so Simplify always terminates, and in bounded time.
// Every rule keeps the value wherever the input is defined:
//   exp(log u) = u                      (log u defined means u > 0)
//   exp(c log u) = u^c                  (same domain)
//   c sin(u)^2 + c cos(u)^2 = c,  c cosh(u)^2 - c sinh(u)^2 = c
//   N/D = (N/g)/(D/g), g = gcd(N, D)    (polynomials over generators, RationalForm; where D != 0)
//   Σ nᵢ/dᵢ = N/L over the least common denominator L, then cancelled (where every dᵢ != 0),
//                                       kept only when smaller
//   the rational normal form of the whole expression (RationalForm, with its relations between
//                                       generators), as a candidate of each round
namespace Hybrid.Symbolic;

internal static class Simplifier
{
    private const int MaxRounds = 4;

    // Expanding pays only where terms cancel; an expansion far larger than its input ((x+1)^3000) never
    // comes back smaller, so Simplify tries it only up to this many terms per node of the input.
    private const int ExpansionPerNode = 10;

    // Simplify never fails: past the deadline it returns the best form found in the rounds that finished,
    // and a rule that meets a limit (an exact number past Limits.MaxBits) leaves its node as it is.
    public static Expr Simplify(Expr root, int budget, Deadline deadline)
    {
        var outer = localResults;
        localResults = [];
        try { return Poly.Within(deadline, () => Search(root, budget, deadline)); }
        finally { localResults = outer; }
    }

    private static Expr Search(Expr root, int budget, Deadline deadline)
    {
        var best = root;
        long bestSize = Traversal.TreeSize(root);
        var current = root;
        try
        {
            for (int round = 0; round < MaxRounds; round++)
            {
                var candidates = new List<Expr>();
                int size = Traversal.DagSize(current);
                if (size <= budget)
                {
                    // The rational normal form first: when it is a number (zero, most often) nothing is smaller.
                    try { candidates.AddRange(NormalForms(current)); }
                    catch (LimitExceededException e) when (e.Limit != Deadline.TimeoutLimit) { /* a polynomial over its limits: no normal form */ }
                    if (candidates.FirstOrDefault(c => c.IsNumber) is { } number) return number;
                    for (int i = 0; i < candidates.Count; i++) candidates[i] = ApplyRules(candidates[i], deadline);
                }
                candidates.Add(ApplyRules(current, deadline));
                if (size <= budget)
                {
                    int maxTerms = (int)Math.Min(budget, Math.Max(1000L, (long)ExpansionPerNode * size));
                    try { candidates.Add(ApplyRules(Transforms.Expand(current, maxTerms, deadline), deadline)); }
                    catch (LimitExceededException e) when (e.Limit != Deadline.TimeoutLimit) { /* expansion over budget: keep the unexpanded candidate */ }
                }
                var (next, nextSize) = candidates.Select(c => (c, Traversal.TreeSize(c))).MinBy(c => c.Item2);
                if (nextSize < bestSize) (best, bestSize) = (next, nextSize);
                if (next.Equals(current)) break;
                current = next;
            }
        }
        catch (LimitExceededException e) when (e.Limit == Deadline.TimeoutLimit) { /* out of time: the best so far */ }
        catch (OperationCanceledException) { /* cancelled: the best so far */ }
        return best;
    }

    // The local rules of one Simplify call remember their results: the rounds and candidates meet the
    // same subexpressions again and again (structural equality, so equal copies share one entry).
    [ThreadStatic] private static Dictionary<Expr, Expr>? localResults;

    private static Expr ApplyRules(Expr root, Deadline deadline) =>
        Traversal.Rewrite(root, (node, children) => LocalWithin(node, children), deadline);

    // A node rebuilt from its simplified children, then rewritten by the local rules; where the arithmetic of
    // either meets a limit (numbers past Limits.MaxBits), the node stays as it was, which has the same value.
    private static Expr LocalWithin(Expr node, Expr[] children)
    {
        var rebuilt = Traversal.WithChildren(node, children);
        if (localResults!.TryGetValue(rebuilt, out var known)) return known;
        Expr result;
        try { result = Local(rebuilt); }
        catch (LimitExceededException e) when (e.Limit != Deadline.TimeoutLimit) { result = rebuilt; }
        return localResults[rebuilt] = result;
    }

    private static Expr Local(Expr node) => node switch
    {
        Call { Primitive.Name: "exp", Args: [Call { Primitive.Name: "log" } log] } => log.Args[0],
        Call { Primitive.Name: "exp", Args: [Product { Args: [Number c, Call { Primitive.Name: "log" } log] }] } => Build.Pow(log.Args[0], c),
        Product product => Rational(product),
        Sum sum => Pythagoras(sum) switch { Sum rest => Rational(rest), var other => other },
        _ => node,
    };

    // Pairs c*sin(u)^2 with c*cos(u)^2 (and c*cosh(u)^2 with -c*sinh(u)^2) and replaces each pair by c.
    private static Expr Pythagoras(Sum sum)
    {
        var terms = sum.Args.ToList();
        bool changed = false;
        for (int i = 0; i < terms.Count; i++)
        {
            if (Squared(terms[i]) is not var (ci, fi, ui)) continue;
            for (int j = 0; j < terms.Count; j++)
            {
                if (i == j || Squared(terms[j]) is not var (cj, fj, uj) || !ui.Equals(uj)) continue;
                bool circular = fi == "sin" && fj == "cos" && ci.Equals(cj);
                bool hyperbolic = fi == "cosh" && fj == "sinh" && ci.Equals(Build.Multiply(Build.MinusOne, cj));
                if (!circular && !hyperbolic) continue;
                terms[i] = ci;
                terms.RemoveAt(j);
                changed = true;
                break;
            }
        }
        return changed ? Build.Add(terms) : sum;
    }

    private static (Expr Coefficient, string Function, Expr Argument)? Squared(Expr term)
    {
        var (coefficient, rest) = Build.SplitCoefficient(term);
        return rest is Power { Base: Call { Primitive.Name: "sin" or "cos" or "sinh" or "cosh" } call, Exponent: Number { Value: { IsInteger: true } two } } && two == 2
            ? (coefficient, call.Primitive.Name, call.Args[0]) : null;
    }

    // A sum or quotient as one fraction over its generators, cancelled (RationalForm): kept only when
    // smaller, so x + 1/x stays as it is. Shallow: arguments of calls were simplified bottom-up already.
    private static Expr Rational(Expr node)
    {
        if (!HasDenominator(node)) return node;
        if (RationalForm.TryCreate([node], deep: false, quick: true) is not ({ } form, [var fraction])) return node;
        // Expanded only: the factored shape costs a square-free decomposition at every node and, measured
        // on the corpus, changes no result (the whole expression's normal form tries it each round).
        var candidate = form.Expanded(fraction);
        return Traversal.TreeSize(candidate) < Traversal.TreeSize(node) ? candidate : node;
    }

    private static bool HasDenominator(Expr node) => node switch
    {
        Power { Exponent: Number { Value.Sign: < 0 } } => true,
        Product or Sum => node.Args.Any(HasDenominator),
        _ => false,
    };

    // The whole expression in rational normal form, function arguments included (deep), expanded and
    // compact (each side expanded or square-free factored): Simplify's strongest candidates.
    private static IEnumerable<Expr> NormalForms(Expr root)
    {
        if (RationalForm.TryCreate([root], deep: true) is not ({ } form, [var fraction])) return [];
        return [form.Expanded(fraction), form.Compact(fraction)];
    }
}
