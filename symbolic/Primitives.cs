// The function table: one row per primitive, the single source of truth for every facet.
// sqrt is not a row: sqrt(u) is the power u^(1/2), so x*sqrt(x) merges to x^(3/2); printers still
// show it as sqrt. Conventions at non-differentiable points follow PyTorch, in one place:
//   abs'(0) = 0, sign'(x) = 0, relu'(0) = 0, max/min at a tie split the gradient 1/2 : 1/2,
//   sqrt'(0) = +inf (from the power rule), comparisons have derivative 0.
// The strict mode (EvaluationOptions.Strict) throws at these points instead of using them.
using System.Collections.Concurrent;
using System.Numerics;
using MathNet.Numerics;
using static Hybrid.Symbolic.Expr;
using TP = System.Numerics.Tensors.TensorPrimitives;

namespace Hybrid.Symbolic;

/// <summary>The table of primitive functions. Add a function by adding one row here.</summary>
public static class Primitives
{
    private static double Uniform(Random r, double lo, double hi) => lo + (hi - lo) * r.NextDouble();
    private static double AwayFromZero(Random r, double lo, double hi) => (r.Next(2) == 0 ? -1 : 1) * Uniform(r, lo, hi);
    private static Func<Random, double[]> Interval(double lo, double hi) => r => [Uniform(r, lo, hi)];
    private static Func<Random, double[]> NonZero(double lo, double hi) => r => [AwayFromZero(r, lo, hi)];

    // Two arguments at least 0.1 apart, clear of the tie where comparisons, max and min have their kink.
    private static double[] Apart(Random r)
    {
        double a = Uniform(r, -3, 3);
        return [a, a + AwayFromZero(r, 0.1, 3)];
    }

    private static Primitive Unary(string name, Func<double, double> f, Func<Expr, Expr> derivative, Func<double, double> numericDerivative,
        string csharp, string? latex = null, Func<double, bool>? domain = null, Func<Random, double[]>? sample = null, Func<Expr, Expr?>? fold = null,
        Func<double, bool>? kink = null, string? kinkConvention = null, Func<Expr, Expr>? intoDomain = null,
        VectorFunction? vector = null, VectorDerivative? vectorPartial = null) =>
        new(name, ["x"], a => f(a[0]))
        {
            IntoDomain = intoDomain is null ? null : args => [intoDomain(args[0])],
            VectorEvaluate = vector,
            VectorPartial = vectorPartial,
            Partials = [args => derivative(args[0])],
            NumericPartials = [a => numericDerivative(a[0])],
            Domain = domain is null ? static _ => true : a => domain(a[0]),
            Sample = sample ?? Interval(-3, 3),
            Fold = fold is null ? static _ => null : args => fold(args[0]),
            Kink = kink is null ? null : a => kink(a[0]),
            KinkConvention = kinkConvention,
            CSharp = csharp,
            Latex = latex ?? $@"\operatorname{{{name}}}\left({{0}}\right)",
        };

    // A piecewise-constant function: derivative 0 everywhere, jumps declared as kinks, exact on rationals.
    private static Primitive Step(string name, Func<double, double> f, string csharp, string latex, Func<double, bool> jump, Func<Rational, BigInteger> exact) =>
        Unary(name, f, _ => 0, _ => 0, csharp, latex, kink: jump, kinkConvention: $"{name} jumps at its kinks; its derivative is 0 there too",
            sample: r => [r.Next(-3, 3) + Uniform(r, 0.05, 0.45) + (r.Next(2) == 0 ? 0 : 0.5)],
            fold: u => u is Number n ? Number(new Rational(exact(n.Value), BigInteger.One)) : null);

    private static BigInteger RationalFloor(Rational q) => BigInteger.DivRem(q.Numerator, q.Denominator) is var (quotient, remainder) && remainder.Sign < 0 ? quotient - 1 : quotient;

    private static BigInteger RoundHalfEven(Rational q)
    {
        var floor = RationalFloor(q);
        int half = (q - new Rational(floor, BigInteger.One)).CompareTo(new Rational(1, 2));
        return half < 0 || (half == 0 && floor.IsEven) ? floor : floor + 1;
    }

    private static double LogisticOf(double x) => x >= 0 ? 1 / (1 + Math.Exp(-x)) : Math.Exp(x) / (1 + Math.Exp(x));

    private static double SoftplusOf(double x) => Math.Max(x, 0) + Log1pOf(Math.Exp(-Math.Abs(x)));

    // log(1 + x) and e^x − 1 without cancellation near 0: the rounding error of 1 + x (or of e^x) is divided out
    // exactly (Goldberg, "What every computer scientist should know about floating-point arithmetic", thm. 4).
    // The rows' C# templates (for printing and source export) are these same operations written as expressions.
    private static double Log1pOf(double x)
    {
        double u = 1 + x;
        return u == 1 ? x : double.IsPositiveInfinity(u) ? u : Math.Log(u) * x / (u - 1);
    }

    private static double Expm1Of(double x)
    {
        double u = Math.Exp(x);
        if (u == 1) return x;
        double um1 = u - 1;
        return um1 == -1 ? -1 : double.IsPositiveInfinity(u) ? u : um1 * x / Math.Log(u);
    }

    private static Primitive Comparison(string name, string op, Func<double, double, bool> test, Func<Rational, Rational, bool> exact) =>
        new(name, ["a", "b"], a => test(a[0], a[1]) ? 1 : 0)
        {
            Partials = [_ => 0, _ => 0],
            NumericPartials = [_ => 0, _ => 0],
            Sample = Apart,
            Kink = a => a[0] == a[1],
            KinkConvention = "a comparison is a step: its derivative is 0 everywhere, including where a = b",
            Fold = args => args[0] is Number p && args[1] is Number q ? (exact(p.Value, q.Value) ? 1 : 0)
                : args[0].IsNumber && args[1].IsNumber ? (test(Numeric(args[0]), Numeric(args[1])) ? 1 : 0) : null,
            Operator = op,
            CSharp = $"({{0}} {op} {{1}} ? 1.0 : 0.0)",
            Latex = $@"\left[{{0}} {(op switch { "<=" => @"\le", ">=" => @"\ge", _ => op })} {{1}}\right]",
        };

    // Maps of any real u into a domain's interior (for generated test expressions; Primitive.IntoDomain).
    private static Expr Positive(Expr u) => Pow(u, 2) + Rational(1, 2);
    private static Expr InsideUnit(Expr u) => Rational(9, 10) * Tanh(u);
    private static Expr OutsideUnit(Expr u) => Pow(u, 2) + Rational(11, 10);
    private static Expr InsideHalfTurn(Expr u) => Rational(1, 2) + 2 / (2 + Pow(u, 2));

    private static double Numeric(Expr number) => number is Number n ? n.Value.ToDouble() : ((FloatNumber)number).Value;

    // Exact special values at multiples of pi/2: sin(k pi/2) and cos(k pi/2) are 0 or ±1.
    private static int? HalfPiMultiple(Expr u)
    {
        Rational? k = u switch
        {
            Constant { Name: "pi" } => Rational.One,
            Product { Args: [Number c, Constant { Name: "pi" }] } => ((Number)c).Value,
            Number { Value.IsZero: true } => Rational.Zero,
            _ => null,
        };
        if (k is not { } m) return null;
        var twice = m * 2;
        return twice.IsInteger ? (int)(((twice.Numerator % 4) + 4) % 4) : null;
    }

    private static Expr? FoldSin(Expr u) => HalfPiMultiple(u) switch { 0 or 2 => 0, 1 => 1, 3 => -1, _ => null };
    private static Expr? FoldCos(Expr u) => HalfPiMultiple(u) switch { 1 or 3 => 0, 0 => 1, 2 => -1, _ => null };
    private static Func<Expr, Expr?> AtZero(Expr value) => u => u.Is(0) ? value : null;

    /// <summary>e^x.</summary>
    public static readonly Primitive Exp = Unary("exp", Math.Exp, u => Exp(u), Math.Exp, "Math.Exp({0})", @"e^{{0}}",
        fold: u => u.Is(0) ? 1 : u.Is(1) ? E : null, vector: TP.Exp, vectorPartial: static (_, y, d) => y.CopyTo(d));

    /// <summary>Natural logarithm; defined for x &gt; 0.</summary>
    public static readonly Primitive Log = Unary("log", Math.Log, u => 1 / u, x => 1 / x, "Math.Log({0})", @"\log\left({0}\right)",
        domain: x => x > 0, sample: Interval(0.1, 5), intoDomain: Positive, vector: TP.Log, vectorPartial: static (x, _, d) => TP.Divide(1.0, x, d),
        fold: u => u.Is(1) ? 0 : u is Constant { Name: "e" } ? 1 : u is Call c && c.Primitive == Exp ? c.Args[0] : null);

    /// <summary>Sine.</summary>
    public static readonly Primitive Sin = Unary("sin", Math.Sin, u => Cos(u), Math.Cos, "Math.Sin({0})", @"\sin\left({0}\right)", fold: FoldSin,
        vector: TP.Sin, vectorPartial: static (x, _, d) => TP.Cos(x, d));
    /// <summary>Cosine.</summary>
    public static readonly Primitive Cos = Unary("cos", Math.Cos, u => -Sin(u), x => -Math.Sin(x), "Math.Cos({0})", @"\cos\left({0}\right)", fold: FoldCos,
        vector: TP.Cos, vectorPartial: static (x, _, d) => { TP.Sin(x, d); TP.Negate(d, d); });
    /// <summary>Tangent; d/dx = 1 + tan²x.</summary>
    public static readonly Primitive Tan = Unary("tan", Math.Tan, u => 1 + Pow(Tan(u), 2), x => 1 + Math.Tan(x) * Math.Tan(x), "Math.Tan({0})", @"\tan\left({0}\right)",
        sample: Interval(-1.3, 1.3), fold: u => u.Is(0) ? 0 : null, intoDomain: u => Tanh(u));
    /// <summary>Cotangent, 1/tan x; d/dx = -1 - cot²x.</summary>
    public static readonly Primitive Cot = Unary("cot", x => 1 / Math.Tan(x), u => -1 - Pow(Cot(u), 2), x => -1 - 1 / (Math.Tan(x) * Math.Tan(x)), "(1.0 / Math.Tan({0}))", @"\cot\left({0}\right)",
        sample: Interval(0.2, 2.9), intoDomain: InsideHalfTurn);
    /// <summary>Secant, 1/cos x.</summary>
    public static readonly Primitive Sec = Unary("sec", x => 1 / Math.Cos(x), u => Sec(u) * Tan(u), x => Math.Tan(x) / Math.Cos(x), "(1.0 / Math.Cos({0}))", @"\sec\left({0}\right)",
        sample: Interval(-1.3, 1.3), fold: AtZero(1), intoDomain: u => Tanh(u));
    /// <summary>Cosecant, 1/sin x.</summary>
    public static readonly Primitive Csc = Unary("csc", x => 1 / Math.Sin(x), u => -Csc(u) * Cot(u), x => -1 / (Math.Sin(x) * Math.Tan(x)), "(1.0 / Math.Sin({0}))", @"\csc\left({0}\right)",
        sample: Interval(0.2, 2.9), intoDomain: InsideHalfTurn);
    /// <summary>Arcsine; defined for |x| ≤ 1.</summary>
    public static readonly Primitive Asin = Unary("asin", Math.Asin, u => Pow(1 - Pow(u, 2), Rational(-1, 2)), x => 1 / Math.Sqrt(1 - x * x), "Math.Asin({0})", @"\arcsin\left({0}\right)",
        domain: x => Math.Abs(x) <= 1, sample: Interval(-0.9, 0.9), fold: AtZero(0), intoDomain: InsideUnit);
    /// <summary>Arccosine; defined for |x| ≤ 1.</summary>
    public static readonly Primitive Acos = Unary("acos", Math.Acos, u => -Pow(1 - Pow(u, 2), Rational(-1, 2)), x => -1 / Math.Sqrt(1 - x * x), "Math.Acos({0})", @"\arccos\left({0}\right)",
        domain: x => Math.Abs(x) <= 1, sample: Interval(-0.9, 0.9), fold: u => u.Is(1) ? 0 : null, intoDomain: InsideUnit);
    /// <summary>Arctangent.</summary>
    public static readonly Primitive Atan = Unary("atan", Math.Atan, u => 1 / (1 + Pow(u, 2)), x => 1 / (1 + x * x), "Math.Atan({0})", @"\arctan\left({0}\right)", fold: AtZero(0));
    /// <summary>Arccotangent, atan(1/x) (SymPy's branch: values in (-pi/2, pi/2]).</summary>
    public static readonly Primitive Acot = Unary("acot", x => Math.Atan(1 / x), u => -1 / (1 + Pow(u, 2)), x => -1 / (1 + x * x), "Math.Atan(1.0 / {0})",
        sample: NonZero(0.2, 3));
    /// <summary>Arcsecant, acos(1/x); defined for |x| ≥ 1.</summary>
    public static readonly Primitive Asec = Unary("asec", x => Math.Acos(1 / x), u => 1 / (Pow(u, 2) * Sqrt(1 - Pow(u, -2))), x => 1 / (x * x * Math.Sqrt(1 - 1 / (x * x))), "Math.Acos(1.0 / {0})",
        domain: x => Math.Abs(x) >= 1, sample: NonZero(1.1, 4), fold: u => u.Is(1) ? 0 : null, intoDomain: OutsideUnit);
    /// <summary>Arccosecant, asin(1/x); defined for |x| ≥ 1.</summary>
    public static readonly Primitive Acsc = Unary("acsc", x => Math.Asin(1 / x), u => -1 / (Pow(u, 2) * Sqrt(1 - Pow(u, -2))), x => -1 / (x * x * Math.Sqrt(1 - 1 / (x * x))), "Math.Asin(1.0 / {0})",
        domain: x => Math.Abs(x) >= 1, sample: NonZero(1.1, 4), intoDomain: OutsideUnit);

    /// <summary>
    /// The angle of the point (x, y): ∂/∂y = x/(x²+y²), ∂/∂x = -y/(x²+y²). The parameters are (y, x), as in System.Math.
    /// </summary>
    public static readonly Primitive Atan2 = new("atan2", ["y", "x"], a => Math.Atan2(a[0], a[1]))
    {
        Partials = [args => args[1] / (Pow(args[0], 2) + Pow(args[1], 2)), args => -args[0] / (Pow(args[0], 2) + Pow(args[1], 2))],
        // At the origin each partial is 0·(1/0): 0 by the chain rule's strong zero, as the symbolic partial evaluates with StrongZero.
        NumericPartials = [a => a[1] == 0 ? 0 : a[1] / (a[0] * a[0] + a[1] * a[1]), a => a[0] == 0 ? 0 : -a[0] / (a[0] * a[0] + a[1] * a[1])],
        Domain = a => a[0] != 0 || a[1] != 0,
        Sample = r => [AwayFromZero(r, 0.2, 3), AwayFromZero(r, 0.2, 3)],
        IntoDomain = args => [args[0], Positive(args[1])],
        Kink = a => a[0] == 0 && a[1] <= 0,
        KinkConvention = "atan2 jumps by 2 pi across the negative x axis; the partials there are those of the formula",
        CSharp = "Math.Atan2({0}, {1})",
        Latex = @"\operatorname{atan2}\left({0}, {1}\right)",
    };

    /// <summary>√(x² + y²) without overflow or underflow; its partials x/hypot, y/hypot are 0 at the origin (as abs'(0)).</summary>
    public static readonly Primitive Hypot = new("hypot", ["x", "y"], a => double.Hypot(a[0], a[1]))
    {
        // x · hypot⁻¹ is 0·∞ at the origin: 0 under the chain rule's strong zero, as the numeric partials give.
        Partials = [args => args[0] / Hypot(args[0], args[1]), args => args[1] / Hypot(args[0], args[1])],
        NumericPartials = [a => a[0] == 0 ? 0 : a[0] / double.Hypot(a[0], a[1]), a => a[1] == 0 ? 0 : a[1] / double.Hypot(a[0], a[1])],
        Sample = r => [AwayFromZero(r, 0.2, 3), AwayFromZero(r, 0.2, 3)],
        IntoDomain = args => [Positive(args[0]), args[1]],
        Kink = a => a[0] == 0 && a[1] == 0,
        KinkConvention = "at the origin both partials are 0 (as abs'(0) = 0)",
        Fold = args => args[0].Is(0) ? Abs(args[1]) : args[1].Is(0) ? Abs(args[0]) : null,
        CSharp = "double.Hypot({0}, {1})",
        Latex = @"\sqrt{{0}^2 + {1}^2}",
    };

    /// <summary>Hyperbolic sine.</summary>
    public static readonly Primitive Sinh = Unary("sinh", Math.Sinh, u => Cosh(u), Math.Cosh, "Math.Sinh({0})", @"\sinh\left({0}\right)", fold: AtZero(0));
    /// <summary>Hyperbolic cosine.</summary>
    public static readonly Primitive Cosh = Unary("cosh", Math.Cosh, u => Sinh(u), Math.Sinh, "Math.Cosh({0})", @"\cosh\left({0}\right)", fold: AtZero(1));
    /// <summary>Hyperbolic tangent; d/dx = 1 - tanh²x.</summary>
    public static readonly Primitive Tanh = Unary("tanh", Math.Tanh, u => 1 - Pow(Tanh(u), 2), x => 1 - Math.Tanh(x) * Math.Tanh(x), "Math.Tanh({0})", @"\tanh\left({0}\right)", fold: AtZero(0),
        vector: TP.Tanh, vectorPartial: static (_, y, d) => { TP.Multiply(y, y, d); TP.Subtract(1.0, d, d); });
    /// <summary>Hyperbolic cotangent, 1/tanh x.</summary>
    public static readonly Primitive Coth = Unary("coth", x => 1 / Math.Tanh(x), u => 1 - Pow(Coth(u), 2), x => 1 - 1 / (Math.Tanh(x) * Math.Tanh(x)), "(1.0 / Math.Tanh({0}))", @"\coth\left({0}\right)",
        domain: x => x != 0, sample: NonZero(0.2, 3), intoDomain: Positive);
    /// <summary>Hyperbolic secant, 1/cosh x.</summary>
    public static readonly Primitive Sech = Unary("sech", x => 1 / Math.Cosh(x), u => -Sech(u) * Tanh(u), x => -Math.Tanh(x) / Math.Cosh(x), "(1.0 / Math.Cosh({0}))", fold: AtZero(1));
    /// <summary>Hyperbolic cosecant, 1/sinh x.</summary>
    public static readonly Primitive Csch = Unary("csch", x => 1 / Math.Sinh(x), u => -Csch(u) * Coth(u), x => -1 / (Math.Sinh(x) * Math.Tanh(x)), "(1.0 / Math.Sinh({0}))",
        domain: x => x != 0, sample: NonZero(0.2, 3), intoDomain: Positive);
    /// <summary>Inverse hyperbolic sine.</summary>
    public static readonly Primitive Asinh = Unary("asinh", Math.Asinh, u => Pow(Pow(u, 2) + 1, Rational(-1, 2)), x => 1 / Math.Sqrt(x * x + 1), "Math.Asinh({0})", fold: AtZero(0));
    /// <summary>Inverse hyperbolic cosine; defined for x ≥ 1.</summary>
    public static readonly Primitive Acosh = Unary("acosh", Math.Acosh, u => Pow(Pow(u, 2) - 1, Rational(-1, 2)), x => 1 / Math.Sqrt(x * x - 1), "Math.Acosh({0})",
        domain: x => x >= 1, sample: Interval(1.1, 4), fold: u => u.Is(1) ? 0 : null, intoDomain: OutsideUnit);
    /// <summary>Inverse hyperbolic tangent; defined for |x| &lt; 1.</summary>
    public static readonly Primitive Atanh = Unary("atanh", Math.Atanh, u => 1 / (1 - Pow(u, 2)), x => 1 / (1 - x * x), "Math.Atanh({0})",
        domain: x => Math.Abs(x) < 1, sample: Interval(-0.9, 0.9), fold: AtZero(0), intoDomain: InsideUnit);
    /// <summary>Inverse hyperbolic cotangent, atanh(1/x); defined for |x| &gt; 1.</summary>
    public static readonly Primitive Acoth = Unary("acoth", x => Math.Atanh(1 / x), u => 1 / (1 - Pow(u, 2)), x => 1 / (1 - x * x), "Math.Atanh(1.0 / {0})",
        domain: x => Math.Abs(x) > 1, sample: NonZero(1.1, 4), intoDomain: OutsideUnit);

    /// <summary>Absolute value; d/dx = sign(x), so abs'(0) = 0.</summary>
    public static readonly Primitive Abs = Unary("abs", Math.Abs, u => Sign(u), x => double.IsNaN(x) ? double.NaN : Math.Sign(x), "Math.Abs({0})", @"\left|{0}\right|",
        sample: NonZero(0.1, 3), kink: x => x == 0, kinkConvention: "abs'(0) = 0",
        vector: TP.Abs, vectorPartial: static (x, _, d) => { for (int i = 0; i < x.Length; i++) d[i] = double.IsNaN(x[i]) ? double.NaN : Math.Sign(x[i]); },
        fold: u => u is Number n ? Number(n.Value.Sign < 0 ? -n.Value : n.Value) : u is Call c && c.Primitive == Abs ? u : null);
    /// <summary>Sign: -1, 0 or 1; derivative 0 everywhere.</summary>
    public static readonly Primitive Sign = Unary("sign", x => double.IsNaN(x) ? double.NaN : Math.Sign(x), _ => 0, _ => 0, "(double)Math.Sign({0})", @"\operatorname{sign}\left({0}\right)",
        sample: NonZero(0.1, 3), kink: x => x == 0, kinkConvention: "sign'(0) = 0 (a jump)",
        fold: u => u is Number n ? n.Value.Sign : null);
    /// <summary>max(x, 0); relu'(0) = 0.</summary>
    public static readonly Primitive Relu = Unary("relu", x => x > 0 ? x : double.IsNaN(x) ? x : 0, u => Where(Greater(u, 0), 1, 0), x => x > 0 ? 1 : 0, "Math.Max({0}, 0.0)", @"\operatorname{relu}\left({0}\right)",
        sample: NonZero(0.1, 3), kink: x => x == 0, kinkConvention: "relu'(0) = 0",
        vector: static (x, y) => { for (int i = 0; i < x.Length; i++) y[i] = x[i] > 0 ? x[i] : double.IsNaN(x[i]) ? x[i] : 0; },
        vectorPartial: static (x, _, d) => { for (int i = 0; i < x.Length; i++) d[i] = x[i] > 0 ? 1 : 0; },
        fold: u => u is Number n ? (n.Value.Sign > 0 ? u : 0) : null);

    /// <summary>The logistic function 1 / (1 + e^−x), computed without overflow; d/dx = sigmoid(x)·(1 − sigmoid(x)).</summary>
    public static readonly Primitive Sigmoid = Unary("sigmoid", LogisticOf, u => Sigmoid(u) * (1 - Sigmoid(u)), x => LogisticOf(x) * (1 - LogisticOf(x)),
        "({0} >= 0.0 ? 1.0 / (1.0 + Math.Exp(-{0})) : Math.Exp({0}) / (1.0 + Math.Exp({0})))", @"\sigma\left({0}\right)", fold: AtZero(Rational(1, 2)),
        vector: TP.Sigmoid, vectorPartial: static (_, y, d) => { TP.Subtract(1.0, y, d); TP.Multiply(d, y, d); });

    /// <summary>log(1 + e^x), computed without overflow or cancellation; d/dx = sigmoid(x).</summary>
    public static readonly Primitive Softplus = Unary("softplus", SoftplusOf, u => Sigmoid(u), LogisticOf,
        "(Math.Max({0}, 0.0) + (1.0 + Math.Exp(-Math.Abs({0})) == 1.0 ? Math.Exp(-Math.Abs({0})) : double.IsPositiveInfinity(1.0 + Math.Exp(-Math.Abs({0}))) ? 1.0 + Math.Exp(-Math.Abs({0})) : Math.Log(1.0 + Math.Exp(-Math.Abs({0}))) * Math.Exp(-Math.Abs({0})) / ((1.0 + Math.Exp(-Math.Abs({0}))) - 1.0)))", fold: u => u.Is(0) ? Log(2) : null);

    /// <summary>log(1 + x), accurate near 0 (log1p(1e-17) = 1e-17); defined for x &gt; −1.</summary>
    public static readonly Primitive Log1p = Unary("log1p", Log1pOf, u => 1 / (1 + u), x => 1 / (1 + x), "(1.0 + {0} == 1.0 ? {0} : double.IsPositiveInfinity(1.0 + {0}) ? 1.0 + {0} : Math.Log(1.0 + {0}) * {0} / ((1.0 + {0}) - 1.0))", @"\log\left(1 + {0}\right)",
        domain: x => x > -1, sample: Interval(-0.9, 4), fold: AtZero(0), intoDomain: Positive);

    /// <summary>e^x − 1, accurate near 0 (expm1(1e-17) = 1e-17).</summary>
    public static readonly Primitive Expm1 = Unary("expm1", Expm1Of, u => Exp(u), Math.Exp, "(Math.Exp({0}) == 1.0 ? {0} : Math.Exp({0}) - 1.0 == -1.0 ? -1.0 : double.IsPositiveInfinity(Math.Exp({0})) ? Math.Exp({0}) : (Math.Exp({0}) - 1.0) * {0} / Math.Log(Math.Exp({0})))", @"\left(e^{{0}} - 1\right)", fold: AtZero(0));

    /// <summary>The error function (2/√π)∫₀ˣ e^(−t²) dt.</summary>
    public static readonly Primitive Erf = Unary("erf", SpecialFunctions.Erf, u => 2 * Pow(Pi, Rational(-1, 2)) * Exp(-Pow(u, 2)), x => 2 / Math.Sqrt(Math.PI) * Math.Exp(-x * x),
        "MathNet.Numerics.SpecialFunctions.Erf({0})", @"\operatorname{erf}\left({0}\right)", fold: AtZero(0));

    /// <summary>The complementary error function 1 − erf(x), accurate where erf(x) is near 1.</summary>
    public static readonly Primitive Erfc = Unary("erfc", SpecialFunctions.Erfc, u => -2 * Pow(Pi, Rational(-1, 2)) * Exp(-Pow(u, 2)), x => -2 / Math.Sqrt(Math.PI) * Math.Exp(-x * x),
        "MathNet.Numerics.SpecialFunctions.Erfc({0})", @"\operatorname{erfc}\left({0}\right)", fold: AtZero(1));

    /// <summary>The largest integer ≤ x; derivative 0 (PyTorch's convention, also at the jumps).</summary>
    public static readonly Primitive Floor = Step("floor", Math.Floor, "Math.Floor({0})", @"\left\lfloor {0} \right\rfloor", x => x == Math.Floor(x), RationalFloor);

    /// <summary>The smallest integer ≥ x; derivative 0 (also at the jumps).</summary>
    public static readonly Primitive Ceil = Step("ceil", Math.Ceiling, "Math.Ceiling({0})", @"\left\lceil {0} \right\rceil", x => x == Math.Floor(x), q => -RationalFloor(-q));

    /// <summary>The nearest integer, halves to even (as System.Math, NumPy and PyTorch); derivative 0 (also at the jumps).</summary>
    public static readonly Primitive Round = Step("round", Math.Round, "Math.Round({0})", @"\operatorname{round}\left({0}\right)", x => x - Math.Floor(x) == 0.5, RoundHalfEven);

    /// <summary>a &lt; b as 1 or 0.</summary>
    public static readonly Primitive Less = Comparison("lt", "<", (a, b) => a < b, (a, b) => a.CompareTo(b) < 0);
    /// <summary>a ≤ b as 1 or 0.</summary>
    public static readonly Primitive LessOrEqual = Comparison("le", "<=", (a, b) => a <= b, (a, b) => a.CompareTo(b) <= 0);
    /// <summary>a &gt; b as 1 or 0.</summary>
    public static readonly Primitive Greater = Comparison("gt", ">", (a, b) => a > b, (a, b) => a.CompareTo(b) > 0);
    /// <summary>a ≥ b as 1 or 0.</summary>
    public static readonly Primitive GreaterOrEqual = Comparison("ge", ">=", (a, b) => a >= b, (a, b) => a.CompareTo(b) >= 0);

    /// <summary>
    /// where(condition, a, b): a where the condition is non-zero, else b. Its derivative is
    /// where(condition, a', b'), so the branch not taken never contributes, not even a NaN.
    /// </summary>
    public static readonly Primitive Where = new("where", ["condition", "a", "b"], a => a[0] != 0 ? a[1] : a[2])
    {
        Chain = (args, derivatives) => Where(args[0], derivatives[1], derivatives[2]),
        Partials = [_ => 0, args => Where(args[0], 1, 0), args => Where(args[0], 0, 1)],
        NumericPartials = [_ => 0, a => a[0] != 0 ? 1 : 0, a => a[0] != 0 ? 0 : 1],
        Sample = r => [r.Next(2), Uniform(r, -3, 3), Uniform(r, -3, 3)],
        Fold = args => args[0] is Number c ? (c.Value.IsZero ? args[2] : args[1])
            : args[0] is FloatNumber f ? (f.Value != 0 ? args[1] : args[2])
            : args[1] == args[2] ? args[1] : null,
        CSharp = "({0} != 0.0 ? {1} : {2})",
        Latex = @"\begin{cases} {1} & {0} \\ {2} & \text{otherwise} \end{cases}",
    };

    /// <summary>The larger of a and b; at a tie the derivative goes half to each (as PyTorch's maximum).</summary>
    public static readonly Primitive Max = new("max", ["a", "b"], a => double.IsNaN(a[0]) || double.IsNaN(a[1]) ? double.NaN : Math.Max(a[0], a[1]))
    {
        Partials = [args => Where(Greater(args[0], args[1]), 1, Where(Less(args[0], args[1]), 0, Rational(1, 2))),
                    args => Where(Less(args[0], args[1]), 1, Where(Greater(args[0], args[1]), 0, Rational(1, 2)))],
        NumericPartials = [a => a[0] > a[1] ? 1 : a[0] < a[1] ? 0 : 0.5, a => a[0] < a[1] ? 1 : a[0] > a[1] ? 0 : 0.5],
        Sample = Apart,
        Kink = a => a[0] == a[1],
        KinkConvention = "at a = b each argument gets half the derivative",
        Fold = args => args[0] == args[1] ? args[0] : args[0] is Number p && args[1] is Number q ? (p.Value.CompareTo(q.Value) >= 0 ? p : q) : null,
        CSharp = "Math.Max({0}, {1})",
        Latex = @"\max\left({0}, {1}\right)",
    };

    /// <summary>The smaller of a and b; at a tie the derivative goes half to each (as PyTorch's minimum).</summary>
    public static readonly Primitive Min = new("min", ["a", "b"], a => double.IsNaN(a[0]) || double.IsNaN(a[1]) ? double.NaN : Math.Min(a[0], a[1]))
    {
        Partials = [args => Where(Less(args[0], args[1]), 1, Where(Greater(args[0], args[1]), 0, Rational(1, 2))),
                    args => Where(Greater(args[0], args[1]), 1, Where(Less(args[0], args[1]), 0, Rational(1, 2)))],
        NumericPartials = [a => a[0] < a[1] ? 1 : a[0] > a[1] ? 0 : 0.5, a => a[0] > a[1] ? 1 : a[0] < a[1] ? 0 : 0.5],
        Sample = Apart,
        Kink = a => a[0] == a[1],
        KinkConvention = "at a = b each argument gets half the derivative",
        Fold = args => args[0] == args[1] ? args[0] : args[0] is Number p && args[1] is Number q ? (p.Value.CompareTo(q.Value) <= 0 ? p : q) : null,
        CSharp = "Math.Min({0}, {1})",
        Latex = @"\min\left({0}, {1}\right)",
    };

    /// <summary>Every row, in declaration order.</summary>
    public static IReadOnlyList<Primitive> All { get; } =
    [
        Exp, Log, Sin, Cos, Tan, Cot, Sec, Csc, Asin, Acos, Atan, Acot, Asec, Acsc, Atan2,
        Hypot, Sinh, Cosh, Tanh, Coth, Sech, Csch, Asinh, Acosh, Atanh, Acoth, Abs, Sign, Relu,
        Sigmoid, Softplus, Log1p, Expm1, Erf, Erfc, Floor, Ceil, Round,
        Less, LessOrEqual, Greater, GreaterOrEqual, Where, Max, Min,
    ];

    private static readonly ConcurrentDictionary<string, Primitive> byName = new(All.ToDictionary(p => p.Name, StringComparer.Ordinal), StringComparer.Ordinal);

    private static readonly object registering = new();
    private static IReadOnlyList<Primitive> registered = [];

    /// <summary>The rows added with <see cref="Register"/>, in order (<see cref="All"/> holds the declared ones).</summary>
    public static IReadOnlyList<Primitive> Registered => registered;

    /// <summary>
    /// Adds a user's function to the table: from then on it parses by name and works on every path, as a declared row.
    /// Check it with Hybrid.Testing's <c>PrimitiveCheck</c>. Registration is for the life of the process.
    /// </summary>
    /// <exception cref="ArgumentException">The name is not an identifier or is taken, the parameters are not 1 to
    /// <see cref="Primitive.MaxArity"/> distinct identifiers, a list's length differs from the parameters', a partial does
    /// not parse (the message gives its column) or uses a name other than the parameters, or a kink has no convention.</exception>
    public static Primitive Register(FunctionDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(definition);
        var (name, parameters) = (definition.Name, definition.Parameters.ToArray());
        if (!Expr.IsIdentifierName(name))
            throw new ArgumentException($"'{name}' cannot name a function: it is not an identifier, or a function, constant or reserved word has that name.", nameof(definition));
        if (parameters.Any(p => !Expr.IsIdentifierName(p)) || parameters.Distinct().Count() != parameters.Length)
            throw new ArgumentException($"{name}: parameters must be distinct identifiers; got ({string.Join(", ", parameters)}).", nameof(definition));
        if (definition.Partials.Count != parameters.Length || definition.NumericPartials is { } numeric && numeric.Count != parameters.Length)
            throw new ArgumentException($"{name}: give one partial per parameter ({parameters.Length}).", nameof(definition));
        if (definition.Kink is not null && definition.KinkConvention is null)
            throw new ArgumentException($"{name}: a kink needs its convention (what the derivative is there).", nameof(definition));
        var symbols = parameters.Select(Expr.Symbol).ToArray();
        var partials = new Expr[parameters.Length];
        var row = new Primitive(name, parameters, definition.Value)
        {
            Partials = Enumerable.Range(0, parameters.Length).Select(k => (Func<IReadOnlyList<Expr>, Expr>)(args =>
                partials[k].Substitute(symbols.Select((s, i) => (s, args[i])).ToDictionary(p => (Expr)p.s, p => p.Item2)))).ToArray(),
            NumericPartials = definition.NumericPartials?.ToArray() ?? Enumerable.Range(0, parameters.Length).Select(k => (NumericFunction)(a =>
            {
                var bindings = new Dictionary<string, double>(parameters.Length);
                for (int i = 0; i < parameters.Length; i++) bindings[parameters[i]] = a[i];
                return partials[k].Evaluate(bindings, EvaluationOptions.Derivative);
            })).ToArray(),
            Domain = definition.Domain ?? (static _ => true),
            Kink = definition.Kink,
            KinkConvention = definition.KinkConvention,
            Sample = definition.Sample ?? (r => Enumerable.Range(0, parameters.Length).Select(_ => Uniform(r, -3, 3)).ToArray()),
            CSharp = definition.CSharp ?? $"{name}({string.Join(", ", parameters.Select((_, i) => $"{{{i}}}"))})",
            Latex = definition.Latex ?? $@"\operatorname{{{name}}}\left({string.Join(", ", parameters.Select((_, i) => $"{{{i}}}"))}\right)",
            IsRegistered = true,
        };
        lock (registering)
        {
            if (!byName.TryAdd(name, row))
                throw new ArgumentException($"'{name}' is already a function.", nameof(definition));
            try
            {
                for (int k = 0; k < partials.Length; k++)
                {
                    partials[k] = Parser.Parse(definition.Partials[k]);
                    if (partials[k].FreeSymbols().FirstOrDefault(s => !parameters.Contains(s.ToString())) is { } stray)
                        throw new ArgumentException($"{name}: partial {k + 1} uses '{stray}', which is not a parameter ({string.Join(", ", parameters)}).", nameof(definition));
                }
            }
            catch (Exception e) when (e is ParseException or ArgumentException)
            {
                byName.TryRemove(name, out _);
                throw e as ArgumentException ?? new ArgumentException($"{name}: partial does not parse: {e.Message}", nameof(definition), e);
            }
            registered = [.. registered, row];
        }
        return row;
    }

    /// <summary>The row with this text name (declared or registered), or null.</summary>
    public static Primitive? Find(string name) => byName.GetValueOrDefault(name);
}
