// FsCheck generators of expressions, points, vectors and matrices, shared by our own suites and by
// users. The expression shrinker proposes subexpressions and the point shrinker moves toward the
// box's centre, so a failing case shrinks to a small counterexample at a simple point.
using FsCheck;
using FsCheck.Fluent;
using Hybrid.Symbolic;
using MathNet.Numerics.LinearAlgebra;

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

    /// <summary>Expressions with a shrinker (<see cref="Shrink"/>).</summary>
    public static Arbitrary<Expr> ArbitraryExpressions(ExpressionShape? shape = null) =>
        Arb.From(Expressions(shape), Shrink);

    /// <summary>A point: one value in [<paramref name="low"/>, <paramref name="high"/>] per variable name.</summary>
    public static Gen<Dictionary<string, double>> Points(IReadOnlyList<string> variables, double low = -2, double high = 2) =>
        Coordinates(variables.Count, low, high).Select(values => variables.Select((v, i) => (v, values[i])).ToDictionary(p => p.v, p => p.Item2));

    /// <summary>
    /// Points of the box [<paramref name="low"/>, <paramref name="high"/>]^<paramref name="dimension"/> on a grid of
    /// 2^21 values per axis; the shrinker tries each coordinate at the centre, then rounded to an integer
    /// and to one decimal, so a counterexample ends at a point easy to read.
    /// </summary>
    public static Arbitrary<double[]> BoxPoints(int dimension, double low, double high)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(dimension);
        if (!(low < high)) throw new ArgumentException($"The box [{low}, {high}] is empty.", nameof(high));
        return Arb.From(Coordinates(dimension, low, high), point => ShrinkPoint(point, low, high));
    }

    // Each coordinate moved to the centre, or rounded to an integer or one decimal, staying in the box.
    private static IEnumerable<double[]> ShrinkPoint(double[] point, double low, double high)
    {
        double centre = (low + high) / 2;
        return Enumerable.Range(0, point.Length)
            .SelectMany(i => new[] { centre, Math.Round(point[i]), Math.Round(point[i], 1) }
                .Where(c => c != point[i] && c >= low && c <= high).Distinct()
                .Select(c => point.Select((v, j) => j == i ? c : v).ToArray()));
    }

    private static Gen<double[]> Coordinates(int dimension, double low, double high) =>
        Gen.ArrayOf(Gen.Choose(0, 1 << 21).Select(k => low + (high - low) * k / (double)(1 << 21)), dimension);

    /// <summary>
    /// Points of the box [<paramref name="low"/>, <paramref name="high"/>] (over <paramref name="variables"/>) where
    /// <paramref name="e"/> is defined (finite): for expressions that are not domain-safe, such as log(x)·sqrt(y − x).
    /// Each case draws up to 1000 candidates from its seed; a box where none is defined is an error naming both.
    /// </summary>
    public static Gen<Dictionary<string, double>> PointsInDomain(Expr e, IReadOnlyList<string> variables, double low = -2, double high = 2)
    {
        ArgumentNullException.ThrowIfNull(e);
        var missing = e.FreeSymbols().Select(s => s.Name).Except(variables).ToList();
        if (missing.Count > 0) throw new ArgumentException($"{e} uses {string.Join(", ", missing)}, which is not among the variables ({string.Join(", ", variables)}).", nameof(variables));
        return Seeds.Select(seed =>
        {
            var random = new Random(seed);
            for (int attempt = 0; attempt < 1000; attempt++)
            {
                var point = variables.ToDictionary(v => v, _ => low + (high - low) * random.NextDouble());
                if (double.IsFinite(e.Evaluate(point))) return point;
            }
            throw new InvalidOperationException($"{e} is not defined at any of 1000 random points of [{low}, {high}]^{variables.Count}: choose a box inside its domain.");
        });
    }

    /// <summary>An expression together with a point of the shape's box.</summary>
    public static Arbitrary<(Expr Expression, Dictionary<string, double> Point)> ExpressionsAtPoints(ExpressionShape? shape = null)
    {
        shape ??= new ExpressionShape();
        var gen = from e in Expressions(shape) from p in Points(shape.Variables, shape.Low, shape.High) select (e, p);
        // Shrink the expression first, then move the point to round coordinates.
        return Arb.From(gen, pair => Shrink(pair.Item1).Select(s => (s, pair.Item2))
            .Concat(ShrinkPoint(shape.Variables.Select(v => pair.Item2[v]).ToArray(), shape.Low, shape.High)
                .Select(p => (pair.Item1, shape.Variables.Select((v, i) => (v, p[i])).ToDictionary(q => q.v, q => q.Item2)))));
    }

    /// <summary>Vectors of length <paramref name="n"/> with entries in [<paramref name="low"/>, <paramref name="high"/>].</summary>
    public static Gen<Vector<double>> Vectors(int n, double low = -1, double high = 1) =>
        Coordinates(n, low, high).Select(values => Vector<double>.Build.Dense(values));

    /// <summary>
    /// n×n matrices with 2-norm condition number at most <paramref name="condition"/>: U·diag(s)·Vᵀ with U, V
    /// random orthogonal (QR of Gaussian matrices) and singular values s spread over [1, condition].
    /// </summary>
    public static Gen<Matrix<double>> WellConditionedMatrices(int n, double condition = 100) =>
        Seeds.Select(seed =>
        {
            var random = new Random(seed);
            var (u, v) = (Orthogonal(n, random), Orthogonal(n, random));
            return u * Matrix<double>.Build.DenseOfDiagonalArray(SingularValues(n, condition, random)) * v.Transpose();
        });

    /// <summary>Symmetric positive-definite n×n matrices with condition number at most <paramref name="condition"/>: Q·diag(λ)·Qᵀ, λ in [1, condition].</summary>
    public static Gen<Matrix<double>> SymmetricPositiveDefinite(int n, double condition = 100) =>
        Seeds.Select(seed =>
        {
            var random = new Random(seed);
            var q = Orthogonal(n, random);
            var m = q * Matrix<double>.Build.DenseOfDiagonalArray(SingularValues(n, condition, random)) * q.Transpose();
            return (m + m.Transpose()) / 2;   // exactly symmetric, not merely up to rounding
        });

    private static readonly Gen<int> Seeds = Gen.Choose(0, int.MaxValue - 1);

    private static Matrix<double> Orthogonal(int n, Random random) =>
        Matrix<double>.Build.Dense(n, n, (_, _) => MathNet.Numerics.Distributions.Normal.Sample(random, 0, 1)).QR().Q;

    private static double[] SingularValues(int n, double condition, Random random)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(condition, 1);
        // The extremes are present, so the condition number is exactly as asked (for n ≥ 2).
        return Enumerable.Range(0, n).Select(i => i == 0 ? 1 : i == n - 1 ? condition : 1 + (condition - 1) * random.NextDouble()).ToArray();
    }

    /// <summary>
    /// Smaller candidates for a failing expression: the root sum or product without one of its operands
    /// (so a failing term survives while its neighbours go), the root with an argument replaced by one of
    /// that argument's variables (exp(sqrt(x² + 1/2)) → exp(x)), then every proper subexpression,
    /// smallest first. Each candidate is smaller, so shrinking ends.
    /// </summary>
    public static IEnumerable<Expr> Shrink(Expr e)
    {
        var dropped = e.Kind is ExprKind.Sum or ExprKind.Product && e.Args.Count > 1
            ? Enumerable.Range(0, e.Args.Count).Select(i => e.Args.Where((_, k) => k != i))
                .Select(rest => e.Kind == ExprKind.Sum ? Expr.Sum(rest) : Expr.Product(rest))
            : [];
        var simplerArguments = Enumerable.Range(0, e.Args.Count).SelectMany(i => e.Args[i].FreeSymbols().Select(v => WithArgument(e, i, v)));
        return dropped.Concat(simplerArguments).Concat(Subexpressions(e)).Where(c => c.TreeSize() < e.TreeSize()).Distinct();
    }

    private static Expr WithArgument(Expr e, int i, Expr argument)
    {
        var args = e.Args.Select((a, k) => k == i ? argument : a).ToArray();
        return e switch
        {
            Call call => call.Primitive.Apply(args),
            Power => Expr.Pow(args[0], args[1]),
            Sum => Expr.Sum(args),
            _ => Expr.Product(args),
        };
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

    // Maps arguments into the primitive's domain, keeping clear of edges where finite differences break down (the row says how).
    private static Expr Safe(Primitive p, Expr[] args) => p.Apply(p.IntoDomain?.Invoke(args) ?? args);
}
