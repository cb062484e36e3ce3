// The eight node classes. Constructors here are trusted: they assume canonical children and are
// reached only through Build, which canonicalizes. Payload equality is all each class adds.
using System.Globalization;

namespace Hybrid.Symbolic;

/// <summary>An exact rational number.</summary>
public sealed class Number : Expr
{
    internal Number(Rational value) : base([], value.GetHashCode()) => Value = value;
    /// <summary>The exact value.</summary>
    public Rational Value { get; }
    /// <inheritdoc/>
    public override ExprKind Kind => ExprKind.Number;
    private protected override bool PayloadEquals(Expr other) => Value == ((Number)other).Value;
}

/// <summary>A floating-point number; it stays visibly floating (<c>2.0</c>, not <c>2</c>).</summary>
public sealed class FloatNumber : Expr
{
    internal FloatNumber(double value) : base([], value.GetHashCode()) => Value = value;
    /// <summary>The value.</summary>
    public double Value { get; }
    /// <inheritdoc/>
    public override ExprKind Kind => ExprKind.Float;
    // Bitwise equality so that NaN equals itself and the equality stays reflexive.
    private protected override bool PayloadEquals(Expr other) => Value.Equals(((FloatNumber)other).Value);
    // Text that the parser reads back to the same double: "R" digits, ".0" on whole numbers, and the
    // reserved names inf and nan for the non-finite values (the sign is printed by the layout).
    internal string Text => Value switch
    {
        double.NaN => "nan",
        double.PositiveInfinity => "inf",
        double.NegativeInfinity => "-inf",
        _ => Value.ToString("R", CultureInfo.InvariantCulture) is var s && (s.Contains('.') || s.Contains('E')) ? s : s + ".0",
    };
}

/// <summary>A named constant with a known double value: <c>pi</c> or <c>e</c>.</summary>
public sealed class Constant : Expr
{
    internal Constant(string name, double value) : base([], StringHash(name)) { Name = name; Value = value; }
    /// <summary>The name as written in text.</summary>
    public string Name { get; }
    /// <summary>The double value.</summary>
    public double Value { get; }
    /// <inheritdoc/>
    public override ExprKind Kind => ExprKind.Constant;
    private protected override bool PayloadEquals(Expr other) => Name == ((Constant)other).Name;
}

/// <summary>A variable, identified by its name and what is assumed of it.</summary>
public sealed class Symbol : Expr
{
    internal Symbol(string name, Assumptions assumptions = Assumptions.Real) : base([], StringHash(name) ^ (int)assumptions)
    {
        Name = name;
        Assumptions = assumptions;
    }

    /// <summary>The name.</summary>
    public string Name { get; }

    /// <summary>What the variable is assumed to be (real by default); x and a positive x are different symbols, as in SymPy.</summary>
    public Assumptions Assumptions { get; }

    /// <inheritdoc/>
    public override ExprKind Kind => ExprKind.Symbol;
    private protected override bool PayloadEquals(Expr other) => Name == ((Symbol)other).Name && Assumptions == ((Symbol)other).Assumptions;
}

/// <summary>What a symbol is assumed to be, as SymPy's assumptions; flags combine (a positive integer).</summary>
[Flags]
public enum Assumptions
{
    /// <summary>Any real number (the default).</summary>
    Real = 0,
    /// <summary>Not zero.</summary>
    Nonzero = 1,
    /// <summary>Zero or more.</summary>
    Nonnegative = 2,
    /// <summary>More than zero.</summary>
    Positive = Nonzero | Nonnegative,
    /// <summary>An integer.</summary>
    Integer = 4,
}

/// <summary>A sum of two or more terms: flat, like terms merged, at most one number (first), sorted.</summary>
public sealed class Sum : Expr
{
    internal Sum(Expr[] terms) : base(terms, 0) => Canonical.AssertSum(terms);
    /// <inheritdoc/>
    public override ExprKind Kind => ExprKind.Sum;
    private protected override bool PayloadEquals(Expr other) => true;
}

/// <summary>A product of two or more factors: flat, equal bases merged, at most one number (first, not 1), sorted.</summary>
public sealed class Product : Expr
{
    internal Product(Expr[] factors) : base(factors, 0) => Canonical.AssertProduct(factors);
    /// <inheritdoc/>
    public override ExprKind Kind => ExprKind.Product;
    private protected override bool PayloadEquals(Expr other) => true;
}

/// <summary><see cref="Base"/> raised to <see cref="Exponent"/>; <c>sqrt(u)</c> is <c>u^(1/2)</c>.</summary>
public sealed class Power : Expr
{
    internal Power(Expr @base, Expr exponent) : base([@base, exponent], 0) { }
    /// <summary>The base.</summary>
    public Expr Base => children[0];
    /// <summary>The exponent.</summary>
    public Expr Exponent => children[1];
    /// <inheritdoc/>
    public override ExprKind Kind => ExprKind.Power;
    private protected override bool PayloadEquals(Expr other) => true;
}

/// <summary>A primitive function applied to its arguments, such as <c>sin(x)</c> or <c>atan2(y, x)</c>.</summary>
public sealed class Call : Expr
{
    internal Call(Primitive primitive, Expr[] args) : base(args, StringHash(primitive.Name)) => Primitive = primitive;
    /// <summary>The table row that says everything about the function.</summary>
    public Primitive Primitive { get; }
    /// <inheritdoc/>
    public override ExprKind Kind => ExprKind.Call;
    private protected override bool PayloadEquals(Expr other) => ReferenceEquals(Primitive, ((Call)other).Primitive);

    /// <summary>True when this is a call of <paramref name="row"/> (rows are compared by reference, never by name).</summary>
    public bool Of(Primitive row) => ReferenceEquals(Primitive, row);

    /// <summary>True when this is a call of one of <paramref name="rows"/>.</summary>
    internal bool OfAny(params ReadOnlySpan<Primitive> rows)
    {
        foreach (var row in rows) if (ReferenceEquals(Primitive, row)) return true;
        return false;
    }
}
