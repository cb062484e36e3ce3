// The [Differentiate] source generator (generators/), driven in process: the methods it implements compile and
// compute what the tape computes, bit for bit (the generated code is the tape's source export); every shape of
// method it takes (double parameters or a span with named variables, with or without a gradient, nested, generic
// and record containers, keyword names, a tape long enough for a workspace); an error in the expression or the
// method is a compile-time error at the right place; and an edit elsewhere regenerates nothing (the pipeline's
// model is equatable). The real build (the compiler loading the generator and its dependencies) is exercised by
// the sample script (ScriptTests) and the package consumer (PackageTests).
using System.Collections.Immutable;
using System.Reflection;
using Hybrid.SourceGenerators;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace Hybrid.Tapes.Tests;

public class GeneratorTests
{
    private const string Smooth = "sin(x)*y^2 + exp(-x*y)/(1 + x^2)";
    private const string Spanned = "a*b*c + log(1 + a^2)*atan(c) - sqrt(b^2 + 1)";
    private const string Residuals = "x*y - 1, sin(x) + y^2, exp(x - y)";
    private const string SpringEnergy = "k/2*(sqrt((x2 - x1)^2 + (y2 - y1)^2) - L)^2";
    private static readonly string rosenbrock = string.Join(" + ", Enumerable.Range(0, 99).Select(i => $"100*(x{i + 1} - x{i}^2)^2 + (1 - x{i})^2"));
    private static readonly string rosenbrockVariables = string.Join(", ", Enumerable.Range(0, 100).Select(i => $"x{i}"));

    private static readonly string program = $$"""
        using System;
        using Hybrid;

        namespace Models.Physics
        {
            public static partial class Scalar
            {
                [Differentiate("{{Smooth}}")]
                public static partial double F(double x, double y, Span<double> gradient);

                [Differentiate("{{Smooth}}")]
                internal static partial double Value(double x, double y);

                public partial class Nested<T> where T : struct
                {
                    [Differentiate("{{Spanned}}", Variables = "a, b, c")]
                    public partial double H(ReadOnlySpan<double> p, Span<double> g);
                }
            }

            public partial record struct Particle(double Mass)
            {
                [Differentiate("in^2/2 + Mass")]
                public static partial double Keyword(double @in, double Mass, Span<double> g);
            }
        }

        public static partial class Spring
        {
            [Differentiate("{{SpringEnergy}}", Wrt = "x2, y2, x1, y1")]
            public static partial double Energy(double x1, double y1, double x2, double y2, double k, double L, Span<double> force);
        }

        public static partial class Equations
        {
            [Differentiate("{{Residuals}}", Wrt = "y, x")]
            public static partial void Residuals(double x, double y, Span<double> values, Span<double> jacobian);

            [Differentiate("{{Residuals}}")]
            public static partial void ValuesOnly(double x, double y, Span<double> values);
        }

        static partial class Long
        {
            [Differentiate("{{rosenbrock}}", Variables = "{{rosenbrockVariables}}")]
            public static partial double Rosenbrock(ReadOnlySpan<double> x, Span<double> gradient);
        }

        public static class Adapter
        {
            public static double F(double[] p, double[] g) => Models.Physics.Scalar.F(p[0], p[1], g);
            public static double Value(double[] p, double[] g) => Models.Physics.Scalar.Value(p[0], p[1]);
            public static double H(double[] p, double[] g) => new Models.Physics.Scalar.Nested<int>().H(p, g);
            public static double Keyword(double[] p, double[] g) => Models.Physics.Particle.Keyword(p[0], p[1], g);
            public static double Rosenbrock(double[] p, double[] g) => Long.Rosenbrock(p, g);
            public static double Residuals(double[] p, double[] r, double[] j) { global::Equations.Residuals(p[0], p[1], r, j); return 0; }
            public static double ValuesOnly(double[] p, double[] r) { global::Equations.ValuesOnly(p[0], p[1], r); return 0; }
            public static double Spring(double[] p, double[] g) => global::Spring.Energy(p[0], p[1], p[2], p[3], p[4], p[5], g);
        }
        """;

    // The program generated, compiled and loaded once for the tests that run it (compiling is the slow part).
    private static readonly Lazy<(ImmutableArray<Diagnostic> Diagnostics, GeneratorDriver Driver, Type Adapter)> generated = new(() =>
    {
        var (compilation, diagnostics, driver) = Generate(program);
        return (diagnostics, driver, Roslyn.Load(compilation).GetType("Adapter")!);
    });

    [Fact]
    public void GeneratedMethodsComputeTheTapesValueAndGradientBitForBit()
    {
        var (diagnostics, _, adapter) = generated.Value;
        Assert.Empty(diagnostics);
        // The long sum's terms are fused (each computed and swept backward in one loop): its gradient's adjoints are added in
        // another order than the tape's, so within 1e-13 there (docs/tape.md, "Source export"); everything else bit for bit.
        var cases = new (string Method, string Expression, string[] Variables, bool Gradient, double Tolerance)[]
        {
            ("F", Smooth, ["x", "y"], true, 0),
            ("Value", Smooth, ["x", "y"], false, 0),
            ("H", Spanned, ["a", "b", "c"], true, 0),
            ("Keyword", "in^2/2 + Mass", ["in", "Mass"], true, 0),
            ("Rosenbrock", rosenbrock, rosenbrockVariables.Split(", "), true, 1e-13),
        };
        var random = new Random(7);
        foreach (var (method, expression, variables, withGradient, tolerance) in cases)
        {
            var tape = Tape.Lower(Parse(expression), variables.Select(Symbol).ToArray());
            var call = adapter.GetMethod(method)!.CreateDelegate<Func<double[], double[], double>>();
            for (int trial = 0; trial < 5; trial++)
            {
                var point = variables.Select(_ => random.NextDouble() * 2 - 1).ToArray();
                var (expected, actual) = (new double[variables.Length], new double[variables.Length]);
                var value = new double[1];
                var workspace = tape.CreateWorkspace();
                tape.Evaluate(point, value, workspace);
                tape.VectorJacobianProduct(point, [1.0], expected, workspace);
                Assert.Equal(BitConverter.DoubleToInt64Bits(value[0]), BitConverter.DoubleToInt64Bits(call(point, actual)));
                if (!withGradient) continue;
                for (int i = 0; i < expected.Length; i++)
                    Assert.True(tolerance == 0 ? expected[i].Equals(actual[i]) : Math.Abs(expected[i] - actual[i]) <= tolerance * Math.Max(1, Math.Abs(expected[i])),
                        $"{method}: ∂/∂{variables[i]} tape {expected[i]:R}, generated {actual[i]:R}");
            }
        }
        Assert.True(Tape.Lower(Parse(rosenbrock), rosenbrockVariables.Split(", ").Select(Symbol).ToArray()).Length > CompiledTape.LocalsLimit,
            "the long case must be long enough for a workspace");
    }

    // Wrt: the gradient with respect to some variables, in Wrt's order; the others (k, L) are constants of the call.
    [Fact]
    public void WrtChoosesAndOrdersTheGradientsVariables()
    {
        var tape = Tape.Lower(Parse(SpringEnergy), new[] { "x1", "y1", "x2", "y2", "k", "L" }.Select(Symbol).ToArray());
        double[] point = [0.1, -0.2, 0.35, -0.1, 400, 0.09];
        var expected = new double[6];
        double value = tape.Gradient(point, expected, tape.CreateWorkspace());
        var spring = generated.Value.Adapter.GetMethod("Spring")!.CreateDelegate<Func<double[], double[], double>>();
        var actual = new double[4];
        Assert.Equal(value, spring(point, actual));
        Assert.Equal(new[] { expected[2], expected[3], expected[0], expected[1] }, actual);
        var error = Assert.Throws<ArgumentException>(() => spring(point, new double[6]));
        Assert.Contains("force has 6 entries, not 4", error.Message);
    }

    // Several functions: a void method writes their values and, if it takes the span, the Jacobian row by row (here with
    // its columns in Wrt's order): the tape's Jacobian.
    [Fact]
    public void SeveralFunctionsGiveValuesAndTheJacobian()
    {
        var functions = new[] { "x*y - 1", "sin(x) + y^2", "exp(x - y)" }.Select(f => Expr.Parse(f)).ToArray();
        var tape = Tape.Lower(functions, [Symbol("x"), Symbol("y")]);
        double[] point = [0.7, -1.3];
        var (values, jacobian) = (new double[3], new double[6]);
        tape.Evaluate(point, values, tape.CreateWorkspace());
        tape.Jacobian(point, jacobian, tape.CreateWorkspace());
        var adapter = generated.Value.Adapter;
        var residuals = adapter.GetMethod("Residuals")!.CreateDelegate<Func<double[], double[], double[], double>>();
        var (r, j) = (new double[3], new double[6]);
        residuals(point, r, j);
        Assert.Equal(values, r);
        Assert.Equal(new[] { jacobian[1], jacobian[0], jacobian[3], jacobian[2], jacobian[5], jacobian[4] }, j);   // columns: y, x
        Assert.Contains("jacobian has 4 entries, not 6", Assert.Throws<ArgumentException>(() => residuals(point, r, new double[4])).Message);
        var valuesOnly = adapter.GetMethod("ValuesOnly")!.CreateDelegate<Func<double[], double[], double>>();
        var v = new double[3];
        valuesOnly(point, v);
        Assert.Equal(values, v);
    }

    [Fact]
    public void AWrongGradientLengthIsTheExportsArgumentException()
    {
        var f = generated.Value.Adapter.GetMethod("F")!.CreateDelegate<Func<double[], double[], double>>();
        var error = Assert.Throws<ArgumentException>(() => f([1, 2], new double[3]));
        Assert.Contains("gradient has 3 entries, not 2", error.Message);
    }

    [Theory]
    [InlineData("sin(x) + * y", "HYB001", "'*'", "* y")]                 // the location is the column of the error in the literal
    [InlineData("sin(x) + fo(y)", "HYB001", "fo", "fo(y)")]
    [InlineData("sin(x) + z", "HYB002", "'z'", null)]
    [InlineData("x*y, sin(x) + * y", "HYB001", "'*'", "* y")]             // in the second function: its column in the whole text
    public void AnErrorInTheExpressionIsACompileTimeErrorAtItsColumn(string expression, string id, string mentioned, string? at)
    {
        string source = $$"""
            using System;
            static partial class M
            {
                [Hybrid.Differentiate("{{expression}}")]
                public static partial double F(double x, double y, Span<double> gradient);
            }
            """;
        var (_, diagnostics, _) = Generate(source);
        var error = Assert.Single(diagnostics);
        Assert.Equal((id, DiagnosticSeverity.Error), (error.Id, error.Severity));
        Assert.Contains(mentioned, error.GetMessage());
        var span = error.Location.GetLineSpan().Span;
        if (at is null)
            Assert.Equal(source.Split('\n')[3].IndexOf('"'), span.Start.Character);
        else
        {
            Assert.Equal(source.Split('\n')[3].IndexOf(at, StringComparison.Ordinal), span.Start.Character);
            Assert.Contains($"(column {expression.IndexOf(at, StringComparison.Ordinal) + 1})", error.GetMessage());
        }
        Assert.Equal(3, span.Start.Line);
    }

    [Fact]
    public void WithEscapesInTheLiteralTheErrorIsOnTheLiteralAndTheMessageGivesTheColumn()
    {
        var (_, diagnostics, _) = Generate("""
            static partial class M
            {
                [Hybrid.Differentiate("sin(x)\t+ * x")]
                public static partial double F(double x);
            }
            """);
        var error = Assert.Single(diagnostics);
        Assert.Equal("HYB001", error.Id);
        Assert.Contains("(column 10)", error.GetMessage());
        Assert.Equal(26, error.Location.GetLineSpan().Span.Start.Character);
    }

    [Theory]
    [InlineData("class M { [Hybrid.Differentiate(\"x\")] public static partial double F(double x); }", "containing type M is not partial")]
    [InlineData("partial class M { [Hybrid.Differentiate(\"x\")] public static partial float F(double x); }", "must return double")]
    [InlineData("partial class M { [Hybrid.Differentiate(\"x\")] public static partial double F(ref double x); }", "passed by value")]
    [InlineData("partial class M { [Hybrid.Differentiate(\"x\")] public static partial double F(int x); }", "double parameters, or one ReadOnlySpan<double>")]
    [InlineData("partial class M { [Hybrid.Differentiate(\"x\")] public static partial double F(System.ReadOnlySpan<double> p); }", "needs Variables")]
    [InlineData("partial class M { [Hybrid.Differentiate(\"x\", Variables = \"x, x\")] public static partial double F(System.ReadOnlySpan<double> p); }", "repeats a name")]
    [InlineData("partial class M { [Hybrid.Differentiate(\"x\", Variables = \"x\")] public static partial double F(double x); }", "Variables is for a ReadOnlySpan<double> input")]
    [InlineData("partial class M { [Hybrid.Differentiate(\"x\")] public static partial double F<T>(double x); }", "must not be generic")]
    [InlineData("partial class M { [Hybrid.Differentiate(\"x, x^2\")] public static partial double F(double x); }", "lists 2 functions")]
    [InlineData("partial class M { [Hybrid.Differentiate(\"x, x^2\")] public static partial void F(double x); }", "needs a Span<double> for the values")]
    [InlineData("partial class M { [Hybrid.Differentiate(\"x*k\", Wrt = \"z\")] public static partial double F(double x, double k, System.Span<double> g); }", "Wrt names 'z'")]
    [InlineData("partial class M { [Hybrid.Differentiate(\"x*k\", Wrt = \"x, x\")] public static partial double F(double x, double k, System.Span<double> g); }", "repeats a name")]
    [InlineData("partial class M { [Hybrid.Differentiate(\"x*k\", Wrt = \"x\")] public static partial double F(double x, double k); }", "takes no Span<double>")]
    public void AMethodItCannotImplementIsACompileTimeErrorThatSaysWhy(string source, string reason)
    {
        var (_, diagnostics, _) = Generate(source);
        var error = Assert.Single(diagnostics);
        Assert.Equal("HYB003", error.Id);
        Assert.Contains(reason, error.GetMessage());
        Assert.Equal("F", source.Substring(error.Location.SourceSpan.Start, error.Location.SourceSpan.Length));
    }

    [Fact]
    public void AnExpressionOverALimitIsACompileTimeErrorNotACrash()
    {
        string digits = new('9', 20_000);     // more digits than an integer literal may have
        var (_, diagnostics, _) = Generate($$"""partial class M { [Hybrid.Differentiate("x*{{digits}}")] public static partial double F(double x); }""");
        var error = Assert.Single(diagnostics);
        Assert.StartsWith("HYB00", error.Id);
        Assert.Equal(DiagnosticSeverity.Error, error.Severity);
    }

    // Code that does not repeat is not re-rolled: past CompiledTape.CompileLimit instructions the source would take the compiler
    // minutes; the generator says so instead.
    [Fact]
    public void AnExpressionTooLongToCompileIsACompileTimeError()
    {
        string terms = string.Join(" + ", Enumerable.Range(2, CompiledTape.CompileLimit + 10).Select(k => $"x^{k}"));
        var (_, diagnostics, _) = Generate($$"""partial class M { [Hybrid.Differentiate("{{terms}}")] public static partial double F(double x); }""");
        var error = Assert.Single(diagnostics);
        Assert.Equal("HYB004", error.Id);
        Assert.Contains($"more than {CompiledTape.CompileLimit}", error.GetMessage());
    }

    [Fact]
    public void AnEditElsewhereRegeneratesNothing()
    {
        var edited = Input(program).AddSyntaxTrees(CSharpSyntaxTree.ParseText("static class Unrelated { static int N => 1; }", Parse));
        var rerun = generated.Value.Driver.RunGenerators(edited).GetRunResult().Results.Single();
        var reasons = rerun.TrackedOutputSteps.SelectMany(step => step.Value).SelectMany(run => run.Outputs).Select(o => o.Reason).ToList();
        Assert.NotEmpty(reasons);
        Assert.All(reasons, reason => Assert.True(reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, $"{reason}"));
    }

    private static readonly CSharpParseOptions Parse = new(LanguageVersion.Latest);

    // The program plus what the generator adds; the diagnostics are the generator's and the compiler's errors.
    private static (Compilation Compilation, ImmutableArray<Diagnostic> Diagnostics, GeneratorDriver Driver) Generate(string source)
    {
        var compilation = Input(source);
        GeneratorDriver driver = CSharpGeneratorDriver.Create([new DifferentiateGenerator().AsSourceGenerator()], parseOptions: Parse,
            driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true));
        driver = driver.RunGeneratorsAndUpdateCompilation(compilation, out var output, out var generatorDiagnostics);
        var errors = generatorDiagnostics.AddRange(generatorDiagnostics.IsEmpty ? output.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error) : []);
        return (output, errors, driver);
    }

    private static Compilation Input(string source)
    {
        var references = Roslyn.References("System.Private.CoreLib", "System.Runtime", "System.Memory", "netstandard");
        return CSharpCompilation.Create("Generated", [CSharpSyntaxTree.ParseText(source, Parse)], references,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, optimizationLevel: OptimizationLevel.Debug, nullableContextOptions: NullableContextOptions.Enable));
    }
}
