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
        SumVisual s => Terms(s),
        ProductVisual p => Quotient(p, "1", "*", "/", Precedence.Negation),
        NegationVisual n => ["-", .. Wrap(n.Operand, Precedence.Product)],
        PowerVisual p => [.. Wrap(p.Base, Precedence.Atom), "^", .. Wrap(p.Exponent, Precedence.Power)],
        SqrtVisual s => ["sqrt(", s.Operand, ")"],
        CallVisual { Primitive.Operator: { } op } c => [.. Wrap(c.Args[0], Precedence.Sum), $" {op} ", .. Wrap(c.Args[1], Precedence.Sum)],
        CallVisual { Args: [var only] } c => [c.Primitive.Name, "(", only, ")"],
        CallVisual c => [c.Primitive.Name, "(", .. Join(c.Args.Select(a => (IEnumerable<object>)[a]), ", "), ")"],
        _ => throw new InvalidOperationException(visual.GetType().Name),
    };
}
