// Infix text with minimal parentheses, such that Parse(Print(e)) == e for every e.
namespace Hybrid.Symbolic.Printing;

internal sealed class Infix : Renderer
{
    private static readonly Infix instance = new();
    public static string Print(Expr expr) => instance.Render(expr);

    protected override string Open => "(";
    protected override string Close => ")";

    protected override IEnumerable<object> Pieces(Visual visual) => visual switch
    {
        IntegerVisual i => [i.Value.ToString()],
        FractionVisual f => [$"{f.Numerator}/{f.Denominator}"],
        FloatVisual f => [f.Number.Text],
        NameVisual n => [n.Node is Symbol s ? s.Name : ((Constant)n.Node).Name],
        SumVisual s => s.Terms.SelectMany((t, k) => k == 0
            ? (t.Negative ? ["-", .. Wrap(t.Term, Precedence.Product)] : Wrap(t.Term, Precedence.Product))
            : [t.Negative ? " - " : " + ", .. Wrap(t.Term, Precedence.Product)]),
        ProductVisual p => Product(p),
        NegationVisual n => ["-", .. Wrap(n.Operand, Precedence.Product)],
        PowerVisual p => [.. Wrap(p.Base, Precedence.Atom), "^", .. Wrap(p.Exponent, Precedence.Power)],
        SqrtVisual s => ["sqrt(", s.Operand, ")"],
        CallVisual { Primitive.Operator: { } op } c => [.. Wrap(c.Args[0], Precedence.Sum), $" {op} ", .. Wrap(c.Args[1], Precedence.Sum)],
        CallVisual c => [c.Primitive.Name, "(", .. Join(c.Args.Select(a => (IEnumerable<object>)[a]), ", "), ")"],
        _ => throw new InvalidOperationException(visual.GetType().Name),
    };

    private IEnumerable<object> Product(ProductVisual p)
    {
        IEnumerable<object> numerator = p.Numerator.Count == 0 ? ["1"] : Join(p.Numerator.Select(f => Wrap(f, Precedence.Negation)), "*");
        if (p.Denominator.Count == 0) return numerator;
        IEnumerable<object> denominator = p.Denominator.Count == 1
            ? Wrap(p.Denominator[0], Precedence.Negation)
            : ["(", .. Join(p.Denominator.Select(f => Wrap(f, Precedence.Negation)), "*"), ")"];
        return [.. numerator, "/", .. denominator];
    }
}
