// The table test: every row of Primitives, at points drawn from its own domain sampler, checked
// facet by facet — value against System.Math, exact partials against numeric partials, both against
// finite differences, second order, printing round trip. A new row gets all of this for free.
using Hybrid.Numerics;
using Hybrid.Testing;
using static Hybrid.Symbolic.Expr;

namespace Hybrid.Symbolic.Tests;

public class PrimitiveTableTests
{
    // Independent oracles written from System.Math, not from the table.
    private static readonly Dictionary<string, Func<double[], double>> oracle = new()
    {
        ["exp"] = a => Math.Exp(a[0]), ["log"] = a => Math.Log(a[0]), ["sin"] = a => Math.Sin(a[0]), ["cos"] = a => Math.Cos(a[0]),
        ["tan"] = a => Math.Tan(a[0]), ["cot"] = a => Math.Cos(a[0]) / Math.Sin(a[0]), ["sec"] = a => 1 / Math.Cos(a[0]), ["csc"] = a => 1 / Math.Sin(a[0]),
        ["asin"] = a => Math.Asin(a[0]), ["acos"] = a => Math.Acos(a[0]), ["atan"] = a => Math.Atan(a[0]), ["acot"] = a => Math.PI / 2 * Math.Sign(a[0]) - Math.Atan(a[0]),
        ["asec"] = a => Math.Acos(1 / a[0]), ["acsc"] = a => Math.Asin(1 / a[0]), ["atan2"] = a => Math.Atan2(a[0], a[1]),
        ["sinh"] = a => Math.Sinh(a[0]), ["cosh"] = a => Math.Cosh(a[0]), ["tanh"] = a => Math.Tanh(a[0]), ["coth"] = a => Math.Cosh(a[0]) / Math.Sinh(a[0]),
        ["sech"] = a => 1 / Math.Cosh(a[0]), ["csch"] = a => 1 / Math.Sinh(a[0]), ["asinh"] = a => Math.Log(a[0] + Math.Sqrt(a[0] * a[0] + 1)),
        ["acosh"] = a => Math.Log(a[0] + Math.Sqrt(a[0] * a[0] - 1)), ["atanh"] = a => 0.5 * Math.Log((1 + a[0]) / (1 - a[0])), ["acoth"] = a => 0.5 * Math.Log((a[0] + 1) / (a[0] - 1)),
        ["abs"] = a => Math.Abs(a[0]), ["sign"] = a => Math.Sign(a[0]), ["relu"] = a => Math.Max(a[0], 0),
        ["lt"] = a => a[0] < a[1] ? 1 : 0, ["le"] = a => a[0] <= a[1] ? 1 : 0, ["gt"] = a => a[0] > a[1] ? 1 : 0, ["ge"] = a => a[0] >= a[1] ? 1 : 0,
        ["where"] = a => a[0] != 0 ? a[1] : a[2], ["max"] = a => Math.Max(a[0], a[1]), ["min"] = a => Math.Min(a[0], a[1]),
    };

    public static TheoryData<string> Rows() => new(Primitives.All.Select(p => p.Name));

    [Fact]
    public void EveryRowHasAnOracleAndEveryFacet()
    {
        Assert.Equal(oracle.Keys.Order(), Primitives.All.Select(p => p.Name).Order());
        foreach (var p in Primitives.All)
        {
            Assert.Equal(p.Arity, p.Partials.Count);
            Assert.Equal(p.Arity, p.NumericPartials.Count);
            Assert.NotNull(p.Sample);
            Assert.False(string.IsNullOrEmpty(p.CSharp));
            Assert.False(string.IsNullOrEmpty(p.Latex));
            Assert.Equal(p.Kink is null, p.KinkConvention is null);
        }
    }

    [Theory]
    [MemberData(nameof(Rows))]
    public void EveryFacetAgrees(string name)
    {
        var p = Primitives.Find(name)!;
        var symbols = Enumerable.Range(0, p.Arity).Select(i => Symbol("a" + i)).ToArray();
        var applied = p.Apply(symbols);
        Assert.Equal(applied, Parse(applied.ToString()));
        var random = new Random(name.Sum(c => c) * 7919);   // deterministic: string hashes vary per process
        for (int trial = 0; trial < 20; trial++)
        {
            var point = p.Sample(random);
            Assert.True(p.Domain(point), $"{name} sampled outside its domain at {string.Join(", ", point)}");
            var bindings = symbols.Select((s, i) => (s.ToString(), point[i])).ToArray();
            double value = applied.Evaluate(bindings);
            Assert.True(FiniteDifference.Close(value, oracle[name](point), 1e-13, 1e-15), $"{name}{Show(point)} = {value}, System.Math says {oracle[name](point)}");

            for (int i = 0; i < p.Arity; i++)
            {
                var partial = applied.Differentiate(symbols[i]);
                Assert.Equal(partial, p.Chain is null ? p.Partials[i](symbols) : partial);
                double exact = partial.Evaluate(bindings);
                double numeric = p.NumericPartials[i](point);
                Assert.True(FiniteDifference.Close(exact, numeric, 1e-12, 1e-14), $"d{name}/d{p.Parameters[i]}{Show(point)}: exact {exact}, numeric partial {numeric}");
                if (p.Chain is not null && i == 0) continue;   // where's condition is a selector, not a variable
                double fd = FiniteDifference.Derivative(t => p.Evaluate(With(point, i, t)), point[i]);
                Assert.True(FiniteDifference.Close(exact, fd, 1e-7, 1e-8), $"d{name}/d{p.Parameters[i]}{Show(point)}: exact {exact}, finite difference {fd}");

                double second = partial.Differentiate(symbols[i]).Evaluate(bindings);
                double fd2 = FiniteDifference.Derivative(t => p.NumericPartials[i](With(point, i, t)), point[i]);
                Assert.True(FiniteDifference.Close(second, fd2, 1e-6, 1e-7), $"d2{name}/d{p.Parameters[i]}2{Show(point)}: exact {second}, finite difference {fd2}");
            }
        }
    }

    private static double[] With(double[] point, int i, double value)
    {
        var copy = (double[])point.Clone();
        copy[i] = value;
        return copy;
    }

    private static string Show(double[] point) => "(" + string.Join(", ", point.Select(v => v.ToString("R"))) + ")";
}
