// A Primitive is one row of the function table: everything about one function in one place.
// Differentiation, evaluation, printing, the parser and (later) the tape read these rows; the
// table test walks them and checks every facet against finite differences.
namespace Hybrid.Symbolic;

/// <summary>A function of doubles; arguments come in the order of <see cref="Primitive.Parameters"/>.</summary>
public delegate double NumericFunction(ReadOnlySpan<double> args);

/// <summary>A predicate over double arguments (domain membership, kinks).</summary>
public delegate bool NumericPredicate(ReadOnlySpan<double> args);

/// <summary>A one-argument function over many elements at once: <c>result[i] = f(x[i])</c> (a TensorPrimitives kernel, typically).</summary>
public delegate void VectorFunction(ReadOnlySpan<double> x, Span<double> result);

/// <summary>
/// The derivative of a one-argument function over many elements: <c>result[i] = f'(x[i])</c>, given also the values
/// <c>y[i] = f(x[i])</c>, from which many derivatives are cheapest (exp: y, tanh: 1 − y², sigmoid: y(1 − y)).
/// </summary>
public delegate void VectorDerivative(ReadOnlySpan<double> x, ReadOnlySpan<double> y, Span<double> result);

/// <summary>
/// The declaration of one function: name, parameters, double evaluation, exact and numeric partial
/// derivatives, real domain, non-differentiable points, special values and printing.
/// </summary>
public sealed class Primitive
{
    /// <summary>
    /// The most arguments a primitive takes: compiled tapes call a row through one helper per arity, and the
    /// tape's argument buffers are sized by it.
    /// </summary>
    public const int MaxArity = 3;

    internal Primitive(string name, string[] parameters, NumericFunction evaluate)
    {
        if (parameters.Length is 0 or > MaxArity)
            throw new ArgumentException($"{name}: a primitive takes 1 to {MaxArity} arguments (Primitive.MaxArity); {parameters.Length} were declared.", nameof(parameters));
        Name = name;
        Parameters = parameters;
        Evaluate = evaluate;
    }

    /// <summary>The lowercase name used in text, such as <c>atan2</c>.</summary>
    public string Name { get; }

    /// <summary>Parameter names from the mathematics, such as <c>y, x</c> for atan2.</summary>
    public IReadOnlyList<string> Parameters { get; }

    /// <summary>The number of arguments.</summary>
    public int Arity => Parameters.Count;

    /// <summary>The value at double arguments; NaN outside the real domain, as System.Math does.</summary>
    public NumericFunction Evaluate { get; }

    /// <summary>One exact partial derivative per parameter, as a function of the argument expressions.</summary>
    public IReadOnlyList<Func<IReadOnlyList<Expr>, Expr>> Partials { get; internal init; } = [];

    /// <summary>One numeric partial derivative per parameter; agrees with <see cref="Partials"/> (the table test checks).</summary>
    public IReadOnlyList<NumericFunction> NumericPartials { get; internal init; } = [];

    /// <summary>
    /// For functions whose total derivative is not a sum of partials times argument derivatives:
    /// <c>where(c, a, b)</c> differentiates to <c>where(c, a', b')</c> so the untaken branch never leaks NaN.
    /// Receives the arguments and their derivatives.
    /// </summary>
    public Func<IReadOnlyList<Expr>, IReadOnlyList<Expr>, Expr>? Chain { get; internal init; }

    /// <summary>True where the function is defined in the reals.</summary>
    public NumericPredicate Domain { get; internal init; } = static _ => true;

    /// <summary>Draws arguments inside the domain, away from its edges and kinks (for tests).</summary>
    public Func<Random, double[]> Sample { get; internal init; } = null!;

    /// <summary>Points where the function is not differentiable; the strict mode reports them.</summary>
    public NumericPredicate? Kink { get; internal init; }

    /// <summary>What the derivative is at a kink (the convention), in words; null when there are none.</summary>
    public string? KinkConvention { get; internal init; }

    /// <summary>
    /// Maps any real argument expressions into the interior of the domain, away from kinks and edges where finite
    /// differences break down (log(u) gets u² + 1/2): what generated test expressions apply. Identity when null.
    /// </summary>
    public Func<Expr[], Expr[]>? IntoDomain { get; internal init; }

    /// <summary>
    /// For a one-argument row, optionally, its value over many elements at once; Tensor uses it on large tensors.
    /// Agrees with <see cref="Evaluate"/> within a few units in the last place (the facet test checks).
    /// </summary>
    public VectorFunction? VectorEvaluate { get; internal init; }

    /// <summary>For a one-argument row, optionally, its derivative over many elements from the arguments and values; agrees with <see cref="NumericPartials"/>.</summary>
    public VectorDerivative? VectorPartial { get; internal init; }

    /// <summary>True for a row added at run time by <see cref="Primitives.Register"/>, not declared in the table.</summary>
    public bool IsRegistered { get; internal init; }

    /// <summary>Exact special values applied on construction (<c>sin(0) = 0</c>); null when none applies.</summary>
    internal Func<Expr[], Expr?> Fold { get; init; } = static _ => null;

    /// <summary>The C# rendering: a template where <c>{0}</c>, <c>{1}</c>, ... stand for the arguments, such as <c>Math.Sin({0})</c>.</summary>
    public string CSharp { get; internal init; } = null!;

    /// <summary>The LaTeX rendering: a template where <c>{0}</c>, <c>{1}</c>, ... stand for the arguments (other braces are literal).</summary>
    public string Latex { get; internal init; } = null!;

    /// <summary>For comparisons, the infix operator (<c>&lt;</c>); null for ordinary calls.</summary>
    public string? Operator { get; internal init; }

    /// <summary>Applies the function, canonicalizing (special values are folded).</summary>
    /// <exception cref="ArgumentException">The number of arguments is not <see cref="Arity"/>.</exception>
    public Expr Apply(params Expr[] args) => Build.Call(this, args);

    /// <summary>The name.</summary>
    public override string ToString() => Name;
}
