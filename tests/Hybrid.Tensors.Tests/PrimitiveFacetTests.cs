// The facet test of the function table: every row, declared or registered, through every layer
// (PrimitiveCheck: partials against finite differences and each other, text, tape interpreted /
// compiled / batched / H·v, Tensor first and second order, Trace), and every declared row's value
// against 50-digit mpmath references (data/primitive_references.json), never against its own formula.
using System.Text.Json;
using static Hybrid.Symbolic.Expr;

namespace Hybrid.Tensors.Tests;

public class PrimitiveFacetTests
{
    private static readonly Dictionary<string, Reference[]> references =
        JsonSerializer.Deserialize<Dictionary<string, Reference[]>>(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "data", "primitive_references.json")))!;

    private sealed record Reference(double[] at, double value);

    public static TheoryData<string> Rows() => new(Primitives.All.Select(p => p.Name));

    [Fact]
    public void EveryRowHasReferencesAndEveryFacet()
    {
        Assert.Equal(references.Keys.Order(), Primitives.All.Select(p => p.Name).Order());
        foreach (var p in Primitives.All)
        {
            Assert.Equal(p.Arity, p.Partials.Count);
            Assert.Equal(p.Arity, p.NumericPartials.Count);
            Assert.InRange(p.Arity, 1, Primitive.MaxArity);
            Assert.NotNull(p.Sample);
            Assert.False(string.IsNullOrEmpty(p.CSharp));
            Assert.False(string.IsNullOrEmpty(p.Latex));
            Assert.Equal(p.Kink is null, p.KinkConvention is null);
            Assert.True(p.VectorPartial is null || p.VectorEvaluate is not null && p.Arity == 1, $"{p.Name}: a vector partial needs a one-argument row with a vector kernel");
        }
    }

    [Theory]
    [MemberData(nameof(Rows))]
    public void ValuesMatchHighPrecisionReferences(string name)
    {
        var row = Primitives.Find(name)!;
        foreach (var (at, expected) in references[name])
        {
            double value = row.Evaluate(at);
            Assert.True(WithinUlps(value, expected, 4), $"{name}({string.Join(", ", at)}) = {value:R}; the 50-digit reference is {expected:R}");
            if (row.VectorEvaluate is { } vector)
            {
                var y = new double[1];
                vector(at, y);
                Assert.True(WithinUlps(y[0], expected, 8), $"{name}'s vector kernel at {at[0]:R} gives {y[0]:R}; the reference is {expected:R}");
            }
        }
    }

    [Theory]
    [MemberData(nameof(Rows))]
    public void EveryLayerAgreesWithTheRow(string name) => PrimitiveCheck.Verify(Primitives.Find(name)!);

    [Fact]
    public void AccurateNearZeroWhereTheNaiveFormulaIsNot()
    {
        Assert.Equal(1e-17, Primitives.Log1p.Evaluate([1e-17]));
        Assert.Equal(1e-17, Primitives.Expm1.Evaluate([1e-17]));
        Assert.Equal(1e-17, Parse("log1p(x)").Evaluate(("x", 1e-17)));
        Assert.InRange(Primitives.Sigmoid.Evaluate([-800]), 0, 1e-300);
        Assert.Equal(800, Primitives.Softplus.Evaluate([800]));
        Assert.Equal(Math.Sqrt(2) * 1e200, Primitives.Hypot.Evaluate([1e200, 1e200]), 1e186);
    }

    [Fact]
    public void StepFunctionsFoldExactlyAndHaveZeroDerivative()
    {
        var x = Symbol("x");
        Assert.Equal(Number(-3), Floor(Rational(-5, 2)));
        Assert.Equal(Number(-2), Ceil(Rational(-5, 2)));
        Assert.Equal(Number(2), Round(Rational(5, 2)));     // halves to even
        Assert.Equal(Number(4), Round(Rational(7, 2)));
        Assert.Equal(Number(0), Floor(x).Differentiate(x));
        var tape = Tape.Lower(Floor(x), x);
        Assert.Throws<NotDifferentiableException>(() => tape.Gradient([2.0], new double[1], tape.CreateWorkspace(), new EvaluationOptions { Strict = true }));
    }

    // A user's function, registered once, on every path: parse, print, differentiate (its derivative uses itself),
    // tape interpreted / compiled / batched, Tensor, and the facet check the kit offers.
    [Fact]
    public void ARegisteredFunctionWorksOnEveryPath()
    {
        var gauss = Primitives.Register(new FunctionDefinition("facet_gauss", ["x"], a => Math.Exp(-a[0] * a[0]), ["-2*x*facet_gauss(x)"])
        {
            CSharp = "Math.Exp(-({0}) * ({0}))",
        });
        Assert.Same(gauss, Primitives.Find("facet_gauss"));
        Assert.Contains(gauss, Primitives.Registered);
        var x = Symbol("x");
        var f = Parse("facet_gauss(x)*sin(x)");
        Assert.Equal("facet_gauss(x)*sin(x)", f.ToString());
        var df = f.Differentiate(x);
        Assert.Equal("-2*x*facet_gauss(x)*sin(x) + cos(x)*facet_gauss(x)", df.ToString());   // as docs/symbolic.md shows for gauss
        double at = 0.7, expected = Math.Exp(-at * at) * (Math.Cos(at) - 2 * at * Math.Sin(at));
        Assert.Equal(expected, df.Evaluate(("x", at)), 1e-14);
        Assert.Equal(Math.Exp(-at * at) * (4 * at * at - 2), Parse("facet_gauss(x)").Differentiate(x).Differentiate(x).Evaluate(("x", at)), 1e-14);
        var tape = Tape.Lower(f, x);
        var gradient = new double[1];
        tape.Gradient([at], gradient, tape.CreateWorkspace());
        Assert.Equal(expected, gradient[0], 1e-14);
        tape.Compile().Gradient([at], gradient, tape.CreateWorkspace());
        Assert.Equal(expected, gradient[0], 1e-14);
        Assert.Equal(expected, tape.Batched().Gradient(MathNet.Numerics.LinearAlgebra.Matrix<double>.Build.Dense(1, 1, at)).Gradients[0, 0], 1e-14);
        var t = Tensor.FromArray(at, -at).RequiresGrad();
        (Tensor.Apply(gauss, t) * Tensor.Sin(t)).Sum().Backward();
        Assert.Equal(expected, t.Grad!.ToArray()[0], 1e-14);
        Assert.Equal("Math.Exp(-(x) * (x))", Parse("facet_gauss(x)").ToCSharp());
        PrimitiveCheck.Verify(gauss);
        Assert.Throws<ArgumentException>(() => Primitives.Register(new FunctionDefinition("facet_gauss", ["x"], a => 0, ["0"])));
        Assert.Throws<ArgumentException>(() => Primitives.Register(new FunctionDefinition("sin", ["x"], a => 0, ["0"])));
        var typo = Assert.Throws<ArgumentException>(() => Primitives.Register(new FunctionDefinition("facet_typo", ["x"], a => 0, ["cos(y)"])));
        Assert.Contains("'y'", typo.Message);
        Assert.Null(Primitives.Find("facet_typo"));
        Assert.Throws<ArgumentException>(() => Primitives.Register(new FunctionDefinition("facet_four", ["a", "b", "c", "d"], a => 0, ["0", "0", "0", "0"])));
    }

    // The check is not vacuous: a row with a wrong derivative, or a value off in the last digits, fails it.
    [Fact]
    public void TheCheckCatchesAWrongDerivative()
    {
        var wrong = Primitives.Register(new FunctionDefinition("facet_wrong", ["x"], a => Math.Sin(a[0]), ["-cos(x)"]));
        var failures = PrimitiveCheck.Failures(wrong);
        Assert.Contains(failures, f => f.Contains("finite difference", StringComparison.Ordinal));
        var inconsistent = Primitives.Register(new FunctionDefinition("facet_inconsistent", ["x"], a => Math.Exp(a[0]), ["exp(x)"])
        {
            NumericPartials = [a => Math.Exp(a[0]) * (1 + 1e-9)],
        });
        Assert.Contains(PrimitiveCheck.Failures(inconsistent), f => f.Contains("numeric partial", StringComparison.Ordinal));
        Assert.False(WithinUlps(Math.Exp(1) * (1 + 1e-14), Math.Exp(1), 4));
    }

    private static bool WithinUlps(double value, double expected, int ulps) =>
        value.Equals(expected) || Math.Abs(value - expected) <= ulps * Math.Max(double.Epsilon, Math.BitIncrement(Math.Abs(expected)) - Math.Abs(expected));
}
