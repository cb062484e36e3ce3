// A user's function for the table, added at run time by Primitives.Register. The partials are text over
// the parameter names, parsed once the row is in the table (so a derivative may use the function itself),
// which gives exact derivatives of every order; numeric partials are optional, for speed.
namespace Hybrid.Symbolic;

/// <summary>
/// The declaration of a function to add to the table with <see cref="Primitives.Register"/>: after that it parses
/// by name, prints, differentiates exactly (to any order), lowers to tapes (interpreted, compiled, batched) and applies
/// elementwise to tensors, like a built-in row.
/// </summary>
/// <param name="Name">The name used in text: an identifier no other function, constant or reserved word has.</param>
/// <param name="Parameters">Parameter names (1 to <see cref="Primitive.MaxArity"/>), as used in <paramref name="Partials"/>.</param>
/// <param name="Value">The value at double arguments (NaN outside the domain).</param>
/// <param name="Partials">One exact partial derivative per parameter, as infix text over the parameter names, such as <c>"2*x*cos(x^2)"</c>.</param>
public sealed record FunctionDefinition(string Name, IReadOnlyList<string> Parameters, NumericFunction Value, IReadOnlyList<string> Partials)
{
    /// <summary>Optional numeric partials, one per parameter (faster than evaluating <see cref="Partials"/>); they must agree with them.</summary>
    public IReadOnlyList<NumericFunction>? NumericPartials { get; init; }

    /// <summary>Where the function is defined in the reals; everywhere when null.</summary>
    public NumericPredicate? Domain { get; init; }

    /// <summary>Points where it is not differentiable (reported by the strict mode); none when null.</summary>
    public NumericPredicate? Kink { get; init; }

    /// <summary>What the derivative is at a kink, in words; required with <see cref="Kink"/>.</summary>
    public string? KinkConvention { get; init; }

    /// <summary>Draws arguments inside the domain, away from kinks, for property checks; uniform in [−3, 3] when null.</summary>
    public Func<Random, double[]>? Sample { get; init; }

    /// <summary>The C# template (<c>{0}</c>, <c>{1}</c> for the arguments); a call to <see cref="Name"/> when null, so exported code needs a method of that name.</summary>
    public string? CSharp { get; init; }

    /// <summary>The LaTeX template; <c>\operatorname{name}(...)</c> when null.</summary>
    public string? Latex { get; init; }
}
