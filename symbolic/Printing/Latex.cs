// LaTeX: \frac for quotients, \sqrt, \cdot between factors, the row's LaTeX format for calls.
namespace Hybrid.Symbolic.Printing;

internal sealed class Latex : Renderer
{
    private static readonly Latex instance = new();
    public static string Print(Expr expr) => instance.Render(expr);

    protected override string Open => @"\left(";
    protected override string Close => @"\right)";
    protected override Precedence Binding(Visual visual) => visual is CallVisual ? Precedence.Atom : visual.Precedence;

    protected override IEnumerable<object> Pieces(Visual visual) => visual switch
    {
        IntegerVisual i => [i.Value.ToString()],
        FractionVisual f => [$@"\frac{{{f.Numerator}}}{{{f.Denominator}}}"],
        FloatVisual { Number.Value: double.PositiveInfinity } => [@"\infty"],
        FloatVisual { Number.Value: double.NaN } => [@"\mathrm{nan}"],
        FloatVisual f => [f.Number.Text],
        NameVisual { Node: Constant { Name: "pi" } } => [@"\pi"],
        NameVisual n => [n.Node is Symbol s ? s.Name : ((Constant)n.Node).Name],
        SumVisual s => Terms(s),
        ProductVisual p when p.Denominator.Count > 0 => [@"\frac{", .. Factors(p.Numerator, braced: true), "}{", .. Factors(p.Denominator, braced: true), "}"],
        ProductVisual p => Factors(p.Numerator),
        NegationVisual n => ["-", .. Wrap(n.Operand, Precedence.Product)],
        PowerVisual p => [.. Wrap(p.Base, Precedence.Atom), "^{", p.Exponent, "}"],
        SqrtVisual s => [@"\sqrt{", s.Operand, "}"],
        CallVisual c => Format(c.Primitive.Latex, c.Args, guard: false),
        _ => throw new InvalidOperationException(visual.GetType().Name),
    };

    // Inside \frac braces a lone factor needs no parentheses.
    private IEnumerable<object> Factors(IReadOnlyList<Visual> factors, bool braced = false) =>
        factors.Count == 0 ? ["1"] : braced && factors.Count == 1 ? [factors[0]] : Join(factors.Select(f => Wrap(f, Precedence.Negation)), @" \cdot ");
}
