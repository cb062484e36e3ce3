// Simplify: sound rewriting beyond the canonical form, within a budget. Each round applies the
// local rules below bottom-up, also to the expanded form, and keeps the smallest candidate (tree
// size). Rounds stop at a fixed point, after MaxRounds, or at the deadline (with the best so far),
// so Simplify always terminates, and in bounded time.
// Every rule keeps the value wherever the input is defined:
//   exp(log u) = u                      (log u defined means u > 0)
//   sin(asin v) = v and the like        (see Inverse: on the inner function's domain)
//   (u^k)^r = |u|^(k r), k even         (sqrt(x^2) = |x|)
//   sin(v)^p/cos(v)^p = tan(v)^p        (and cot, tanh, coth: same domain)
//   abs(u) = u for u >= 0, -u for u <= 0; sign(u) = 1 for u > 0, -1 for u < 0  (Signs: assumptions, ranges)
//   sign(u)*abs(u) = u                  (everywhere)
//   sqrt(a + b sqrt(c)) denested        (rationals, when a^2 - b^2 c is a rational square; see Denest)
//   log(a*b) = log(a) + log(b)          (every factor positive, by Signs)
//   log(u^p) = p*log(u)                 (u positive by Signs; or p not an integer: u^p needs u >= 0, log u^p > 0)
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
        var bestSize = Cost(root);
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
                    try { candidates.AddRange(NormalForms(current, deadline)); }
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
                var (next, nextSize) = candidates.Select(c => (c, Cost(c))).MinBy(c => c.Item2);
                if (nextSize.CompareTo(bestSize) < 0) (best, bestSize) = (next, nextSize);
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

    // The score of a candidate: the tree size (so the result is never larger than the input), then on a
    // tie the operation count as SymPy's count_ops counts it (each +, *, ^ and function once): 3*x^2 (2
    // operations) over 3*x*abs(x) (3), both of 5 nodes.
    private static (long Size, long Operations) Cost(Expr e)
    {
        long operations = 0;
        foreach (var node in Traversal.PostOrder(e))
            operations += node switch { Sum or Product => node.Args.Count - 1, Power or Call => 1, _ => 0 };
        return (Traversal.TreeSize(e), operations);
    }

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
        Call { Args: [Call log] } exp when exp.Of(Primitives.Exp) && log.Of(Primitives.Log) => log.Args[0],
        Call { Args: [Product { Args: [Number c, Call log] }] } exp when exp.Of(Primitives.Exp) && log.Of(Primitives.Log) => Build.Pow(log.Args[0], c),
        Call { Args: [Call inner] } outer when Inverse(outer.Primitive, inner.Primitive) is { } rule => rule(inner.Args[0]),
        Call { Args: [var u] } abs when abs.Of(Primitives.Abs) && Signs.Of(u) is var sign && (sign.IsNonnegative || sign.IsNonpositive)
            => sign.IsNonnegative ? u : Build.Multiply(Build.MinusOne, u),
        Call { Args: [var u] } sign when sign.Of(Primitives.Sign) && Signs.Of(u) is var s && (s.IsPositive || s.IsNegative)
            => s.IsPositive ? Build.One : Build.MinusOne,
        Call { Args: [var u] } log when log.Of(Primitives.Log) && TranscendentalForm.SplitLog(u) is { } split => split,
        Power { Base: Sum sum, Exponent: Number { Value: var half } } when half == new Symbolic.Rational(1, 2) && Denest(sum) is { } denested => denested,
        // (u^k)^r = |u|^(k r) for an even k: u^k = |u|^k >= 0, and powers of a non-negative base multiply.
        Power { Base: Power { Base: var u, Exponent: Number { Value: { IsInteger: true, IsZero: false } k } }, Exponent: Number { Value: var r } }
            when k.Numerator.IsEven => Build.Pow(Primitives.Abs.Apply(u), Build.Number(k * r)),
        Product product => ProductRules(product),
        Sum sum => Pythagoras(sum) switch { Sum rest => Rational(rest), var other => other },
        _ => node,
    };

    // sign(u)*abs(u) = u everywhere (both are 0 at 0); then the quotient and rational rules.
    private static Expr ProductRules(Product product)
    {
        foreach (var factor in product.Args)
            if (factor is Call { Args: [var u] } sign && sign.Of(Primitives.Sign)
                && product.Args.FirstOrDefault(f => f is Call abs && abs.Of(Primitives.Abs) && abs.Args[0].Equals(u)) is { } abs)
                return Build.Multiply(product.Args.Where(f => !ReferenceEquals(f, sign) && !ReferenceEquals(f, abs)).Append(u));
        return Rational(Quotients(product));
    }

    // sqrt(a + b sqrt(c)) = sqrt((a + d)/2) + sign(b) sqrt((a - d)/2) with d = sqrt(a^2 - b^2 c), for
    // rationals a, b, c when d is rational (square both sides: a + 2 sign(b) sqrt((a^2 - d^2)/4) = a + b sqrt c);
    // both roots are real where the input is (a >= d >= 0). sqrt(3 + 2 sqrt(2)) = 1 + sqrt(2).
    private static Expr? Denest(Sum sum)
    {
        if (sum.Args is not [Number { Value: var a }, var term]) return null;
        var (coefficient, rest) = Build.SplitCoefficient(term);
        if (coefficient is not Number { Value: var b } || rest is not Power { Base: Number { Value: var c }, Exponent: Number { Value: var h } } || h != new Symbolic.Rational(1, 2)) return null;
        var squared = a * a - b * b * c;
        if (squared.Sign < 0 || Build.Pow(Build.Number(squared), Build.Half) is not Number { Value: var d } || (a - d).Sign < 0) return null;
        var two = new Symbolic.Rational(2, 1);
        var first = Build.Pow(Build.Number((a + d) / two), Build.Half);
        var second = Build.Multiply(Build.Number(b.Sign), Build.Pow(Build.Number((a - d) / two), Build.Half));
        return Build.Add(first, second);
    }

    // f(g(v)) = v, or a closed form, on the domain of g: sin(asin v) = v and cos(asin v) = sqrt(1 - v^2)
    // for |v| <= 1 (where asin is defined; cos of an angle in [-pi/2, pi/2] is not negative), tan(atan v)
    // = v, sinh(asinh v) = v, cosh(acosh v) = v for v >= 1, tanh(atanh v) = v for |v| < 1. The other
    // order (asin(sin v) = v) holds only on part of the domain and is not applied.
    private static Func<Expr, Expr>? Inverse(Primitive outer, Primitive inner) =>
        identities.Contains((outer, inner)) ? v => v
        : (outer, inner) == (Primitives.Cos, Primitives.Asin) || (outer, inner) == (Primitives.Sin, Primitives.Acos)
            ? v => Build.Pow(Build.Add(Build.One, Build.Multiply(Build.MinusOne, Build.Pow(v, Build.Number(2)))), Build.Half)
        : null;

    // f(f⁻¹(v)) = v wherever f⁻¹(v) is defined (rows compared by reference).
    private static readonly (Primitive, Primitive)[] identities =
    [
        (Primitives.Sin, Primitives.Asin), (Primitives.Cos, Primitives.Acos), (Primitives.Tan, Primitives.Atan),
        (Primitives.Sinh, Primitives.Asinh), (Primitives.Cosh, Primitives.Acosh), (Primitives.Tanh, Primitives.Atanh),
    ];

    // sin(v)^p/cos(v)^p = tan(v)^p and cos(v)^p/sin(v)^p = cot(v)^p, and the same for sinh and cosh:
    // the trigonometric normal form back where it is shorter (same domain: the divisor is not zero).
    private static Expr Quotients(Product product)
    {
        var factors = product.Args.ToList();
        bool changed = false;
        foreach (var (top, bottom, quotient) in new[] { (Primitives.Sin, Primitives.Cos, Primitives.Tan), (Primitives.Cos, Primitives.Sin, Primitives.Cot), (Primitives.Sinh, Primitives.Cosh, Primitives.Tanh), (Primitives.Cosh, Primitives.Sinh, Primitives.Coth) })
            for (int i = 0; i < factors.Count; i++)
            {
                if (PowerOf(factors[i], top) is not var (v, p) || p.Sign <= 0) continue;
                int j = factors.FindIndex(f => PowerOf(f, bottom) is var (w, q) && w.Equals(v) && q == -p);
                if (j < 0) continue;
                factors[i] = Build.Pow(quotient.Apply(v), Build.Number(p));
                factors.RemoveAt(j);
                changed = true;
                if (j < i) i--;
            }
        return changed ? Build.Multiply(factors) : product;
    }

    // f(v)^p as (v, p) for the one-argument function f.
    private static (Expr Argument, Symbolic.Rational Power)? PowerOf(Expr factor, Primitive function) => factor switch
    {
        Call c when c.Of(function) => (c.Args[0], Symbolic.Rational.One),
        Power { Base: Call c, Exponent: Number n } when c.Of(function) => (c.Args[0], n.Value),
        _ => null,
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
                bool circular = fi == Primitives.Sin && fj == Primitives.Cos && ci.Equals(cj);
                bool hyperbolic = fi == Primitives.Cosh && fj == Primitives.Sinh && ci.Equals(Build.Multiply(Build.MinusOne, cj));
                if (!circular && !hyperbolic) continue;
                terms[i] = ci;
                terms.RemoveAt(j);
                changed = true;
                break;
            }
        }
        return changed ? Build.Add(terms) : sum;
    }

    private static (Expr Coefficient, Primitive Function, Expr Argument)? Squared(Expr term)
    {
        var (coefficient, rest) = Build.SplitCoefficient(term);
        return rest is Power { Base: Call call, Exponent: Number { Value: { IsInteger: true } two } } && two == 2
            && call.OfAny(Primitives.Sin, Primitives.Cos, Primitives.Sinh, Primitives.Cosh)
            ? (coefficient, call.Primitive, call.Args[0]) : null;
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
    // compact (each side expanded or square-free factored), then the same after the transcendental
    // rewrite (sin and cos of canonical angles with cos^2 + sin^2 = 1 taken either way, hyperbolic
    // functions through exp, abs through sign, radicals merged): Simplify's strongest candidates.
    private static IEnumerable<Expr> NormalForms(Expr root, Deadline deadline)
    {
        long size = Traversal.TreeSize(root);
        var forms = new List<Expr>();
        if (RationalForm.TryCreate([root], deep: true) is ({ } form, [var fraction])) forms.AddRange([form.Expanded(fraction), form.Compact(fraction)]);
        if (forms.Any(f => f.IsNumber)) return forms;
        foreach (bool mergeRadicals in new[] { false, true })
        {
            var rewritten = TranscendentalForm.Rewrite(root, mergeRadicals, deadline);
            if (ReferenceEquals(rewritten, root)) continue;
            bool circular = Traversal.PostOrder(rewritten).Any(n => n is Call c && c.OfAny(Primitives.Sin, Primitives.Cos));
            foreach (var reduction in circular ? new[] { TrigReduction.Sine, TrigReduction.Cosine } : [TrigReduction.None])
            {
                if (RationalForm.TryCreate([rewritten], deep: true, trig: reduction) is not ({ } trig, [var trigFraction])) continue;
                var expanded = trig.Expanded(trigFraction);
                if (expanded.IsNumber) return [expanded];
                // Kept as a candidate only when not far larger than the input: such a form decides zero but
                // never wins on size, and the local rules would pay for every node of it.
                if (Traversal.TreeSize(expanded) <= 2 * size) forms.AddRange([expanded, trig.Compact(trigFraction)]);
            }
        }
        return forms;
    }
}
