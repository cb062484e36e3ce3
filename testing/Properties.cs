// Property assertions for xunit (or any test framework): each runs an FsCheck property, shrinks a
// failure to a small counterexample, and throws PropertyFailedException whose message leads with the
// shrunk case (expression, point, both values), then FsCheck's own report (seed, tests, shrinks).
// Every assertion takes `replay`: the (seed, gamma) pair of a failure's report runs the same cases again.
using FsCheck;
using FsCheck.Fluent;
using Hybrid.Numerics;
using Hybrid.Symbolic;

namespace Hybrid.Testing;

/// <summary>Assertions over generated cases: gradients agree, rewrites are sound.</summary>
public static class Properties
{
    /// <summary>Values larger than this are treated as overflow territory where nothing is compared.</summary>
    public const double ValueLimit = 1e8;

    /// <summary>
    /// Asserts that a hand-written <paramref name="gradient"/> of <paramref name="f"/> agrees with finite differences
    /// (Richardson unless <paramref name="options"/> says otherwise) at <paramref name="maxTest"/> random points of
    /// [<paramref name="low"/>, <paramref name="high"/>]^<paramref name="dimension"/>.
    /// </summary>
    public static void GradientsAgree(Func<double[], double> f, Func<double[], double[]> gradient, int dimension, double low = -2, double high = 2,
        CheckOptions? options = null, int maxTest = 100, (ulong Seed, ulong Gamma)? replay = null)
    {
        ArgumentNullException.ThrowIfNull(f);
        ArgumentNullException.ThrowIfNull(gradient);
        options ??= new CheckOptions { Reference = DerivativeReference.Richardson };
        Run(Generators.BoxPoints(dimension, low, high), point =>
        {
            var report = GradCheck.Run(f, gradient, [point], options);
            return report.Passed ? null : $"the gradient disagrees with finite differences at ({string.Join(", ", point)}):{Environment.NewLine}{report}";
        }, maxTest, replay);
    }

    /// <summary>
    /// Asserts that two gradient computations, <paramref name="f"/> and <paramref name="g"/> (see <see cref="Gradients"/>),
    /// agree on generated expressions at points of the shape's box. <paramref name="f"/> is the reference: cases where the
    /// expression or f's gradient is not finite or beyond <see cref="ValueLimit"/> are discarded; anything else g returns
    /// (NaN included) must be within the tolerances of f's.
    /// </summary>
    public static void GradientsAgree(Func<GradientCase, double[]> f, Func<GradientCase, double[]> g, ExpressionShape? shape = null,
        CheckOptions? options = null, int maxTest = 100, (ulong Seed, ulong Gamma)? replay = null)
    {
        ArgumentNullException.ThrowIfNull(f);
        ArgumentNullException.ThrowIfNull(g);
        shape ??= new ExpressionShape();
        options ??= CheckOptions.Default;
        var (fName, gName) = (Name(f, "first"), Name(g, "second"));
        var variables = shape.Variables;
        Run(Generators.ExpressionsAtPoints(shape), pair =>
        {
            var c = new GradientCase(pair.Expression, variables, variables.Select(v => pair.Point[v]).ToArray());
            if (!Defined(c.Expression.Evaluate(c.Bindings))) return null;
            var (a, b) = (f(c), g(c));
            if (a.Length != variables.Count || b.Length != variables.Count)
                throw new ArgumentException($"{fName} returned {a.Length} components and {gName} {b.Length}, but there are {variables.Count} variables.");
            // f is the reference: where it overflows (inf/inf in a symbolic quotient, say) there is nothing to compare.
            if (!a.All(Defined)) return null;
            int bad = Enumerable.Range(0, a.Length).FirstOrDefault(i => !options.Accepts(b[i], a[i]), -1);
            return bad < 0 ? null
                : $"gradients disagree for {c}: ∂f/∂{variables[bad]} is {a[bad]:R} by {fName} and {b[bad]:R} by {gName} (difference {Math.Abs(a[bad] - b[bad]):G3})";
        }, maxTest, replay);
    }

    /// <summary>
    /// Asserts that <paramref name="after"/> equals <paramref name="before"/> wherever <paramref name="before"/> is defined
    /// (finite, within <see cref="ValueLimit"/>), at random points of the shape's box, to <paramref name="relative"/> precision.
    /// </summary>
    public static void IsSoundRewrite(Expr before, Expr after, ExpressionShape? shape = null, double relative = 1e-9, int maxTest = 100, (ulong Seed, ulong Gamma)? replay = null)
    {
        ArgumentNullException.ThrowIfNull(before);
        ArgumentNullException.ThrowIfNull(after);
        shape ??= new ExpressionShape();
        var names = before.FreeSymbols().Concat(after.FreeSymbols()).Select(s => s.Name).Distinct().ToArray();
        if (names.Length == 0)
        {
            string? failure = Unequal(before, after, new Dictionary<string, double>(), relative);
            if (failure is not null) throw new PropertyFailedException(failure);
            return;
        }
        Run(Generators.BoxPoints(names.Length, shape.Low, shape.High),
            point => Unequal(before, after, names.Select((n, i) => (n, point[i])).ToDictionary(p => p.n, p => p.Item2), relative), maxTest, replay);
    }

    /// <summary>Asserts that <paramref name="rewrite"/> keeps the value of generated expressions wherever they are defined.</summary>
    public static void IsSoundRewrite(Func<Expr, Expr> rewrite, ExpressionShape? shape = null, double relative = 1e-9, int maxTest = 100, (ulong Seed, ulong Gamma)? replay = null)
    {
        ArgumentNullException.ThrowIfNull(rewrite);
        Run(Generators.ExpressionsAtPoints(shape), pair => Unequal(pair.Expression, rewrite(pair.Expression), pair.Point, relative), maxTest, replay);
    }

    private static string? Unequal(Expr before, Expr after, IReadOnlyDictionary<string, double> point, double relative)
    {
        double b = before.Evaluate(point);
        if (!Defined(b)) return null;
        double a = after.Evaluate(point);
        return FiniteDifference.Close(a, b, relative, relative) ? null
            : $"the rewrite changes the value at {string.Join(", ", point.Select(p => $"{p.Key} = {p.Value:R}"))}:{Environment.NewLine}"
              + $"  before: {before} = {b:R}{Environment.NewLine}  after:  {after} = {a:R}";
    }

    private static bool Defined(double value) => double.IsFinite(value) && Math.Abs(value) <= ValueLimit;

    private static string Name(Delegate d, string fallback) => d.Method.Name.Contains('<') ? fallback : d.Method.Name;

    // Runs the property; a case fails when the check returns a message. The last failing case FsCheck
    // tried is the shrunk one, so its message leads the exception.
    private static void Run<T>(Arbitrary<T> cases, Func<T, string?> check, int maxTest, (ulong Seed, ulong Gamma)? replay)
    {
        string? lastFailure = null;
        var property = Prop.ForAll(cases, c =>
        {
            string? failure = check(c);
            if (failure is not null) lastFailure = failure;
            return failure is null;
        });
        try
        {
            var config = Config.QuickThrowOnFailure.WithMaxTest(maxTest);
            Check.One(replay is var (seed, gamma) ? config.WithReplay(seed, gamma) : config, property);
        }
        catch (Exception e) when (lastFailure is not null && e is not PropertyFailedException)
        {
            throw new PropertyFailedException($"{lastFailure}{Environment.NewLine}{Environment.NewLine}FsCheck: {e.Message.Trim()}");
        }
    }
}

/// <summary>A property assertion found a counterexample; the message shows the shrunk case and both values.</summary>
public sealed class PropertyFailedException(string message) : Exception(message);
