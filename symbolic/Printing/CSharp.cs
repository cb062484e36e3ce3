// C# source over doubles that compiles against System.Math: numbers as double literals (so 1/2
// is never integer division), powers through Math.Pow and Math.Sqrt, calls from the row's format.
namespace Hybrid.Symbolic.Printing;

internal sealed class CSharp : Renderer
{
    private static readonly CSharp instance = new();
    public static string Print(Expr expr) => instance.Render(expr);

    protected override string Open => "(";
    protected override string Close => ")";
    // Every call renders as a method call or a parenthesized template, so it binds as an atom.
    protected override Precedence Binding(Visual visual) => visual is CallVisual ? Precedence.Atom : visual.Precedence;

    private static string Literal(double value) => value switch
    {
        double.NaN => "double.NaN",
        double.PositiveInfinity => "double.PositiveInfinity",
        _ => new FloatNumber(value).Text,   // a negative value is printed by the layout as a negation
    };

    protected override IEnumerable<object> Pieces(Visual visual) => visual switch
    {
        IntegerVisual i => [Literal((double)i.Value)],
        FractionVisual f => [$"({Literal((double)f.Numerator)} / {Literal((double)f.Denominator)})"],
        FloatVisual f => [Literal(f.Number.Value)],
        NameVisual { Node: Constant c } => [c.Name == "pi" ? "Math.PI" : "Math.E"],
        NameVisual n => [((Symbol)n.Node).Name],
        SumVisual s => Terms(s, afterLeadingMinus: Precedence.Power),
        ProductVisual p => Quotient(p, "1.0", " * ", " / ", Precedence.Power),
        NegationVisual n => ["-", .. Wrap(n.Operand, Precedence.Power)],
        PowerVisual p => ["Math.Pow(", p.Base, ", ", p.Exponent, ")"],
        SqrtVisual s => ["Math.Sqrt(", s.Operand, ")"],
        CallVisual c => Format(c.Primitive.CSharp, c.Args, guard: true),
        _ => throw new InvalidOperationException(visual.GetType().Name),
    };
}
