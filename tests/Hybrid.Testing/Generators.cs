// FsCheck generators of expressions and points, shared by our own suites and by users. The
// shrinker proposes subexpressions, so a failing case shrinks to a small counterexample.
using FsCheck;
using FsCheck.Fluent;
using Hybrid.Symbolic;

namespace Hybrid.Testing;

/// <summary>Random expressions and evaluation points for property tests.</summary>
public static class Generators
{
    /// <summary>Expressions of the given shape; FsCheck's size parameter bounds the depth too.</summary>
    public static Gen<Expr> Expressions(ExpressionShape? shape = null)
    {
        shape ??= new ExpressionShape();
        var variables = shape.Variables.Select(Expr.Symbol).ToArray();
        return Gen.Sized(size => Node(shape, variables, Math.Min(shape.MaxDepth, 1 + size / 10)));
    }

    /// <summary>Expressions with a shrinker that tries each proper subexpression.</summary>
    public static Arbitrary<Expr> ArbitraryExpressions(ExpressionShape? shape = null) =>
        Arb.From(Expressions(shape), Subexpressions);

    /// <summary>A point: one value in [<paramref name="low"/>, <paramref name="high"/>] per variable name.</summary>
    public static Gen<Dictionary<string, double>> Points(IReadOnlyList<string> variables, double low = -2, double high = 2) =>
        Gen.ArrayOf(Gen.Choose(0, 1 << 20).Select(k => low + (high - low) * k / (double)(1 << 20)), variables.Count)
            .Select(values => variables.Select((v, i) => (v, values[i])).ToDictionary(p => p.v, p => p.Item2));

    /// <summary>An expression together with a point for its variables.</summary>
    public static Arbitrary<(Expr Expression, Dictionary<string, double> Point)> ExpressionsAtPoints(ExpressionShape? shape = null)
    {
        shape ??= new ExpressionShape();
        var gen = from e in Expressions(shape) from p in Points(shape.Variables) select (e, p);
        return Arb.From(gen, pair => Subexpressions(pair.Item1).Select(s => (s, pair.Item2)));
    }

    /// <summary>Every distinct proper subexpression, smallest first.</summary>
    public static IEnumerable<Expr> Subexpressions(Expr e) =>
        Descendants(e).Where(d => !ReferenceEquals(d, e)).Distinct().OrderBy(d => d.TreeSize());

    private static IEnumerable<Expr> Descendants(Expr e)
    {
        var stack = new Stack<Expr>([e]);
        while (stack.Count > 0)
        {
            var node = stack.Pop();
            yield return node;
            foreach (var child in node.Args) stack.Push(child);
        }
    }

    private static Gen<Expr> Leaf(Expr[] variables) => Gen.Frequency(
        (6, Gen.Elements(variables)),
        (3, Gen.Choose(-3, 3).Select(n => (Expr)n)),
        (1, from p in Gen.Choose(-5, 5) from q in Gen.Choose(1, 4) select Expr.Rational(p, q)),
        (1, Gen.Elements(Expr.Pi, Expr.E, Expr.Float(0.5), Expr.Float(1.25))));

    private static Gen<Expr> Node(ExpressionShape shape, Expr[] variables, int depth)
    {
        if (depth <= 0 || shape.Primitives.Count == 0 && depth <= 0) return Leaf(variables);
        var child = Gen.Sized(_ => Node(shape, variables, depth - 1));
        var options = new List<(int, Gen<Expr>)>
        {
            (3, Leaf(variables)),
            (3, Gen.ListOf(child).Select(list => list.Take(3).ToList()).Where(l => l.Count >= 2).Select(l => Expr.Sum(l))),
            (3, Gen.ListOf(child).Select(list => list.Take(3).ToList()).Where(l => l.Count >= 2).Select(l => Expr.Product(l))),
            (2, from b in child from n in Gen.Elements(-2, -1, 2, 3) select Expr.Pow(n < 0 && shape.DomainSafe ? Positive(b) : b, n)),
            (1, from b in child from r in Gen.Elements(Expr.Rational(1, 2), Expr.Rational(3, 2), Expr.Rational(-1, 3)) select Expr.Pow(shape.DomainSafe ? Positive(b) : b, r)),
        };
        if (shape.Primitives.Count > 0)
            options.Add((4, from p in Gen.Elements(shape.Primitives.ToArray())
                            from args in Gen.ArrayOf(child, p.Arity)
                            select shape.DomainSafe ? Safe(p, args) : p.Apply(args)));
        return Gen.Frequency(options.ToArray());
    }

    private static Expr Positive(Expr u) => Expr.Pow(u, 2) + Expr.Rational(1, 2);

    // Maps arguments into the primitive's domain, keeping clear of edges where finite differences break down.
    private static Expr Safe(Primitive p, Expr[] args) => p.Name switch
    {
        "log" => p.Apply(Positive(args[0])),
        "asin" or "acos" or "atanh" => p.Apply(Expr.Rational(9, 10) * Expr.Tanh(args[0])),
        "asec" or "acsc" or "acosh" or "acoth" => p.Apply(Expr.Pow(args[0], 2) + Expr.Rational(11, 10)),
        "tan" or "sec" => p.Apply(Expr.Tanh(args[0])),
        "cot" or "csc" => p.Apply(Expr.Rational(1, 2) + 2 / (2 + Expr.Pow(args[0], 2))),
        "coth" or "csch" => p.Apply(Positive(args[0])),
        "atan2" => p.Apply(args[0], Positive(args[1])),
        _ => p.Apply(args),
    };
}
