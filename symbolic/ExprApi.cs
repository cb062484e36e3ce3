// The C# surface for building expressions: operators, conversions and named functions. Every
// member canonicalizes through Build, so code that reads like math builds canonical values.
using System.Numerics;

namespace Hybrid.Symbolic;

public abstract partial class Expr
{
    /// <summary>The constant pi.</summary>
    public static readonly Expr Pi = new Constant("pi", Math.PI);

    /// <summary>Euler's number e.</summary>
    public static readonly Expr E = new Constant("e", Math.E);

    /// <summary>A variable. Names are identifiers (letters, digits, underscore; not starting with a digit).</summary>
    /// <exception cref="ArgumentException">The name is not an identifier, or is reserved (a function name, <c>pi</c>, <c>e</c>, <c>inf</c>, <c>nan</c>).</exception>
    public static Expr Symbol(string name) => Symbol(name, Assumptions.Real);

    /// <summary>
    /// A variable with assumptions, such as <c>Symbol("x", Assumptions.Positive)</c>: Simplify uses them
    /// (<c>sqrt(x^2)</c> is <c>x</c>, <c>log(x*y)</c> is <c>log(x) + log(y)</c>), and Equivalent samples
    /// inside them. It is a different symbol from the real <c>x</c> (as in SymPy); <see cref="Assume"/>
    /// puts it into an expression.
    /// </summary>
    /// <exception cref="ArgumentException">The name is not an identifier, or is reserved.</exception>
    public static Expr Symbol(string name, Assumptions assumptions)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (!IsIdentifier(name)) throw new ArgumentException($"The symbol name '{name}' is not an identifier (letters, digits and '_', not starting with a digit).", nameof(name));
        if (!IsIdentifierName(name))
            throw new ArgumentException($"The symbol name '{name}' is reserved: it names a constant or a function.", nameof(name));
        return new Symbol(name, assumptions);
    }

    /// <summary>This expression with every symbol named <paramref name="name"/> replaced by one with <paramref name="assumptions"/>.</summary>
    public Expr Assume(string name, Assumptions assumptions)
    {
        var replacement = Symbol(name, assumptions);
        return Traversal.Rewrite(this, (node, children) => node is Symbolic.Symbol s && s.Name == name ? replacement : Traversal.WithChildren(node, children));
    }

    /// <summary>Several variables at once: <c>var (x, y) = ...</c> reads better with <see cref="Symbols(string[])"/>.</summary>
    public static Expr[] Symbols(params string[] names) => names.Select(Symbol).ToArray();

    /// <summary>True when <paramref name="name"/> can name a symbol (an identifier that is not reserved).</summary>
    public static bool IsIdentifierName(string name) =>
        IsIdentifier(name) && name is not ("pi" or "e" or "inf" or "nan" or "sqrt" or "ln") && Primitives.Find(name) is null;

    internal static bool IsIdentifier(string name) =>
        name.Length > 0 && (char.IsLetter(name[0]) || name[0] == '_') && name.All(c => char.IsLetterOrDigit(c) || c == '_');

    /// <summary>An exact integer.</summary>
    public static Expr Number(BigInteger value) => Build.Number(value);

    /// <summary>The exact rational <paramref name="numerator"/>/<paramref name="denominator"/>.</summary>
    /// <exception cref="DivideByZeroException">The denominator is zero.</exception>
    public static Expr Rational(BigInteger numerator, BigInteger denominator) => Build.Number(new Rational(numerator, denominator));

    /// <summary>An exact rational.</summary>
    public static Expr Number(Rational value) => Build.Number(value);

    /// <summary>A floating number; it stays floating (prints as <c>2.0</c>) and makes arithmetic with it floating.</summary>
    public static Expr Float(double value) => Build.Float(value);

    /// <summary>An exact integer.</summary>
    public static implicit operator Expr(int value) => Build.Number(value);

    /// <summary>An exact integer.</summary>
    public static implicit operator Expr(long value) => Build.Number(value);

    /// <summary>A floating number (see <see cref="Float"/>).</summary>
    public static implicit operator Expr(double value) => Build.Float(value);

    /// <summary>Sum.</summary>
    public static Expr operator +(Expr a, Expr b) => Build.Add(a, b);

    /// <summary>Difference: a + (-1)·b.</summary>
    public static Expr operator -(Expr a, Expr b) => Build.Add(a, Build.Multiply(Build.MinusOne, b));

    /// <summary>Negation: (-1)·a.</summary>
    public static Expr operator -(Expr a) => Build.Multiply(Build.MinusOne, a);

    /// <summary>Product.</summary>
    public static Expr operator *(Expr a, Expr b) => Build.Multiply(a, b);

    /// <summary>Quotient: a·b^(-1).</summary>
    public static Expr operator /(Expr a, Expr b) => Build.Multiply(a, Build.Pow(b, Build.MinusOne));

    /// <summary>The sum of many terms in one canonicalization: linear-logarithmic, where repeated + is quadratic.</summary>
    public static Expr Sum(IEnumerable<Expr> terms) => Build.Add(terms);

    /// <summary>The product of many factors in one canonicalization.</summary>
    public static Expr Product(IEnumerable<Expr> factors) => Build.Multiply(factors);

    /// <summary>x^y. (x²)^(1/2) stays as written: it is |x|, not x.</summary>
    public static Expr Pow(Expr x, Expr y) => Build.Pow(x, y);

    /// <summary>√x, the power x^(1/2).</summary>
    public static Expr Sqrt(Expr x) => Build.Pow(x, Build.Half);

    /// <summary>e^x.</summary>
    public static Expr Exp(Expr x) => Primitives.Exp.Apply(x);
    /// <summary>Natural logarithm.</summary>
    public static Expr Log(Expr x) => Primitives.Log.Apply(x);
    /// <summary>Sine.</summary>
    public static Expr Sin(Expr x) => Primitives.Sin.Apply(x);
    /// <summary>Cosine.</summary>
    public static Expr Cos(Expr x) => Primitives.Cos.Apply(x);
    /// <summary>Tangent.</summary>
    public static Expr Tan(Expr x) => Primitives.Tan.Apply(x);
    /// <summary>Cotangent.</summary>
    public static Expr Cot(Expr x) => Primitives.Cot.Apply(x);
    /// <summary>Secant.</summary>
    public static Expr Sec(Expr x) => Primitives.Sec.Apply(x);
    /// <summary>Cosecant.</summary>
    public static Expr Csc(Expr x) => Primitives.Csc.Apply(x);
    /// <summary>Arcsine.</summary>
    public static Expr Asin(Expr x) => Primitives.Asin.Apply(x);
    /// <summary>Arccosine.</summary>
    public static Expr Acos(Expr x) => Primitives.Acos.Apply(x);
    /// <summary>Arctangent.</summary>
    public static Expr Atan(Expr x) => Primitives.Atan.Apply(x);
    /// <summary>The angle of the point (x, y), as <see cref="Math.Atan2"/>.</summary>
    public static Expr Atan2(Expr y, Expr x) => Primitives.Atan2.Apply(y, x);
    /// <summary>Hyperbolic sine.</summary>
    public static Expr Sinh(Expr x) => Primitives.Sinh.Apply(x);
    /// <summary>Hyperbolic cosine.</summary>
    public static Expr Cosh(Expr x) => Primitives.Cosh.Apply(x);
    /// <summary>Hyperbolic tangent.</summary>
    public static Expr Tanh(Expr x) => Primitives.Tanh.Apply(x);
    /// <summary>Hyperbolic cotangent.</summary>
    public static Expr Coth(Expr x) => Primitives.Coth.Apply(x);
    /// <summary>Hyperbolic secant.</summary>
    public static Expr Sech(Expr x) => Primitives.Sech.Apply(x);
    /// <summary>Hyperbolic cosecant.</summary>
    public static Expr Csch(Expr x) => Primitives.Csch.Apply(x);
    /// <summary>Absolute value.</summary>
    public static Expr Abs(Expr x) => Primitives.Abs.Apply(x);
    /// <summary>Sign: -1, 0 or 1.</summary>
    public static Expr Sign(Expr x) => Primitives.Sign.Apply(x);
    /// <summary>max(x, 0).</summary>
    public static Expr Relu(Expr x) => Primitives.Relu.Apply(x);
    /// <summary>The logistic function 1 / (1 + e^−x).</summary>
    public static Expr Sigmoid(Expr x) => Primitives.Sigmoid.Apply(x);
    /// <summary>log(1 + e^x).</summary>
    public static Expr Softplus(Expr x) => Primitives.Softplus.Apply(x);
    /// <summary>log(1 + x), evaluated accurately near 0.</summary>
    public static Expr Log1p(Expr x) => Primitives.Log1p.Apply(x);
    /// <summary>e^x − 1, evaluated accurately near 0.</summary>
    public static Expr Expm1(Expr x) => Primitives.Expm1.Apply(x);
    /// <summary>The error function.</summary>
    public static Expr Erf(Expr x) => Primitives.Erf.Apply(x);
    /// <summary>The complementary error function 1 − erf(x).</summary>
    public static Expr Erfc(Expr x) => Primitives.Erfc.Apply(x);
    /// <summary>√(x² + y²), evaluated without overflow.</summary>
    public static Expr Hypot(Expr x, Expr y) => Primitives.Hypot.Apply(x, y);
    /// <summary>The largest integer ≤ x.</summary>
    public static Expr Floor(Expr x) => Primitives.Floor.Apply(x);
    /// <summary>The smallest integer ≥ x.</summary>
    public static Expr Ceil(Expr x) => Primitives.Ceil.Apply(x);
    /// <summary>The nearest integer, halves to even.</summary>
    public static Expr Round(Expr x) => Primitives.Round.Apply(x);
    /// <summary>The larger of a and b.</summary>
    public static Expr Max(Expr a, Expr b) => Primitives.Max.Apply(a, b);
    /// <summary>The smaller of a and b.</summary>
    public static Expr Min(Expr a, Expr b) => Primitives.Min.Apply(a, b);
    /// <summary>1 where a &lt; b, else 0.</summary>
    public static Expr Less(Expr a, Expr b) => Primitives.Less.Apply(a, b);
    /// <summary>1 where a ≤ b, else 0.</summary>
    public static Expr LessOrEqual(Expr a, Expr b) => Primitives.LessOrEqual.Apply(a, b);
    /// <summary>1 where a &gt; b, else 0.</summary>
    public static Expr Greater(Expr a, Expr b) => Primitives.Greater.Apply(a, b);
    /// <summary>1 where a ≥ b, else 0.</summary>
    public static Expr GreaterOrEqual(Expr a, Expr b) => Primitives.GreaterOrEqual.Apply(a, b);
    /// <summary>a where the condition is non-zero, else b; differentiates branch by branch.</summary>
    public static Expr Where(Expr condition, Expr a, Expr b) => Primitives.Where.Apply(condition, a, b);

    /// <summary>
    /// Applies a function by its text name, as the parser reads it: a row of the table (<c>Call("atan2", y, x)</c>),
    /// or one of the spellings that are not rows — <c>sqrt(x)</c> (the power x^(1/2)), <c>ln(x)</c> (log x) and
    /// <c>log(x, b)</c> (log x / log b, the logarithm to base b, as SymPy).
    /// </summary>
    /// <exception cref="ArgumentException">No function has that name (the message suggests the nearest one), or the argument count is wrong.</exception>
    public static Expr Call(string name, params Expr[] args) =>
        Alias(name, args) ?? (Primitives.Find(name) ?? throw new ArgumentException($"Unknown function '{name}'.{Spelling.DidYouMean(name, FunctionNames)}", nameof(name))).Apply(args);

    // The parser's names that are not rows, applied; null for any other name or argument count.
    internal static Expr? Alias(string name, Expr[] args) => (name, args) switch
    {
        ("sqrt", [var x]) => Sqrt(x),
        ("ln", [var x]) => Log(x),
        ("log", [var x, var b]) => Log(x) / Log(b),
        _ => null,
    };

    // Every name a call may use: the table's rows (registered ones too) and the aliases.
    internal static IEnumerable<string> FunctionNames =>
        Primitives.All.Concat(Primitives.Registered).Select(p => p.Name).Append("sqrt").Append("ln");

    /// <summary>Reads infix text such as <c>sin(x)*x^2</c>.</summary>
    /// <exception cref="ParseException">The text is not an expression; the exception carries the column.</exception>
    public static Expr Parse(string text) => Parser.Parse(text);
}
