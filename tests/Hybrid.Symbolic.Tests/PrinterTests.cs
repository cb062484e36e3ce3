// Printers: golden infix, LaTeX and C#; Parse(ToString(e)) == e for generated expressions; the
// C# output is compiled with Roslyn and must agree with Evaluate.
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Hybrid.Numerics;
using Hybrid.Testing;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using static Hybrid.Symbolic.Expr;

namespace Hybrid.Symbolic.Tests;

public class PrinterTests
{
    private static readonly Expr x = Symbol("x"), y = Symbol("y");

    [Theory]
    [InlineData("x/2", "x/2", @"\frac{x}{2}", "x / 2.0")]
    [InlineData("-3*x/(4*y)", "-3*x/(4*y)", @"-\frac{3 x}{4 y}", "-(3.0 * x / (4.0 * y))")]
    [InlineData("1/sqrt(x + 1)", "1/sqrt(x + 1)", @"\frac{1}{\sqrt{x + 1}}", "1.0 / Math.Sqrt(x + 1.0)")]
    [InlineData("x^(2/3)", "x^(2/3)", @"x^{\frac{2}{3}}", "Math.Pow(x, (2.0 / 3.0))")]
    [InlineData("(x + y)^2", "(x + y)^2", @"\left(x + y\right)^{2}", "Math.Pow(x + y, 2.0)")]
    [InlineData("x - sin(y)", "x - sin(y)", @"x - \sin\left(y\right)", "x - Math.Sin(y)")]
    [InlineData("abs(x)*pi", "pi*abs(x)", @"\pi \left|x\right|", "Math.PI * Math.Abs(x)")]
    [InlineData("sec(x + 1)", "sec(x + 1)", @"\sec\left(x + 1\right)", "(1.0 / Math.Cos(x + 1.0))")]
    [InlineData("acot(x + 1)", "acot(x + 1)", @"\operatorname{acot}\left(x + 1\right)", "Math.Atan(1.0 / (x + 1.0))")]
    [InlineData("2*(x < y)", "2*(x < y)", @"2 \left[x < y\right]", "2.0 * (x < y ? 1.0 : 0.0)")]
    [InlineData("-x^2 + 1", "1 - x^2", @"1 - x^{2}", "1.0 - Math.Pow(x, 2.0)")]                              // a positive constant first, as SymPy
    [InlineData("1/sqrt(-x^2 + 1)", "1/sqrt(1 - x^2)", @"\frac{1}{\sqrt{1 - x^{2}}}", "1.0 / Math.Sqrt(1.0 - Math.Pow(x, 2.0))")]
    [InlineData("-x + y", "-x + y", @"-x + y", "-x + y")]                                         // no constant: the order stays
    [InlineData("x*2^y", "2^y*x", @"2^{y} x", "Math.Pow(2.0, y) * x")]
    [InlineData("y*2^x*3", "3*2^x*y", @"3 \cdot 2^{x} y", "3.0 * Math.Pow(2.0, x) * y")]          // \cdot only before a digit
    public void PrintsGoldenForms(string input, string infix, string latex, string csharp)
    {
        var e = Parse(input);
        Assert.Equal(infix, e.ToString());
        Assert.Equal(latex, e.ToLatex());
        Assert.Equal(csharp, e.ToCSharp());
    }

    [Property(MaxTest = 300)]
    public Property InfixRoundTrips() =>
        Prop.ForAll(Generators.ArbitraryExpressions(new ExpressionShape { Primitives = ExpressionShape.Everything, DomainSafe = false }),
            e => Parse(e.ToString()).Equals(e).Label($"{e} reparsed as {Parse(e.ToString())}"));

    [Property(MaxTest = 300)]
    public Property CanonicalFormIsIdempotent() =>
        Prop.ForAll(Generators.ArbitraryExpressions(new ExpressionShape { Primitives = ExpressionShape.Everything, DomainSafe = false }),
            e => Recanonicalize(e).Equals(e).Label($"{e} rebuilt as {Recanonicalize(e)}"));

    // Rebuilds every node through the public constructors, bottom-up.
    private static Expr Recanonicalize(Expr e) => e.Kind switch
    {
        ExprKind.Sum => Sum(e.Args.Select(Recanonicalize)),
        ExprKind.Product => Product(e.Args.Select(Recanonicalize)),
        ExprKind.Power => Pow(Recanonicalize(e.Args[0]), Recanonicalize(e.Args[1])),
        ExprKind.Call => ((Call)e).Primitive.Apply(e.Args.Select(Recanonicalize).ToArray()),
        ExprKind.Number or ExprKind.Float or ExprKind.Constant or ExprKind.Symbol => e,
    };

    [Fact]
    public void CSharpOutputCompilesAndAgreesForEveryPrimitiveAndGeneratedExpressions()
    {
        var random = new Random(7);
        var cases = new List<(Expr Expression, double X, double Y)>();
        foreach (var p in Primitives.All)
        {
            var sample = p.Sample(random);
            var args = Enumerable.Range(0, p.Arity).Select(i => i == 0 ? x + 0 : i == 1 ? y : (Expr)Float(sample[2])).ToArray();
            cases.Add((p.Apply(args) * (x + 1) - 1 / (y + 3), sample[0], sample.Length > 1 ? sample[1] : 0.5));
        }
        var gen = Generators.Expressions(new ExpressionShape { Primitives = ExpressionShape.Everything });
        foreach (var e in Gen.Sample(gen, 60, 40)) cases.Add((e, 0.7, -0.3));

        var source = "public static class Generated {\n" + string.Concat(cases.Select((c, i) =>
            $"  public static double F{i}(double x, double y) => {c.Expression.ToCSharp()};\n")) + "}";
        var methods = Compile(source).GetType("Generated")!;
        for (int i = 0; i < cases.Count; i++)
        {
            var (e, xv, yv) = cases[i];
            double expected = e.Evaluate(("x", xv), ("y", yv));
            double actual = (double)methods.GetMethod($"F{i}")!.Invoke(null, [xv, yv])!;
            Assert.True(FiniteDifference.Close(actual, expected, 1e-12, 1e-12) || double.IsNaN(actual) && double.IsNaN(expected),
                $"{e}: C# {e.ToCSharp()} gives {actual}, Evaluate gives {expected}");
        }
    }

    private static System.Reflection.Assembly Compile(string source)
    {
        var references = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
            .Select(path => MetadataReference.CreateFromFile(path));
        var compilation = CSharpCompilation.Create("Printed", [CSharpSyntaxTree.ParseText("using System;\n" + source)], references,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary));
        using var stream = new MemoryStream();
        var result = compilation.Emit(stream);
        Assert.True(result.Success, string.Join("\n", result.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error)));
        return System.Reflection.Assembly.Load(stream.ToArray());
    }
}
