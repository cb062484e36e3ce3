// Simplify: sound rewriting beyond the canonical form, within a budget. Each round applies the
// local rules below bottom-up, also to the expanded form, and keeps the smallest candidate (tree
// size). Rounds stop at a fixed point, after MaxRounds, or at the deadline (with the best so far),
// so Simplify always terminates, and in bounded time.
// Every rule keeps the value wherever the input is defined:
//   exp(log u) = u                      (log u defined means u > 0)
//   exp(c log u) = u^c                  (same domain)
//   c sin(u)^2 + c cos(u)^2 = c,  c cosh(u)^2 - c sinh(u)^2 = c
//   N/D = (N/g)/(D/g), g = gcd(N, D)    (univariate polynomials; where D != 0)
//   Σ nᵢ/dᵢ = N/L over the least common denominator L, then cancelled (univariate rational functions;
//                                       where every dᵢ != 0), kept only when smaller
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
        var best = root;
        long bestSize = Traversal.TreeSize(root);
        var current = root;
        try
        {
            for (int round = 0; round < MaxRounds; round++)
            {
                var candidates = new List<Expr> { ApplyRules(current, deadline) };
                int size = Traversal.DagSize(current);
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

    private static Expr ApplyRules(Expr root, Deadline deadline) =>
        Traversal.Rewrite(root, (node, children) => LocalWithin(node, children, deadline), deadline);

    // A node rebuilt from its simplified children, then rewritten by the local rules; where the arithmetic of
    // either meets a limit (numbers past Limits.MaxBits), the node stays as it was, which has the same value.
    private static Expr LocalWithin(Expr node, Expr[] children, Deadline deadline)
    {
        try { return Local(Traversal.WithChildren(node, children), deadline); }
        catch (LimitExceededException e) when (e.Limit != Deadline.TimeoutLimit) { return node; }
    }

    private static Expr Local(Expr node, Deadline deadline) => node switch
    {
        Call { Primitive.Name: "exp", Args: [Call { Primitive.Name: "log" } log] } => log.Args[0],
        Call { Primitive.Name: "exp", Args: [Product { Args: [Number c, Call { Primitive.Name: "log" } log] }] } => Build.Pow(log.Args[0], c),
        Product product => CancelFraction(product, deadline),
        Sum sum => Pythagoras(sum) switch { Sum rest => Together(rest, deadline), var other => other },
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

    // A sum of rational functions of one variable over its least common denominator, cancelled: SymPy's
    // together-then-cancel. Kept only when the result is smaller (x + 1/x stays as it is).
    private static Expr Together(Sum sum, Deadline deadline)
    {
        if (!sum.Args.Any(t => t is Power { Exponent: Number { Value.Sign: < 0 } } || t is Product p && p.Args.Any(f => f is Power { Exponent: Number { Value.Sign: < 0 } })))
            return sum;
        var symbols = FreeSymbols.Of(sum);
        if (symbols.Count != 1) return sum;
        var x = symbols[0];
        var parts = new List<(Polynomial N, Polynomial D)>();
        foreach (var term in sum.Args)
        {
            if (Fraction(term, x, deadline) is not { } part) return sum;
            parts.Add(part);
        }
        var denominator = parts[0].D;
        foreach (var (_, d) in parts.Skip(1))
        {
            var g = Polynomial.Gcd(denominator, d, deadline);
            if (denominator.Times(d.DivideBy(g).Quotient) is not { } lcm) return sum;
            denominator = lcm;
        }
        var numerator = parts.Select(p => p.N.Times(denominator.DivideBy(p.D).Quotient)).ToList();
        if (numerator.Any(n => n is null)) return sum;
        var total = numerator.Aggregate((a, b) => a!.Plus(b!))!;
        var gcd = Polynomial.Gcd(total, denominator, deadline);
        if (!gcd.IsZero && gcd.Degree >= 1) (total, denominator) = (total.DivideBy(gcd).Quotient, denominator.DivideBy(gcd).Quotient);
        var combined = Build.Multiply(total.ToExpr(x), Build.Pow(denominator.ToExpr(x), Build.MinusOne));
        return Traversal.TreeSize(combined) < Traversal.TreeSize(sum) ? combined : sum;
    }

    // A term as numerator and denominator polynomials in x (factors with negative integer exponents go below), or null.
    private static (Polynomial N, Polynomial D)? Fraction(Expr term, Symbol x, Deadline deadline)
    {
        var factors = term is Product p ? p.Args : [term];
        bool Below(Expr f) => f is Power { Exponent: Number { Value: { IsInteger: true, Sign: < 0 } } };
        var numerator = Build.Multiply(factors.Where(f => !Below(f)));
        var denominator = Build.Multiply(factors.Where(Below).Select(f => Build.Pow(((Power)f).Base, Build.Multiply(Build.MinusOne, ((Power)f).Exponent))));
        try
        {
            return Polynomial.From(Transforms.Expand(numerator, 10_000, deadline), x) is { } n && Polynomial.From(Transforms.Expand(denominator, 10_000, deadline), x) is { IsZero: false } d
                ? (n, d) : null;
        }
        catch (LimitExceededException e) when (e.Limit != Deadline.TimeoutLimit) { return null; }
    }

    // N/D with N and D polynomials in one variable: divide both by their gcd.
    private static Expr CancelFraction(Expr node, Deadline deadline)
    {
        if (node is not Product product) return node;
        var denominatorFactors = product.Args.Where(f => f is Power { Exponent: Number { Value.Sign: < 0 } }).ToList();
        if (denominatorFactors.Count == 0) return node;
        var symbols = FreeSymbols.Of(node);
        if (symbols.Count != 1) return node;
        var x = symbols[0];
        var numerator = Build.Multiply(product.Args.Where(f => !denominatorFactors.Contains(f)));
        var denominator = Build.Multiply(denominatorFactors.Select(f => Build.Pow(((Power)f).Base, Build.Multiply(Build.MinusOne, ((Power)f).Exponent))));
        Expr expandedN, expandedD;
        try { (expandedN, expandedD) = (Transforms.Expand(numerator, 10_000, deadline), Transforms.Expand(denominator, 10_000, deadline)); }
        catch (LimitExceededException e) when (e.Limit != Deadline.TimeoutLimit) { return node; }
        if (Polynomial.From(expandedN, x) is not { } n || Polynomial.From(expandedD, x) is not { } d || d.IsZero) return node;
        var gcd = Polynomial.Gcd(n, d, deadline);
        if (gcd.Degree < 1) return node;
        var reducedN = n.DivideBy(gcd).Quotient.ToExpr(x);
        var reducedD = d.DivideBy(gcd).Quotient.ToExpr(x);
        return Build.Multiply(reducedN, Build.Pow(reducedD, Build.MinusOne));
    }
}
