// What is known of an expression's sign wherever it is defined, from the symbols' assumptions and
// the functions' ranges: x^2 + 1 > 0, exp(u) > 0, sqrt(u) >= 0, |u| >= 0, cosh(u) > 0. Conservative:
// "unknown" is always a correct answer.
namespace Hybrid.Symbolic;

/// <summary>A sign fact: which of &lt; 0, = 0, &gt; 0 the value can take (a set of the three).</summary>
internal readonly record struct SignFact(bool CanBeNegative, bool CanBeZero, bool CanBePositive)
{
    public static readonly SignFact Unknown = new(true, true, true);
    public static readonly SignFact Positive = new(false, false, true);
    public static readonly SignFact Negative = new(true, false, false);
    public static readonly SignFact Zero = new(false, true, false);
    public static readonly SignFact Nonnegative = new(false, true, true);

    public bool IsPositive => !CanBeNegative && !CanBeZero;
    public bool IsNegative => !CanBePositive && !CanBeZero;
    public bool IsNonnegative => !CanBeNegative;
    public bool IsNonpositive => !CanBePositive;
    public bool IsNonzero => !CanBeZero;

    public SignFact Negated => new(CanBePositive, CanBeZero, CanBeNegative);

    // The signs a product can take: (-)(-) = +, (+)(-) = -, and 0 absorbs.
    public SignFact Times(SignFact o) => new(
        CanBeNegative && o.CanBePositive || CanBePositive && o.CanBeNegative,
        CanBeZero || o.CanBeZero,
        CanBePositive && o.CanBePositive || CanBeNegative && o.CanBeNegative);

    // The signs a sum can take.
    public SignFact Plus(SignFact o) => new(
        CanBeNegative || o.CanBeNegative,
        CanBeZero && o.CanBeZero || CanBeNegative && o.CanBePositive || CanBePositive && o.CanBeNegative,
        CanBePositive || o.CanBePositive);
}

internal static class Signs
{
    public static SignFact Of(Expr e)
    {
        var known = new Dictionary<Expr, SignFact>(Expr.ByReference);
        foreach (var node in Traversal.PostOrder(e)) known[node] = Node(node, known);
        return known[e];
    }

    private static SignFact Node(Expr node, Dictionary<Expr, SignFact> known) => node switch
    {
        Number n => n.Value.Sign switch { > 0 => SignFact.Positive, < 0 => SignFact.Negative, _ => SignFact.Zero },
        FloatNumber f => f.Value > 0 ? SignFact.Positive : f.Value < 0 ? SignFact.Negative : f.Value == 0 ? SignFact.Zero : SignFact.Unknown,
        Constant => SignFact.Positive,   // pi and e
        Symbol s => new(!s.Assumptions.HasFlag(Assumptions.Nonnegative), !s.Assumptions.HasFlag(Assumptions.Nonzero), true),
        Sum sum => sum.Args.Select(t => known[t]).Aggregate((a, b) => a.Plus(b)),
        Product product => product.Args.Select(f => known[f]).Aggregate((a, b) => a.Times(b)),
        Power power => PowerSign(known[power.Base], power.Exponent, known[power.Exponent]),
        Call call => CallSign(call.Primitive, call.Args.Select(a => known[a]).ToArray()),
        _ => SignFact.Unknown,
    };

    private static SignFact PowerSign(SignFact b, Expr exponent, SignFact e)
    {
        if (b.IsPositive) return SignFact.Positive;                       // a positive base to any power
        if (exponent is Number { Value: var r })
        {
            if (r.IsInteger && r.Numerator.IsEven) return b.IsNonzero ? SignFact.Positive : SignFact.Nonnegative;
            if (r.IsInteger) return r.Sign > 0 ? b : new(b.CanBeNegative, false, b.CanBePositive);   // odd: the base's sign
            return b.IsNonzero ? SignFact.Positive : SignFact.Nonnegative;   // a root: defined only for a base >= 0
        }
        return b.IsNonnegative ? SignFact.Nonnegative : SignFact.Unknown;
    }

    // Rows compared by reference (never by name); a row not listed has an unknown sign.
    private static SignFact CallSign(Primitive f, SignFact[] args) =>
        f == Primitives.Exp || f == Primitives.Cosh || f == Primitives.Sech || f == Primitives.Sigmoid || f == Primitives.Softplus || f == Primitives.Erfc ? SignFact.Positive
        : f == Primitives.Abs ? (args[0].IsNonzero ? SignFact.Positive : SignFact.Nonnegative)
        : signOfArgument.Contains(f) ? args[0]
        : f == Primitives.Relu ? (args[0].IsPositive ? SignFact.Positive : SignFact.Nonnegative)
        : f == Primitives.Acos || f == Primitives.Acosh || f == Primitives.Hypot ? SignFact.Nonnegative
        : SignFact.Unknown;

    // Increasing through 0 with f(0) = 0: the value has the argument's sign.
    private static readonly Primitive[] signOfArgument =
    [
        Primitives.Sign, Primitives.Sinh, Primitives.Tanh, Primitives.Atan, Primitives.Asinh, Primitives.Atanh, Primitives.Asin,
        Primitives.Erf, Primitives.Expm1, Primitives.Log1p,
    ];
}
