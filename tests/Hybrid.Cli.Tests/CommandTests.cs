// Every command end to end: outputs, --json, exit codes and error texts.
using System.Text.Json.Nodes;

namespace Hybrid.Cli.Tests;

public class CommandTests
{
    private static JsonObject ParseJson(string text) => JsonNode.Parse(text)!.AsObject();

    [Fact]
    public void DiffPrintsTheDerivative()
    {
        Assert.Equal((0, "x^2*cos(x) + 2*x*sin(x)\n", ""), Run.Hybrid("diff", "sin(x)*x^2", "--wrt", "x"));
        Assert.Equal((0, "x^2*cos(x) + 2*x*sin(x)\n", ""), Run.Hybrid("diff", "sin(x)*x^2"));   // the only variable
        Assert.Equal("d/dx: 2*x*y\nd/dy: x^2\n", Run.Hybrid("diff", "x^2*y", "--wrt", "x", "--wrt", "y").Out);
        Assert.Equal("d^2/dx^2: 6*x*y\nd^2/dy^2: 0\n", Run.Hybrid("diff", "x^3*y", "--wrt", "x", "--wrt", "y", "--order", "2").Out);
        Assert.Equal("2 x\n", Run.Hybrid("diff", "x^2", "--format", "latex").Out);
        Assert.Equal("Math.Cos(x)\n", Run.Hybrid("diff", "sin(x)", "--format", "csharp").Out);
        Assert.Equal("2*x\n", Run.Hybrid("diff", "exp(2*log(x))", "--simplify").Out);
        Assert.Equal("2*exp(2*log(x))/x\n", Run.Hybrid("diff", "exp(2*log(x))").Out);
    }

    [Fact]
    public void DiffAsJson()
    {
        var (code, output, _) = Run.Hybrid("diff", "x^2*y", "--wrt", "x", "--wrt", "y", "--json");
        Assert.Equal(0, code);
        var json = ParseJson(output);
        Assert.Equal("x^2*y", (string)json["expression"]!);
        Assert.Equal("2*x*y", (string)json["derivatives"]![0]!["derivative"]!);
        Assert.Equal("y", (string)json["derivatives"]![1]!["wrt"]!);
        Assert.Equal(1, (int)json["derivatives"]![1]!["order"]!);
    }

    [Fact]
    public void DiffUsageErrors()
    {
        var several = Run.Hybrid("diff", "x*y");
        Assert.Equal(2, several.Code);
        Assert.Equal("", several.Out);
        Assert.Contains("several variables (x, y); say which with --wrt", several.Err);
        Assert.Contains("--order 0 is out of range", Run.Hybrid("diff", "x", "--order", "0").Err);
        var format = Run.Hybrid("diff", "x", "--format", "pdf");
        Assert.Equal(2, format.Code);
        Assert.Contains("pdf", format.Err);
        Assert.Contains("'2x' is not a variable name", Run.Hybrid("diff", "x", "--wrt", "2x").Err);
    }

    [Fact]
    public void ParseErrorsShowTheColumnAndACaretOnStderr()
    {
        var (code, output, error) = Run.Hybrid("diff", "x + * 2", "--wrt", "x");
        Assert.Equal(2, code);
        Assert.Equal("", output);
        var lines = error.Split('\n');
        Assert.Matches(@"^error: .*\(column 5\)$", lines[0]);
        Assert.Equal("  x + * 2", lines[1]);
        Assert.Equal("      ^", lines[2]);
        Assert.Contains("unknown function 'foo'", Run.Hybrid("eval", "foo(x)", "--at", "x=1").Err);
        Assert.StartsWith("error: unknown function 'sinn'. Did you mean sin? (column 1)", Run.Hybrid("diff", "sinn(x)", "--wrt", "x").Err);
    }

    // --json: every error is one JSON object on stderr (message, column of a parse error, limit met, exit code 2).
    [Fact]
    public void JsonErrorsAreJsonObjects()
    {
        var (code, output, error) = Run.Hybrid("diff", "x + * 2", "--wrt", "x", "--json");
        Assert.Equal((2, ""), (code, output));
        var parsed = System.Text.Json.Nodes.JsonNode.Parse(error)!;
        Assert.Equal("unexpected '*': expected a number, a name or '('", (string)parsed["error"]!);
        Assert.Equal(5, (int)parsed["column"]!);
        Assert.Equal(2, (int)parsed["exitCode"]!);
        var usage = Run.Hybrid("diff", "x", "--wrt", "x", "--json", "--bogus");
        Assert.Equal(2, usage.Code);
        Assert.Contains("--bogus", (string)System.Text.Json.Nodes.JsonNode.Parse(usage.Err)!["error"]!);
        var at = Run.Hybrid("eval", "x*y", "--at", "x=1,yy=2", "--json");
        Assert.EndsWith("Did you mean y?", (string)System.Text.Json.Nodes.JsonNode.Parse(at.Err)!["error"]!);
        var limit = Run.Hybrid("expand", "(x + 1)^5000", "--timeout", "0.001", "--json");
        Assert.Equal(2, limit.Code);
        Assert.Equal("Timeout", (string)System.Text.Json.Nodes.JsonNode.Parse(limit.Err)!["limit"]!);
        Assert.Equal(0, Run.Hybrid("diff", "ln(x)*log(x, 2)", "--wrt", "x", "--json").Code);
    }

    [Fact]
    public void SimplifyAndExpand()
    {
        Assert.Equal((0, "x + 1\n", ""), Run.Hybrid("simplify", "(x^2 - 1)/(x - 1)"));
        Assert.Equal((0, "x^3 + 3*x^2 + 3*x + 1\n", ""), Run.Hybrid("expand", "(x + 1)^3"));
        Assert.Equal("x^{3} + 3 x^{2} + 3 x + 1", (string)ParseJson(Run.Hybrid("expand", "(x + 1)^3", "--json", "--format", "latex").Out)["result"]!);
        var huge = Run.Hybrid("expand", "(x + y + z)^1500");
        Assert.Equal(2, huge.Code);
        Assert.Contains("more than 1000000 terms, the limit", huge.Err);
    }

    [Fact]
    public void EvalAtAPoint()
    {
        Assert.Equal((0, "3\n", ""), Run.Hybrid("eval", "sin(x)*y", "--at", "x=pi/2,y=3"));
        Assert.Equal("0.5", (string)ParseJson(Run.Hybrid("eval", "x/y", "--at", "x=1,y=2", "--json").Out)["value"]!.ToJsonString());
        Assert.Equal("\"NaN\"", ParseJson(Run.Hybrid("eval", "log(x)", "--at", "x=-1", "--json").Out)["value"]!.ToJsonString());
        Assert.Contains("y has no value: add it to --at", Run.Hybrid("eval", "x + y", "--at", "x=1").Err);
        Assert.Contains("--at gives z, but the expression has no z (its variables: x)", Run.Hybrid("eval", "x", "--at", "x=1,z=2").Err);
        Assert.Contains("is not name=value", Run.Hybrid("eval", "x", "--at", "x").Err);
        Assert.Contains("x is given twice", Run.Hybrid("eval", "x", "--at", "x=1,x=2").Err);
        Assert.Contains("must be a number or a constant expression, but it uses y", Run.Hybrid("eval", "x", "--at", "x=y").Err);
        var missing = Run.Hybrid("eval", "x");
        Assert.Equal(2, missing.Code);
        Assert.Contains("--at", missing.Err);
    }

    [Fact]
    public void GradShowsTapeAndSymbolicSideBySide()
    {
        var (code, output, _) = Run.Hybrid("grad", "x^2*y + sin(y)", "--at", "x=1.5,y=2");
        Assert.Equal(0, code);
        var lines = output.Split('\n');
        Assert.Equal("f = 5.409297426825682 at x = 1.5, y = 2", lines[0]);
        Assert.Matches(@"^\s+tape \(reverse mode\)\s+symbolic\s+difference\s+symbolic derivative$", lines[1]);
        Assert.Matches(@"^∂f/∂x\s+6\s+6\s+0\s+2\*x\*y$", lines[2]);
        Assert.Matches(@"^∂f/∂y\s+1.8338531634528576\s+1.8338531634528576\s+0\s+x\^2 \+ cos\(y\)$", lines[3]);
        var json = ParseJson(Run.Hybrid("grad", "a*x^2", "--wrt", "x", "--at", "x=3,a=2", "--json").Out);
        Assert.Equal(18, (double)json["value"]!);
        var row = Assert.Single(json["gradient"]!.AsArray())!;
        Assert.Equal(12, (double)row["tape"]!);
        Assert.Equal(12, (double)row["symbolic"]!);
        Assert.Equal(0, (double)row["difference"]!);
        Assert.Equal("2*a*x", (string)row["derivative"]!);
    }

    [Fact]
    public void HessianFromTheTapeMatchesTheSymbolicOne()
    {
        var (code, output, _) = Run.Hybrid("hessian", "exp(x)*sin(y)", "--at", "x=0,y=1");
        Assert.Equal(0, code);
        Assert.Contains("Hessian at x = 0, y = 1 (tape, forward over reverse):", output);
        Assert.Matches(@"x\s+0.8414709848078965\s+0.5403023058681398", output);
        Assert.EndsWith("largest difference from the symbolic Hessian: 0\n", output);
        var json = ParseJson(Run.Hybrid("hessian", "x^2*y", "--at", "x=1,y=2", "--json").Out);
        Assert.Equal("[[4,2],[2,0]]", json["hessian"]!.ToJsonString());
    }

    [Fact]
    public void TapeListsTheLoweredInstructions()
    {
        var (code, output, _) = Run.Hybrid("tape", "sin(x*y) + x*y");
        Assert.Equal(0, code);
        var lines = output.Split('\n');
        Assert.Equal("before: 8 nodes as a tree; after CSE and constant folding: 5 instructions", lines[0]);
        Assert.Equal("%0 = input x", lines[1]);
        Assert.Single(lines, l => l.Contains("multiply"));
        var json = ParseJson(Run.Hybrid("tape", "sin(x*y) + x*y", "--json").Out);
        Assert.Equal(5, (int)json["instructions"]!);
        Assert.Equal(8, (int)json["treeSize"]!);
    }

    [Fact]
    public void EveryCommandHasHelpWithAnExample()
    {
        foreach (var command in new[] { "diff", "simplify", "expand", "eval", "grad", "hessian", "check", "tape", "plot", "demo", "serve" })
        {
            var (code, output, _) = Run.Hybrid(command, "--help");
            Assert.Equal(0, code);
            Assert.Contains("Example", output);
            Assert.Contains($"hybrid {command}", output);
        }
        var root = Run.Hybrid("--help");
        Assert.Equal(0, root.Code);
        Assert.Contains("serve", root.Out);
    }

    [Fact]
    public void UnknownCommandsAndOptionsAreUsageErrors()
    {
        var none = Run.Hybrid();
        Assert.Equal(2, none.Code);
        Assert.Contains("Run 'hybrid --help'", none.Err);
        var unknown = Run.Hybrid("diff", "x", "--frobnicate");
        Assert.Equal(2, unknown.Code);
        Assert.Contains("--frobnicate", unknown.Err);
        Assert.Contains("Run 'hybrid diff --help'", unknown.Err);
        Assert.Equal(2, Run.Hybrid("integrate", "x").Code);
    }

    [Fact]
    public void DemoIsTheWalkthroughThenTheTour()
    {
        var (code, output, error) = Run.Hybrid("demo");
        Assert.Equal((0, ""), (code, error));
        var expected = new StringWriter();
        Demo.Run(expected);
        Assert.Equal(expected.ToString(), output);
        // Every line of docs/autograd.md's output blocks ends a line of what `hybrid demo` prints, in order.
        var guide = File.ReadAllText(Path.Combine(Testing.Repository.Root(), "docs", "autograd.md"));
        var expectedLines = guide.Split("```").Where((_, i) => i % 2 == 1).Where(b => b.StartsWith("text\n"))
            .SelectMany(b => b["text\n".Length..].Split('\n')).Select(l => l.Trim()).Where(l => l.Length > 0).ToList();
        Assert.True(expectedLines.Count > 20);
        var printed = output.Split('\n').Select(l => l.Trim()).ToList();
        int at = 0;
        foreach (var line in expectedLines)
        {
            at = printed.FindIndex(at, p => p.EndsWith(line));
            Assert.True(at >= 0, $"`hybrid demo` does not print: {line}");
        }
    }

    [Theory]
    [InlineData("together|1/x + 1/y", "(x + y)/(x*y)")]
    [InlineData("cancel|(x^2 - y^2)/(x - y)", "x + y")]
    [InlineData("factor|x^4 - 1", "(x - 1)*(x + 1)*(x^2 + 1)")]
    [InlineData("apart|1/(x^2 - 1)", "1/2/(x - 1) - 1/2/(x + 1)")]
    [InlineData("collect|a*x + b*x + x^2|--wrt|x", "x^2 + x*(a + b)")]
    [InlineData("fraction|1/x + 1/y", "numerator: x + y\ndenominator: x*y")]
    [InlineData("gcd|x^2 - 1|x^2 + 2*x + 1", "x + 1")]
    [InlineData("lcm|x^2 - 1|x + 1", "x^2 - 1")]
    [InlineData("div|x^3 + 2*x + 1|x^2 + 1", "quotient: x\nremainder: x + 1")]
    [InlineData("factor|x^2 - 1|--format|latex", @"\left(x - 1\right) \left(x + 1\right)")]
    public void RationalTransforms(string args, string expected)
    {
        var (code, output, error) = Run.Hybrid(args.Split('|'));
        Assert.Equal((0, "", expected), (code, error, output.TrimEnd('\n')));
    }

    [Fact]
    public void EqualGivesAVerdictWithItsCertificateAndExitCode()
    {
        var proven = Run.Hybrid("equal", "sin(x)^2", "1 - cos(x)^2");
        Assert.Equal((0, "Proven: Simplify (the rational and transcendental normal forms) reduces a - b to 0\n"), (proven.Code, proven.Out));
        var different = Run.Hybrid("equal", "atan(x) + atan(1/x)", "pi/2");
        Assert.Equal(1, different.Code);
        Assert.StartsWith("NotEqual: ", different.Out);
        Assert.Equal(0, Run.Hybrid("equal", "log(x^2)", "2*log(x)").Code);   // ProbablyEqual
        Assert.Equal(3, Run.Hybrid("equal", "log(-1 - x^2)", "sqrt(-1 - x^2)").Code);
        var json = ParseJson(Run.Hybrid("equal", "1/(x + 1)", "1/(x - 1)", "--json").Out);
        Assert.Equal("NotEqual", (string)json["verdict"]!);
        Assert.NotNull(json["witness"]!["x"]);
    }

    [Fact]
    public void AssumptionsFromTheCommandLine()
    {
        Assert.Equal((0, "x\n", ""), Run.Hybrid("simplify", "sqrt(x^2)", "--assume", "x>=0"));
        Assert.Equal((0, "abs(x)\n", ""), Run.Hybrid("simplify", "sqrt(x^2)"));
        Assert.Equal((0, "0\n", ""), Run.Hybrid("simplify", "log(x*y) - log(x) - log(y)", "--assume", "x:positive", "--assume", "y>0"));
        Assert.Equal((0, "3*x^2\n", ""), Run.Hybrid("diff", "x^2*sqrt(x^2)", "--simplify", "--assume", "x>0"));
        Assert.StartsWith("Proven", Run.Hybrid("equal", "log(x*y)", "log(x) + log(y)", "--assume", "x>0", "--assume", "y>0").Out);
        var bad = Run.Hybrid("simplify", "x", "--assume", "x>>0");
        Assert.Equal((2, "error: --assume x>>0 is not an assumption: give x>0, x>=0, x!=0 or NAME:positive|nonnegative|nonzero|integer|real.\n"), (bad.Code, bad.Err));
    }

    [Fact]
    public void CheckFailsAClaimThatAgreesOnlyAtTheGivenPoints()
    {
        // x^2 and 2*x agree in derivative only at x = 1: the points pass, Equivalent finds the witness.
        var onlyThere = Run.Hybrid("check", "x^3/3", "--claimed", "2*x - 1", "--at", "x=1");
        Assert.Equal(1, onlyThere.Code);
        Assert.Contains("∂f/∂x everywhere: NotEqual", onlyThere.Out);
        Assert.Contains("agrees at the points given but not everywhere", onlyThere.Out);
        Assert.Contains("∂f/∂x everywhere: Proven", Run.Hybrid("check", "x^3/3", "--claimed", "x^2", "--at", "x=1").Out);
    }

    [Fact]
    public void RationalTransformsReportTheirErrors()
    {
        var json = Run.Hybrid("div", "x^3 + 2*x + 1", "x^2 + 1", "--json");
        Assert.Equal("""{"a":"x^3 + 2*x + 1","b":"x^2 + 1","quotient":"x","remainder":"x + 1"}""", json.Out.TrimEnd('\n'));
        var other = Run.Hybrid("apart", "1/(x^2 - a)", "--wrt", "x");
        Assert.Equal((2, "error: Apart works on rational functions of one variable over Q; '1/(x^2 - a)' also has a.\n"), (other.Code, other.Err));
        var notPolynomial = Run.Hybrid("gcd", "1/x", "x");
        Assert.Equal((2, "error: Gcd needs polynomials; '1/x' has the denominator x.\n"), (notPolynomial.Code, notPolynomial.Err));
        var timeout = Run.Hybrid("factor", "(x + y + z + 1)^30 - 1", "--timeout", "0.05");
        Assert.Equal(2, timeout.Code);
        Assert.Contains("(the Timeout limit)", timeout.Err);
    }

    [Fact]
    public void ExpressionSwellEndsAtALimitWithAMessage()
    {
        // Each order of exp(x·sin x·cos x) has about 2.4 times the nodes of the last.
        var printed = Run.Hybrid("diff", "exp(sin(x)*cos(x)*x)", "--order", "14");
        Assert.Equal(2, printed.Code);
        Assert.Contains("nodes when written out as a tree (31747 distinct): more than the 1000000 a command prints", printed.Err);
        var swell = Run.Hybrid("diff", "exp(sin(x)*cos(x)*tan(x)*x)", "--order", "20");
        Assert.Equal(2, swell.Code);
        Assert.Contains("The derivative of order 13 by x already has 319556 distinct nodes, more than the limit of 250000", swell.Err);
        // A deep composition: its derivative is small as a DAG, huge as text; the tape listing stays short.
        string deep = string.Concat(Enumerable.Repeat("sin(", 3000)) + "x" + new string(')', 3000);
        var served = Run.With($$"""{"op":"diff","expr":"{{deep}}","wrt":"x"}""", false, "serve", "--jsonl");
        Assert.Contains("more than the 1000000 a command prints", served.Out);
        var tape = Run.Hybrid("tape", deep);
        Assert.Equal(0, tape.Code);
        Assert.True(tape.Out.Length < 200_000, $"{tape.Out.Length} characters");
        Assert.EndsWith("    ; ...", tape.Out.Split('\n')[^3]);
    }

    // Sparse derivatives on the command line and in serve: pattern summary, non-zeros, MatrixMarket, JSON.
    [Fact]
    public void SparseJacobiansAndHessians()
    {
        var (code, output, _) = Run.Hybrid("jacobian", "x*y, y + z, sin(z)", "--at", "x=1,y=2,z=3");
        Assert.Equal(0, code);
        Assert.StartsWith("Jacobian: 3×3, 5 non-zeros (55.6 %), 2 colors of rows (2 reverse sweeps per evaluation)\n  (F0, x)  2\n", output);
        var hessian = Run.Hybrid("hessian", "x*y + sin(z)", "--at", "x=1,y=2,z=3", "--sparse", "--json");
        Assert.Equal("""{"rows":3,"columns":3,"nonzeros":3,"colors":1,"coloredBy":"columns","rowNames":["x","y","z"],"columnNames":["x","y","z"],"entries":[[0,1,1],[1,0,1],[2,2,-0.1411200080598672]]}""" + "\n", hessian.Out);
        var file = Path.Combine(Path.GetTempPath(), $"hybrid-{Guid.NewGuid():N}.mtx");
        try
        {
            Assert.Equal(0, Run.Hybrid("hessian", "x*y + sin(z)", "--at", "x=1,y=2,z=3", "-o", file).Code);
            Assert.Equal(["%%MatrixMarket matrix coordinate real general", "% Hessian by Hybrid: rows x y z; columns x y z", "3 3 3", "1 2 1", "2 1 1", "3 3 -0.1411200080598672"],
                File.ReadAllLines(file));
        }
        finally { File.Delete(file); }
        var served = Run.With("""{"op":"jacobian","expr":"x*y, y + z","at":{"x":1,"y":2,"z":3}}""" + "\n", false, "serve", "--jsonl");
        Assert.Equal("""{"variables":["x","y","z"],"rows":2,"nonzeros":4,"colors":2,"entries":[[0,0,2],[0,1,1],[1,1,1],[1,2,1]]}""" + "\n", served.Out);
        // Two points of one expression: the pattern and coloring are found once, the values at each point.
        string hessianAt(double x) => """{"op":"hessian","expr":"x*y + sin(z)","at":{"x":""" + x + ""","y":2,"z":3}}""";
        var twice = Run.With(hessianAt(1) + "\n" + hessianAt(5) + "\n", false, "serve", "--jsonl").Out.Split('\n');
        Assert.Equal("""{"variables":["x","y","z"],"rows":3,"nonzeros":3,"colors":1,"entries":[[0,1,1],[1,0,1],[2,2,-0.1411200080598672]]}""", twice[0]);
        Assert.Equal(twice[0], twice[1]);   // x does not enter this Hessian
    }

    // Source export from the command line: C# to stdout, C to a file, JSON, and the errors named.
    [Fact]
    public void CodegenWritesSourceWithNoDependencyOnHybrid()
    {
        var (code, output, _) = Run.Hybrid("codegen", "sin(x*y) + x^2", "--name", "Energy");
        Assert.Equal(0, code);
        Assert.Contains("public static class Energy", output);
        Assert.Contains("public static double Gradient(ReadOnlySpan<double> x, Span<double> gradient)", output);
        Assert.DoesNotContain("Hybrid.", output);
        var file = Path.Combine(Path.GetTempPath(), $"hybrid-{Guid.NewGuid():N}.h");
        try
        {
            var written = Run.Hybrid("codegen", "x*y, y + z", "--lang", "c", "-o", file);
            Assert.Equal((0, $"5 instructions over (x, y, z) written to {file}\n"), (written.Code, written.Out));
            Assert.Contains("double Generated_vector_jacobian_product(const double* x, const double* seed, double* result)", File.ReadAllText(file));
        }
        finally { File.Delete(file); }
        var json = Run.Hybrid("codegen", "x*y", "--json");
        Assert.StartsWith("""{"language":"csharp","instructions":3,"inputs":["x","y"],"source":"// <auto-generated/>""", json.Out);
        var bad = Run.Hybrid("codegen", "x*y", "--name", "a b");
        Assert.Equal((2, "error: 'a b' is not an identifier.\n"), (bad.Code, bad.Err));
    }
}
