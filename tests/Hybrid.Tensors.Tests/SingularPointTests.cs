// Singular points: every path (symbolic, interpreted, compiled, batched, Tensor) follows one rule, the
// chain rule's strong zero (docs/tape.md): a zero partial or a zero adjoint contributes exactly zero,
// even against an infinite or NaN factor. The inputs of issue 11 are here with their exact text, and a
// property extends the agreement of the paths to points that sit on singularities.
using static Hybrid.Symbolic.Expr;

namespace Hybrid.Tensors.Tests;

public class SingularPointTests
{
    private static readonly Func<GradientCase, double[]>[] numericPaths = [Gradients.ReverseMode, Gradients.Compiled, Gradients.Batched, Gradients.Tensors];

    [Theory]
    [InlineData("x - sqrt(where(cos(1.31/x) < -1/z, y*acoth(y), 0)) + 2", "x=0.812,y=0.49,z=0.969", "1,0,0")]
    [InlineData("(-4*z + log(x))^0.0", "x=-0.133,z=0.5", "0,0")]
    [InlineData("x^x", "x=0", "-inf")]
    [InlineData("atan2(x, x)", "x=0", "0")]
    [InlineData("atan2(y, x)", "x=0,y=0", "0,0")]
    [InlineData("(x^2-1)/(x-1)", "x=1", "inf")]
    [InlineData("sin(x)/x", "x=0", "inf")]
    [InlineData("x*sqrt(y)", "x=0,y=0", "0,0")]
    [InlineData("where(x < 0, 2*x, sqrt(x))", "x=-1", "2")]
    public void EveryPathGivesTheSameDerivativeAtASingularPoint(string text, string at, string expected)
    {
        var bindings = at.Split(',').Select(p => p.Split('=')).ToArray();
        var c = new GradientCase(Parse(text), bindings.Select(b => b[0]).ToArray(), bindings.Select(b => double.Parse(b[1])).ToArray());
        var want = expected.Split(',').Select(v => v switch { "inf" => double.PositiveInfinity, "-inf" => double.NegativeInfinity, _ => double.Parse(v) }).ToArray();
        Assert.Equal(want, Gradients.Exact(c).Select(v => v + 0.0));   // + 0.0: -0 and 0 are the same answer
        foreach (var path in numericPaths) Assert.Equal(want, path(c).Select(v => v + 0.0));
    }

    [Fact]
    public void TensorWhereAndPowDoNotLeakNaN()
    {
        var t = Tensor.FromArray([-1.0, 4.0]).RequiresGrad();
        var y = Tensor.Apply(Primitives.Where, Tensor.Apply(Primitives.Less, t, Tensor.Scalar(0)), 2 * t, Tensor.Sqrt(t));
        y.Sum().Backward();
        Assert.Equal([2.0, 0.25], t.Grad!.ToArray());

        var z = Tensor.FromArray([0.0, 2.0]).RequiresGrad();
        Tensor.Pow(z, 0).Sum().Backward();
        Assert.Equal([0.0, 0.0], z.Grad!.ToArray());

        // With createGraph the masked gradient is itself differentiable: d/dt of the gradient 1/(2 sqrt t) at 4.
        var u = Tensor.FromArray([-1.0, 4.0]).RequiresGrad();
        var w = Tensor.Apply(Primitives.Where, Tensor.Apply(Primitives.Less, u, Tensor.Scalar(0)), 2 * u, Tensor.Sqrt(u));
        var g = Autograd.Grad([w.Sum()], [u], createGraph: true)[0];
        Assert.Equal([2.0, 0.25], g.ToArray());
        g.Sum().Backward();
        Assert.Equal([0.0, -1.0 / 32], u.Grad!.ToArray());
    }

    [Fact]
    public void CheckedTapeIgnoresTheUntakenBranch()
    {
        var x = Symbol("x");
        var tape = Tape.Lower(Parse("where(x < 0, sqrt(-x), sqrt(x))"), x);
        var check = new EvaluationOptions { Checked = true };
        Assert.Equal(2, tape.Evaluate([4.0], tape.CreateWorkspace(), check));
        var used = Tape.Lower(Parse("where(x < 0, sqrt(x), 1) + log(x - 5)"), x);
        var error = Assert.Throws<DomainException>(() => used.Evaluate([4.0], used.CreateWorkspace(), check));
        Assert.Equal(Parse("log(x - 5)"), error.Node);
    }

    [Fact]
    public void TensorMisuseGetsClearErrors()
    {
        var v = Tensor.FromArray([1.0, 2.0, 3.0]);
        var slice = Assert.Throws<ArgumentOutOfRangeException>(() => v.Slice(int.MaxValue, 1));
        Assert.Contains("Slice(2147483647, 1) does not fit shape [3]", slice.Message);
        var missing = Assert.Throws<ArgumentNullException>(() => Autograd.Grad([null!], [v.RequiresGrad()]));
        Assert.Contains("outputs[0] is null", missing.Message);
    }

    // Points on the singularities of generated expressions: 0, ±1 and ±pi/2 in every coordinate.
    private static readonly Arbitrary<(Expr, Dictionary<string, double>)> singular =
        (from e in Generators.Expressions(new ExpressionShape { Primitives = ExpressionShape.Everything, DomainSafe = false })
         from xv in Gen.Elements(0.0, 1.0, -1.0, Math.PI / 2, 0.5)
         from yv in Gen.Elements(0.0, 1.0, -1.0, -Math.PI / 2, 2.0)
         select (e, new Dictionary<string, double> { ["x"] = xv, ["y"] = yv })).ToArbitrary();

    [Property(MaxTest = 400)]
    public Property AtSingularPointsTheNumericPathsAgreeAndMatchTheExactWhereBothAreFinite() =>
        Prop.ForAll(singular, pair =>
        {
            var (e, point) = pair;
            var c = new GradientCase(e, ["x", "y"], [point["x"], point["y"]]);
            var interpreted = Gradients.ReverseMode(c);
            var others = new[] { Gradients.Compiled(c), Gradients.Batched(c) };
            // The compiled and batched tapes run the interpreter's operations in its order: the same numbers, NaN and ∞ included.
            bool same = others.All(o => o.Zip(interpreted).All(p => p.First.Equals(p.Second) || Math.Abs(p.First - p.Second) <= 1e-12 * Math.Abs(p.Second)));
            var exact = Gradients.Exact(c);
            var tensors = Gradients.Tensors(c);
            bool Close(double a, double b) => !double.IsFinite(a) || !double.IsFinite(b) || Math.Abs(a - b) <= 1e-7 * (1 + Math.Abs(b));
            // Where f itself meets no infinity or NaN (checked evaluation passes), the exact derivative and the tape
            // multiply the same finite values, so where both are finite they agree. Where f's own subexpressions are
            // infinite (asec(-1/(2y)) at y = 0), the derivative does not exist and differently arranged products of
            // 0 and ∞ may give different numbers: there only the numeric paths are held to each other.
            bool defined;
            try { defined = double.IsFinite(e.Evaluate(point, new EvaluationOptions { Checked = true })); }
            catch (DomainException) { defined = false; }
            bool agree = (!defined || interpreted.Zip(exact).All(p => Close(p.First, p.Second))) && tensors.Zip(interpreted).All(p => Close(p.First, p.Second));
            return (same && agree).Label($"{e} at x = {point["x"]}, y = {point["y"]}: interpreted [{string.Join(", ", interpreted)}], "
                + $"compiled [{string.Join(", ", others[0])}], batched [{string.Join(", ", others[1])}], exact [{string.Join(", ", exact)}], tensor [{string.Join(", ", tensors)}]");
        });
}
