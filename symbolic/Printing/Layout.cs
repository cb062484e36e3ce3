// The layout step shared by the three printers: it decides signs (a - b, not a + -1*b), fractions
// (x/2, not 1/2*x), roots (sqrt(x), not x^(1/2)) and precedence, so the infix, LaTeX and C#
// renderers never disagree on structure. Built bottom-up over the DAG without recursion.
namespace Hybrid.Symbolic.Printing;

/// <summary>Binding strength, lowest first; a child weaker than its slot requires is parenthesized.</summary>
internal enum Precedence { Comparison, Sum, Product, Negation, Power, Atom }

internal abstract record Visual(Precedence Precedence);
internal sealed record IntegerVisual(System.Numerics.BigInteger Value) : Visual(Precedence.Atom);           // non-negative
internal sealed record FractionVisual(System.Numerics.BigInteger Numerator, System.Numerics.BigInteger Denominator) : Visual(Precedence.Product); // positive
internal sealed record FloatVisual(FloatNumber Number) : Visual(Precedence.Atom);                            // non-negative
internal sealed record NameVisual(Expr Node) : Visual(Precedence.Atom);                                      // symbol or constant
internal sealed record SumVisual(IReadOnlyList<(bool Negative, Visual Term)> Terms) : Visual(Precedence.Sum);
internal sealed record ProductVisual(IReadOnlyList<Visual> Numerator, IReadOnlyList<Visual> Denominator) : Visual(Precedence.Product);
internal sealed record NegationVisual(Visual Operand) : Visual(Precedence.Negation);
internal sealed record PowerVisual(Visual Base, Visual Exponent) : Visual(Precedence.Power);
internal sealed record SqrtVisual(Visual Operand) : Visual(Precedence.Atom);
internal sealed record CallVisual(Primitive Primitive, IReadOnlyList<Visual> Args) : Visual(Primitive.Operator is null ? Precedence.Atom : Precedence.Comparison);

internal static class Layout
{
    public static Visual Of(Expr root)
    {
        var order = Traversal.PostOrder(root);
        var done = new Dictionary<Expr, Visual>(order.Count, Expr.ByReference);
        foreach (var node in order) done[node] = Node(node, done);
        return done[root];
    }

    private static Visual Node(Expr node, Dictionary<Expr, Visual> done) => node switch
    {
        Number n => Signed(n.Value.Sign < 0, Magnitude(n.Value.Sign < 0 ? -n.Value : n.Value)),
        FloatNumber f => !double.IsNaN(f.Value) && double.IsNegative(f.Value) ? new NegationVisual(new FloatVisual(new FloatNumber(-f.Value))) : new FloatVisual(f),
        Constant or Symbol => new NameVisual(node),
        // A term's visual is already laid out (post-order): its sign is read off it, not laid out again.
        Sum sum => new SumVisual(PositiveConstantFirst(sum, PrintOrder(sum).Select(t => SignOf(done[t])).ToList())),
        Product product => Signed(SplitSign(product, done)),
        Power power => PowerOf(power, done),
        Call call => new CallVisual(call.Primitive, Children(call, done)),
        _ => throw new InvalidOperationException(node.Kind.ToString()),
    };

    // As people (and SymPy) write it: a sum that would start with a minus starts with its positive
    // constant instead (1 - x^2, not -x^2 + 1); otherwise the order stays (-x + y, -x^2 + 5*x - 6).
    private static List<(bool Negative, Visual Term)> PositiveConstantFirst(Sum sum, List<(bool Negative, Visual Term)> terms)
    {
        if (!terms[0].Negative || sum.Children[0] is not Number { Value.Sign: > 0 }) return terms;
        var constant = terms[^1];   // numbers print last
        terms.RemoveAt(terms.Count - 1);
        terms.Insert(0, constant);
        return terms;
    }

    // Printing order of a sum, as SymPy's: higher total degree first, then higher powers of the
    // alphabetically first variable (x^2 before x*y before y^2), the constant last. Terms that are
    // not monomials have degree 0; ties keep the canonical order (the sort is stable). Each monomial
    // is a short list of (name, exponent) sorted by name, compared pairwise: a million terms sort in
    // n log n, never against the union of all names.
    private static IEnumerable<Expr> PrintOrder(Sum sum)
    {
        var terms = sum.Children;
        var monomials = new (string Name, double Exponent)[terms.Length][];
        var degrees = new double[terms.Length];
        for (int i = 0; i < terms.Length; i++)
        {
            monomials[i] = Exponents(terms[i]);
            double degree = 0;
            foreach (var (_, exponent) in monomials[i]) degree += exponent;
            degrees[i] = terms[i].IsNumber ? -1 : degree;
        }
        var order = new int[terms.Length];
        for (int i = 0; i < order.Length; i++) order[i] = i;
        // Descending by degree, then by the exponent vectors; the index last keeps the sort stable.
        Array.Sort(order, (a, b) =>
        {
            int c = degrees[b].CompareTo(degrees[a]);
            if (c == 0) c = LexicographicOrder.Compare(monomials[b], monomials[a]);
            return c != 0 ? c : a.CompareTo(b);
        });
        var result = new Expr[order.Length];
        for (int i = 0; i < order.Length; i++) result[i] = terms[order[i]];
        return result;
    }

    // Dense lexicographic order of exponent vectors over all names, computed on the sparse lists: at the
    // first name where the two differ, the one with the larger exponent there is larger (a missing name is 0).
    private static readonly Comparer<(string Name, double Exponent)[]> LexicographicOrder = Comparer<(string Name, double Exponent)[]>.Create((a, b) =>
    {
        int i = 0, j = 0;
        while (i < a.Length || j < b.Length)
        {
            int byName = i == a.Length ? 1 : j == b.Length ? -1 : string.CompareOrdinal(a[i].Name, b[j].Name);
            if (byName < 0) { if (a[i].Exponent != 0) return a[i].Exponent.CompareTo(0); i++; }
            else if (byName > 0) { if (b[j].Exponent != 0) return 0.0.CompareTo(b[j].Exponent); j++; }
            else { if (a[i].Exponent != b[j].Exponent) return a[i].Exponent.CompareTo(b[j].Exponent); i++; j++; }
        }
        return 0;
    });

    private static (string Name, double Exponent)[] Exponents(Expr term)
    {
        var factors = term is Product ? term.Children : new ReadOnlySpan<Expr>(ref term);
        int count = 0;
        foreach (var factor in factors) if (factor is Symbol or Power { Base: Symbol, Exponent: Number }) count++;
        if (count == 0) return [];
        var exponents = new (string Name, double Exponent)[count];
        int k = 0;
        foreach (var factor in factors)
        {
            if (factor is Symbol s) exponents[k++] = (s.Name, 1);
            else if (factor is Power { Base: Symbol b, Exponent: Number n }) exponents[k++] = (b.Name, n.Value.ToDouble());
        }
        if (count > 1) Array.Sort(exponents, (u, v) => string.CompareOrdinal(u.Name, v.Name));
        return exponents;
    }

    private static Visual[] Children(Expr node, Dictionary<Expr, Visual> done)
    {
        var children = new Visual[node.Children.Length];
        for (int i = 0; i < children.Length; i++) children[i] = done[node.Children[i]];
        return children;
    }

    private static Visual Signed(bool negative, Visual magnitude) => negative ? new NegationVisual(magnitude) : magnitude;

    private static (bool Negative, Visual Magnitude) SignOf(Visual visual) =>
        visual is NegationVisual negation ? (true, negation.Operand) : (false, visual);

    private static Visual Signed((bool Negative, Visual Magnitude) split) => Signed(split.Negative, split.Magnitude);

    private static Visual Magnitude(Rational r) => r.IsInteger ? new IntegerVisual(r.Numerator) : new FractionVisual(r.Numerator, r.Denominator);

    private static Visual PowerOf(Power power, Dictionary<Expr, Visual> done)
    {
        // 0^-2 stays a power: as 1/0^2 it would read back as 1/0.
        if (power.Exponent is not Number { Value: var r } || Build.IsZeroNumber(power.Base)) return new PowerVisual(done[power.Base], done[power.Exponent]);
        return r.Sign < 0 ? new ProductVisual([], [Positive(power.Base, -r, done)]) : Positive(power.Base, r, done);
    }

    // base^r for a positive rational r: sqrt for 1/2.
    private static Visual Positive(Expr @base, Rational r, Dictionary<Expr, Visual> done) =>
        r.IsOne ? done[@base] : r == new Rational(1, 2) ? new SqrtVisual(done[@base]) : new PowerVisual(done[@base], Magnitude(r));

    // A term's sign and magnitude: -3*x/y is (negative, 3*x/y).
    private static (bool Negative, Visual Term) SplitSign(Expr term, Dictionary<Expr, Visual> done)
    {
        switch (term)
        {
            case Number n: return (n.Value.Sign < 0, Magnitude(n.Value.Sign < 0 ? -n.Value : n.Value));
            case FloatNumber f when f.Value < 0: return (true, new FloatVisual(new FloatNumber(-f.Value)));
            case Product product:
            {
                var numerator = new List<Visual>();
                var denominator = new List<Visual>();
                bool negative = false;
                foreach (var factor in product.Args)
                {
                    switch (factor)
                    {
                        case Number c:
                            negative = c.Value.Sign < 0;
                            var magnitude = negative ? -c.Value : c.Value;
                            if (!magnitude.Numerator.IsOne) numerator.Add(new IntegerVisual(magnitude.Numerator));
                            if (!magnitude.Denominator.IsOne) denominator.Add(new IntegerVisual(magnitude.Denominator));
                            break;
                        case FloatNumber f:
                            negative = f.Value < 0;
                            numerator.Add(new FloatVisual(negative ? new FloatNumber(-f.Value) : f));
                            break;
                        case Power { Exponent: Number { Value: var r } } p when r.Sign < 0 && !Build.IsZeroNumber(p.Base):
                            denominator.Add(Positive(p.Base, -r, done));
                            break;
                        default:
                            numerator.Add(done[factor]);
                            break;
                    }
                }
                var shape = numerator.Count == 1 && denominator.Count == 0 ? numerator[0] : new ProductVisual(numerator, denominator);
                return (negative, shape);
            }
            default:
                return SignOf(done[term]);
        }
    }
}
