// What the expression generator may produce: variables, primitives, depth, and whether every
// expression must be defined on the whole real box (domain-safe mode).
using Hybrid.Symbolic;

namespace Hybrid.Testing;

/// <summary>Controls <see cref="Generators.Expressions"/>.</summary>
public sealed record ExpressionShape
{
    /// <summary>Variable names that may appear.</summary>
    public IReadOnlyList<string> Variables { get; init; } = ["x", "y"];

    /// <summary>Primitives that may appear; by default the smooth ones (no kinks, no comparisons).</summary>
    public IReadOnlyList<Primitive> Primitives { get; init; } = Smooth;

    /// <summary>The box points are drawn from: every variable in [<see cref="Low"/>, <see cref="High"/>].</summary>
    public double Low { get; init; } = -2;

    /// <summary>See <see cref="Low"/>.</summary>
    public double High { get; init; } = 2;

    /// <summary>The deepest nesting of operations.</summary>
    public int MaxDepth { get; init; } = 4;

    /// <summary>
    /// When true, every argument is mapped into its primitive's domain (log(u) becomes log(u² + 1/2),
    /// asin(u) becomes asin(9/10·tanh u), ...) and divisors are kept positive, so the expression is
    /// defined at every real point (overflow aside), so on any box.
    /// </summary>
    public bool DomainSafe { get; init; } = true;

    /// <summary>The primitives without kinks or jumps.</summary>
    public static IReadOnlyList<Primitive> Smooth { get; } = Symbolic.Primitives.All
        .Where(p => p.Kink is null && p.Chain is null && p.Arity <= 2).ToArray();

    /// <summary>Every primitive, piecewise ones included (for algebraic properties, not finite differences).</summary>
    public static IReadOnlyList<Primitive> Everything { get; } = Symbolic.Primitives.All;
}
