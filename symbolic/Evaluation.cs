// Evaluation to double: one pass over the DAG in post-order, each distinct node once. IEEE
// semantics by default (NaN outside the domain); Checked and Strict modes turn domain errors and
// non-differentiable points into exceptions that name the subexpression and its arguments.
using System.Globalization;

namespace Hybrid.Symbolic;

/// <summary>How <see cref="Expr.Evaluate(IReadOnlyDictionary{string, double}, EvaluationOptions?)"/> treats trouble.</summary>
public sealed record EvaluationOptions
{
    /// <summary>Throw <see cref="DomainException"/> where a node yields NaN or infinity from finite arguments.</summary>
    public bool Checked { get; init; }

    /// <summary>
    /// Throw <see cref="NotDifferentiableException"/> where a node sits at a non-differentiable point
    /// (abs at 0, relu at 0, max at a tie, sqrt at 0, ...) instead of letting the derivative use the convention.
    /// </summary>
    public bool Strict { get; init; }

    /// <summary>
    /// A product with an exactly zero factor is zero even where another factor is infinite or NaN (0·∞ = 0).
    /// This is the chain rule's convention at singular points, which the tape, the compiled code, the batched
    /// kernels and Tensor follow: evaluate a derivative with it to get the numbers they give
    /// (d/dy of x·sqrt(y) at (0, 0) is x/(2 sqrt(y)) = 0, not NaN). Comparisons and the condition of where still see
    /// the IEEE values, as on the tape: the rule multiplies derivatives, it does not decide branches. Leave it off for function values.
    /// </summary>
    public bool StrongZero { get; init; }

    /// <summary>Evaluation of derivatives: <see cref="StrongZero"/> on, IEEE otherwise.</summary>
    public static EvaluationOptions Derivative { get; } = new() { StrongZero = true };

    /// <summary>IEEE semantics: NaN propagates, conventions apply at kinks.</summary>
    public static EvaluationOptions Default { get; } = new();
}

internal static class Evaluation
{
    public static double Evaluate(Expr root, IReadOnlyDictionary<string, double> bindings, EvaluationOptions options)
    {
        // The strong zero is a rule about multiplying derivatives, not about deciding branches: comparisons and
        // where's condition see the IEEE values (the tape's), computed first in a plain pass.
        var branching = options.StrongZero ? Values(root, bindings, EvaluationOptions.Default, null) : null;
        return Values(root, bindings, options, branching)[root];
    }

    private static Dictionary<Expr, double> Values(Expr root, IReadOnlyDictionary<string, double> bindings, EvaluationOptions options, Dictionary<Expr, double>? branching)
    {
        var values = new Dictionary<Expr, double>(Expr.ByReference);
        // Checked mode: a value that left the domain is an error only if the result uses it, so a node keeps
        // the error it would raise and passes it to its parents; where() passes only its taken branch's.
        Dictionary<Expr, DomainException>? errors = null;
        var args = new double[3];
        foreach (var node in Traversal.PostOrder(root))
        {
            var children = node.Children;
            for (int i = 0; i < children.Length && i < args.Length; i++)
                args[i] = branching is not null && node is Call call && DecidesBranch(call.Primitive, i) ? branching[children[i]] : values[children[i]];
            double value = node switch
            {
                Number n => n.Value.ToDouble(),
                FloatNumber f => f.Value,
                Constant c => c.Value,
                Symbol s => bindings.TryGetValue(s.Name, out var v) ? v
                    : throw new KeyNotFoundException($"No value for the variable '{s.Name}'; bind it (bound: {Describe(bindings)})."),
                Sum => SumOf(children, values),
                Product => ProductOf(children, values, options.StrongZero),
                Power => Pow(args[0], args[1]),
                Call c => c.Primitive.Evaluate(args.AsSpan(0, children.Length)),
                _ => throw new InvalidOperationException(node.Kind.ToString()),
            };
            if (options.Strict && IsKink(node, args.AsSpan(0, Math.Min(children.Length, args.Length))) is { } why)
                throw new NotDifferentiableException($"{why} at {node} with arguments ({Format(args, children.Length)}); the strict mode reports it instead of using the convention.", node, args[..children.Length]);
            if (options.Checked)
            {
                var error = errors is null ? null : InheritedError(node, args, errors);
                if (error is null && !double.IsFinite(value) && AllFinite(node, values))
                    error = new DomainException($"{node} is {value.ToString(CultureInfo.InvariantCulture)} at arguments ({Format(args, children.Length)}): outside its real domain.", node, args[..Math.Min(children.Length, args.Length)]);
                if (error is not null) (errors ??= new(Expr.ByReference))[node] = error;
            }
            values[node] = value;
        }
        if (errors is not null && errors.TryGetValue(root, out var domainError)) throw domainError;
        return values;
    }

    private static bool DecidesBranch(Primitive p, int argument) =>
        ReferenceEquals(p, Primitives.Where) ? argument == 0
        : ReferenceEquals(p, Primitives.Less) || ReferenceEquals(p, Primitives.LessOrEqual) || ReferenceEquals(p, Primitives.Greater) || ReferenceEquals(p, Primitives.GreaterOrEqual);

    // The error a node inherits from the children it uses: all of them, except that where(c, a, b) uses
    // only c and the branch c selects.
    private static DomainException? InheritedError(Expr node, double[] args, Dictionary<Expr, DomainException> errors)
    {
        var children = node.Children;
        if (node is Call call && ReferenceEquals(call.Primitive, Primitives.Where))
        {
            if (errors.TryGetValue(children[0], out var condition)) return condition;
            return errors.GetValueOrDefault(args[0] != 0 ? children[1] : children[2]);
        }
        foreach (var child in children) if (errors.TryGetValue(child, out var error)) return error;
        return null;
    }

    /// <summary>The power as the reals define it; x^(1/2) is exactly Math.Sqrt.</summary>
    public static double Pow(double b, double e) => e == 0.5 ? Math.Sqrt(b) : e == -0.5 ? 1 / Math.Sqrt(b) : Math.Pow(b, e);

    private static string? IsKink(Expr node, ReadOnlySpan<double> args) => node switch
    {
        Call { Primitive: { Kink: { } kink } p } when kink(args) => $"{p.Name} is not differentiable ({p.KinkConvention})",
        Power { Exponent: Number { Value: var r } } when args[0] == 0 && !r.IsInteger && r.CompareTo(Rational.One) < 0 =>
            $"x^({r}) is not differentiable at x = 0 (the convention gives the derivative +inf there, as sqrt'(0))",
        _ => null,
    };

    private static bool AllFinite(Expr node, Dictionary<Expr, double> values)
    {
        foreach (var child in node.Children) if (!double.IsFinite(values[child])) return false;
        return true;
    }

    private static double SumOf(ReadOnlySpan<Expr> terms, Dictionary<Expr, double> values)
    {
        double total = 0;
        foreach (var t in terms) total += values[t];
        return total;
    }

    private static double ProductOf(ReadOnlySpan<Expr> factors, Dictionary<Expr, double> values, bool strongZero)
    {
        double total = 1;
        bool zero = false;
        foreach (var f in factors)
        {
            double value = values[f];
            zero |= value == 0;
            total *= value;
        }
        // Only a product that IEEE makes NaN (0·∞, 0·NaN) changes: a finite one keeps its value, the sign of a zero included.
        return strongZero && zero && double.IsNaN(total) ? 0 : total;
    }

    private static string Format(double[] args, int count) =>
        string.Join(", ", args.Take(Math.Min(count, args.Length)).Select(a => a.ToString("R", CultureInfo.InvariantCulture)));

    private static string Describe(IReadOnlyDictionary<string, double> bindings) =>
        bindings.Count == 0 ? "none" : string.Join(", ", bindings.Keys.Order(StringComparer.Ordinal));
}
