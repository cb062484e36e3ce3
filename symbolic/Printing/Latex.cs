// LaTeX: \frac for quotients, \sqrt, implicit multiplication (2 x y, x^{2} \cos\left(x\right)) with
// \cdot only before a factor that starts with a digit, the row's LaTeX format for calls.
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
    private IEnumerable<object> Factors(IReadOnlyList<Visual> factors, bool braced = false)
    {
        if (factors.Count == 0) return ["1"];
        if (braced && factors.Count == 1) return [factors[0]];
        // Juxtaposed, as written by hand; a digit after a factor would read as part of it (x 2^{y} as x2^y).
        return factors.SelectMany((f, i) => i == 0 ? Wrap(f, Precedence.Negation)
            : [StartsWithDigit(f) ? @" \cdot " : " ", .. Wrap(f, Precedence.Negation)]);
    }

    private static bool StartsWithDigit(Visual v) => v is IntegerVisual or FloatVisual || v is PowerVisual { Base: IntegerVisual or FloatVisual };
}
