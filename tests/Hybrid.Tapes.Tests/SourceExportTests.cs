// Source export: the C# (compiled here with Roslyn) and the C (compiled with the machine's C compiler, when
// there is one) of a tape compute what the tape computes — values bit for bit, gradients bit for bit where no
// table row runs (a row's partial is its exact partial printed, which may round differently from the row's
// numeric partial: within 1e-12 there) — for every opcode and row, long tapes with loops, several outputs, and
// the derivatives of the whole Rubi corpus.
using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace Hybrid.Tapes.Tests;

public class SourceExportTests
{
    private static readonly Expr x = Symbol("x"), y = Symbol("y"), z = Symbol("z");

    // An expression per opcode (the opcode facet test's, which a new opcode must have) and per table row, over x, y, z.
    private static IEnumerable<Expr> EveryOpcodeAndRow()
    {
        foreach (var op in Enum.GetValues<OpCode>()) yield return OpCodeFacetTests.Exercising(op);
        yield return x * y * z * (x + 1);                                   // a product of four factors
        yield return Pow(x, y) + Pow(x, Rational(7, 2)) + 1 / (x + y) + Sqrt(x * x + 1);
        yield return Pow(x - 2 * y, 2) + Pow(x + y + z - 1, 2) + x * y;     // squared linear, linear
        yield return Sum(Enumerable.Range(1, 20).Select(k => k * Sin(k * x + y)));
        foreach (var row in Primitives.All)
        {
            Expr[] arguments = [Rational(3, 10) + x * Rational(1, 2), y * Rational(1, 3) + Rational(1, 5), z - Rational(1, 2)];
            yield return Call(row.Name, arguments[..row.Arity]) * (x + 2);
        }
    }

    // Every C# case of this class in one Roslyn compilation (compiling is the slow part, and it is shared): the opcode
    // and row cases, the long tapes, and the corpus sample.
    private static readonly Lazy<(List<Tape> Opcodes, List<Tape> Long, List<(Tape Tape, double[][] Points)> Corpus, List<Exported> Code)> all = new(() =>
    {
        var opcodes = EveryOpcodeAndRow().Select(e => Tape.Lower(e, x, y, z)).ToList();
        opcodes.Add(Tape.Lower(new[] { x * y, Sin(x) + z, x / y }, [x, y, z]));   // several outputs, small: Jacobian with locals
        var rosenbrockInputs = Enumerable.Range(0, 400).Select(i => Symbol("x" + i)).ToArray();
        var (surface, cells) = Workloads.MinimalSurface(12, load: 0.1);
        var broydenInputs = Enumerable.Range(0, 120).Select(i => Symbol("u" + i)).ToArray();
        Expr At(int i) => i < 0 || i >= 120 ? Number(0) : broydenInputs[i];
        var chain = Enumerable.Range(0, 100).Select(i => Symbol("c" + i)).ToArray();
        Expr Terms(Func<Expr, Expr, Expr> term) => Sum(Enumerable.Range(0, chain.Length - 1).Select(i => term(chain[i], chain[i + 1])));
        var longTapes = new List<Tape>
        {
            Tape.Lower(Workloads.Rosenbrock(rosenbrockInputs), rosenbrockInputs),
            Tape.Lower(surface, cells),
            Tape.Lower(Enumerable.Range(0, 120).Select(i => (3 - 2 * At(i)) * At(i) - At(i - 1) - 2 * At(i + 1) + 1).ToArray(), broydenInputs),
            // Sums of terms with table rows, which fuse (forward and reverse of each term in one loop).
            Tape.Lower(Terms((u, w) => Sin(u * w) + Exp(-Pow(u, 2))), chain),
            Tape.Lower(Terms((u, w) => Sqrt(1 + Pow(w - u, 2)) + 1 / (2 + Pow(u, 2))), chain),
            Tape.Lower(Terms((u, w) => Log(1 + Pow(u, 2)) * Atan(w) + Tanh(u - w)), chain),
        };
        var corpus = RubiCorpus.Load();
        int count = Math.Min(corpus.Count, Sweep.Cases(25));
        var derivatives = Enumerable.Range(0, count).Select(k => corpus[k * corpus.Count / count]).Select(entry =>
        {
            var F = Parse(entry.F);
            var inputs = F.FreeSymbols().Cast<Expr>().ToArray();
            return (Tape.Lower(F.Differentiate(Symbol(entry.X)), inputs), entry.Points.Select(p => inputs.Select(s => p.Vars[s.ToString()]).ToArray()).ToArray());
        }).ToList();
        return (opcodes, longTapes, derivatives, Compile([.. opcodes, .. longTapes, .. derivatives.Select(d => d.Item1)]));
    });

    [Fact]
    public void EveryOpcodeAndRowExportsToCSharpWithTheTapesNumbers()
    {
        var (tapes, _, _, exported) = all.Value;
        double[][] points = [[0.31, 0.27, 0.9], [-0.4, 1.3, 0.2], [1.7, -0.6, -1.1]];
        for (int k = 0; k < tapes.Count; k++)
            foreach (var point in points) AssertSameNumbers(tapes[k], exported[k], point, exactGradient: !CallsARow(tapes[k]));
    }

    // Longer than CompiledTape.LocalsLimit: values in a workspace, repeated stretches as loops (a sum of terms built
    // term by term, a minimal surface's cells), and several outputs (120 Broyden equations) through the
    // vector-Jacobian product. Where a sum's terms are fused (computed and swept backward in one loop), the adjoints
    // sent to the inputs are added in another order than the interpreter's: the gradient may differ in the last bits,
    // bounded here by 1e-13 relative; values stay equal bit for bit.
    [Fact]
    public void LongTapesExportAsLoopsWithTheSameNumbers()
    {
        var (opcodes, tapes, _, exported) = all.Value;
        // Re-rolled: five times the terms, about the same code (not 3 000 statements more).
        var longer = Enumerable.Range(0, 2000).Select(i => Symbol("x" + i)).ToArray();
        var (lines, longerLines) = (tapes[0].ToSource().Split('\n').Length, Tape.Lower(Workloads.Rosenbrock(longer), longer).ToSource().Split('\n').Length);
        Assert.Contains("for (int k = 0; k < ", tapes[0].ToSource());
        Assert.True(longerLines < lines + 100, $"{lines} lines for 400 variables, {longerLines} for 2000");
        var random = new Random(5);
        int fused = 0;
        for (int k = 0; k < tapes.Count; k++)
        {
            var point = Enumerable.Range(0, tapes[k].InputCount).Select(_ => random.NextDouble() - 0.5).ToArray();
            bool fusedHere = tapes[k].ToSource().Contains("double total = 0;", StringComparison.Ordinal);
            fused += fusedHere ? 1 : 0;
            AssertSameNumbers(tapes[k], exported[opcodes.Count + k], point, exactGradient: !fusedHere, relative: CallsARow(tapes[k]) ? 1e-12 : 1e-13);
        }
        Assert.True(fused >= 3, $"{fused} of the sums fused");   // W1 and two chains; not where the sum lists its terms in another order than the runs
    }

    // W5: the derivatives of the corpus's antiderivatives, exported: each value equal to the tape's, bit for bit. By
    // default 25 entries spread over the corpus (compiling all 593 takes Roslyn about 20 s); HYBRID_SWEEP_CASES=593
    // or more runs every one.
    [Fact]
    public void TheCorpusDerivativesExportWithEveryValueEqual()
    {
        var (opcodes, longTapes, corpus, exported) = all.Value;
        var failures = new List<string>();
        for (int k = 0; k < corpus.Count; k++)
            foreach (var point in corpus[k].Points)
            {
                var (expected, actual) = (new double[1], new double[1]);
                corpus[k].Tape.Evaluate(point, expected, corpus[k].Tape.CreateWorkspace());
                exported[opcodes.Count + longTapes.Count + k].Value(point, actual);
                if (!SameBits(expected[0], actual[0])) failures.Add($"#{k}: tape {expected[0]:R}, exported {actual[0]:R}");
            }
        Assert.True(failures.Count == 0, $"{failures.Count} values differ:\n" + string.Join("\n", failures.Take(10)));
    }

    [Fact]
    public void TheCExportCompilesAndComputesTheSameNumbers()
    {
        if (!CCompilerExists()) return;   // the product needs nothing but .NET; this machine and CI have cc
        var tapes = EveryOpcodeAndRow().Select(e => Tape.Lower(e, x, y, z)).ToList();
        var rosenbrockInputs = Enumerable.Range(0, 500).Select(i => Symbol("x" + i)).ToArray();
        tapes.Add(Tape.Lower(Workloads.Rosenbrock(rosenbrockInputs), rosenbrockInputs));
        // Several outputs, through the Jacobian: small (locals) and long (a workspace, loops).
        tapes.Add(Tape.Lower(new[] { x * y, Sin(x) + z, x / y }, [x, y, z]));
        var u = Enumerable.Range(0, 90).Select(i => Symbol("u" + i)).ToArray();
        Expr U(int i) => i < 0 || i >= u.Length ? Number(0) : u[i];
        tapes.Add(Tape.Lower(Enumerable.Range(0, u.Length).Select(i => (3 - 2 * U(i)) * U(i) - U(i - 1) - 2 * U(i + 1) + 1).ToArray(), u));
        var folder = Directory.CreateTempSubdirectory("hybrid-c-export").FullName;
        try
        {
            var main = new System.Text.StringBuilder("#include <stdio.h>\n");
            var calls = new System.Text.StringBuilder();
            for (int k = 0; k < tapes.Count; k++)
            {
                File.WriteAllText(Path.Combine(folder, $"t{k}.h"), tapes[k].ToSource(SourceLanguage.C, $"t{k}"));
                main.Append($"#include \"t{k}.h\"\n");
                bool workspace = tapes[k].Length > CompiledTape.LocalsLimit;
                string at = string.Join(", ", Enumerable.Range(0, tapes[k].InputCount).Select(i => (0.3 + 0.01 * i).ToString("R", CultureInfo.InvariantCulture)));
                string w = workspace ? $" static t{k}_workspace w; t{k}_init(&w);" : "", pw = workspace ? ", &w" : "";
                var (n, m) = (tapes[k].InputCount, tapes[k].OutputCount);
                calls.Append(m == 1
                    ? $"  {{ double x[] = {{ {at} }}; double g[{n}];{w}\n" +
                      $"    double v = t{k}_gradient(x, g{pw}); printf(\"%.17g\", v); for (int i = 0; i < {n}; i++) printf(\" %.17g\", g[i]); printf(\"\\n\"); }}\n"
                    : $"  {{ double x[] = {{ {at} }}; double v[{m}], j[{m * n}];{w}\n" +
                      $"    t{k}_jacobian(x, v, j{pw}); for (int i = 0; i < {m}; i++) printf(\"%.17g \", v[i]); for (int i = 0; i < {m * n}; i++) printf(\" %.17g\", j[i]); printf(\"\\n\"); }}\n");
            }
            main.Append("int main(void) {\n").Append(calls).Append("  return 0;\n}\n");
            File.WriteAllText(Path.Combine(folder, "main.c"), main.ToString());
            Run("cc", $"-std=c99 -O0 -o {Path.Combine(folder, "main")} {Path.Combine(folder, "main.c")} -lm", folder);
            var lines = Run(Path.Combine(folder, "main"), "", folder).Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.Equal(tapes.Count, lines.Length);
            for (int k = 0; k < tapes.Count; k++)
            {
                var numbers = lines[k].Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(t => double.Parse(t, CultureInfo.InvariantCulture)).ToArray();
                var point = Enumerable.Range(0, tapes[k].InputCount).Select(i => 0.3 + 0.01 * i).ToArray();
                var (values, derivatives) = (new double[tapes[k].OutputCount], new double[tapes[k].OutputCount * tapes[k].InputCount]);
                tapes[k].Evaluate(point, values, tapes[k].CreateWorkspace());
                tapes[k].Jacobian(point, derivatives, tapes[k].CreateWorkspace());   // one output: the gradient
                Assert.Equal(values.Length + derivatives.Length, numbers.Length);
                for (int i = 0; i < values.Length; i++)
                    Assert.True(Close(numbers[i], values[i], 1e-14), $"t{k}: C value {numbers[i]:R}, tape {values[i]:R}");   // libm's functions, not .NET's: ulps apart
                for (int i = 0; i < derivatives.Length; i++)
                    Assert.True(Close(numbers[values.Length + i], derivatives[i], 1e-12), $"t{k}: C derivative {i} {numbers[values.Length + i]:R}, tape {derivatives[i]:R}");
            }
        }
        finally { Directory.Delete(folder, recursive: true); }
    }

    [Fact]
    public void NamesMustBeIdentifiers()
    {
        var tape = Tape.Lower(x * y, x, y);
        Assert.Contains("not an identifier", Assert.Throws<ArgumentException>(() => tape.ToSource(name: "my class")).Message);
        Assert.Contains("is a keyword", Assert.Throws<ArgumentException>(() => tape.ToSource(SourceLanguage.C, "double")).Message);
        Assert.Contains("not an identifier", Assert.Throws<ArgumentException>(() => tape.ToSource(name: "énergie")).Message);   // C takes ASCII only
        Assert.Contains("public static class Mine", tape.ToSource(name: "Mine"));
    }

    private sealed record Exported(Action<double[], double[]> Value, Func<double[], double[], double[], double> Reverse, Action<double[], double[], double[]> Jacobian);

    private static void AssertSameNumbers(Tape tape, Exported code, double[] point, bool exactGradient, double relative = 1e-12)
    {
        var (expected, actual) = (new double[tape.OutputCount], new double[tape.OutputCount]);
        tape.Evaluate(point, expected, tape.CreateWorkspace());
        code.Value(point, actual);
        for (int k = 0; k < expected.Length; k++)
            if (!SameBits(expected[k], actual[k])) Assert.Fail($"output {k}: tape {expected[k]:R}, exported {actual[k]:R}\n{tape}");
        var seed = Enumerable.Range(0, tape.OutputCount).Select(k => 1.0 + k % 3).ToArray();
        var (g, h) = (new double[tape.InputCount], new double[tape.InputCount]);
        Array.Fill(h, 1e300);   // the result's old contents must not leak in (the gradient may be added into it in place)
        tape.VectorJacobianProduct(point, seed, g, tape.CreateWorkspace());
        code.Reverse(point, seed, h);
        for (int i = 0; i < g.Length; i++)
            if (!(exactGradient ? SameBits(g[i], h[i]) : Close(h[i], g[i], relative))) Assert.Fail($"∂/∂{tape.InputNames[i]}: tape {g[i]:R}, exported {h[i]:R}\n{tape}");
        if (tape.OutputCount == 1) return;
        // Several outputs: the exported Jacobian (one forward sweep, a reverse sweep per row) against the tape's.
        var (J, K, values) = (new double[tape.OutputCount * tape.InputCount], new double[tape.OutputCount * tape.InputCount], new double[tape.OutputCount]);
        tape.Jacobian(point, J, tape.CreateWorkspace());
        Array.Fill(K, 1e300);
        code.Jacobian(point, values, K);
        Assert.Equal(expected, values);
        for (int i = 0; i < J.Length; i++)
            if (!(exactGradient ? SameBits(J[i], K[i]) : Close(K[i], J[i], relative))) Assert.Fail($"Jacobian[{i / tape.InputCount}, {i % tape.InputCount}]: tape {J[i]:R}, exported {K[i]:R}");
    }

    private static bool CallsARow(Tape tape) => tape.Instructions.Ops.Contains(OpCode.Call);

    private static bool SameBits(double a, double b) => BitConverter.DoubleToInt64Bits(a) == BitConverter.DoubleToInt64Bits(b) || double.IsNaN(a) && double.IsNaN(b);

    private static bool Close(double a, double b, double relative) => SameBits(a, b) || Math.Abs(a - b) <= relative * Math.Max(1, Math.Abs(b));

    // Every tape exported as class T{k}, with an adapter over arrays, in one compilation.
    private static List<Exported> Compile(IReadOnlyList<Tape> tapes)
    {
        var trees = new List<SyntaxTree>();
        for (int k = 0; k < tapes.Count; k++)
        {
            bool workspace = tapes[k].Length > CompiledTape.LocalsLimit;
            string w = workspace ? ", W" : "";
            string reverse = tapes[k].OutputCount == 1 ? $"T{k}.Gradient(x, r{w})" : $"T{k}.VectorJacobianProduct(x, s, r{w})";
            string jacobian = tapes[k].OutputCount == 1 ? "throw new System.NotSupportedException()" : $"T{k}.Jacobian(x, v, j{w})";
            string adapter = $"public static class A{k} {{{(workspace ? $" static readonly T{k}.Workspace W = new();" : "")} " +
                             $"public static void V(double[] x, double[] v) => T{k}.Value(x, v{w}); " +
                             $"public static double R(double[] x, double[] s, double[] r) => {reverse}; " +
                             $"public static void J(double[] x, double[] v, double[] j) => {jacobian}; }}";
            trees.Add(CSharpSyntaxTree.ParseText(tapes[k].ToSource(name: $"T{k}") + "\n" + adapter));
        }
        // Only what generated code uses: the runtime, and MathNet for erf's template.
        var references = Roslyn.References("System.Private.CoreLib", "System.Runtime", "System.Memory", "MathNet.Numerics", "netstandard");
        var compilation = CSharpCompilation.Create("Exported", trees, references,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, optimizationLevel: OptimizationLevel.Debug, concurrentBuild: true));
        var assembly = Roslyn.Load(compilation);
        return Enumerable.Range(0, tapes.Count).Select(k =>
        {
            var adapter = assembly.GetType($"A{k}")!;
            return new Exported(adapter.GetMethod("V")!.CreateDelegate<Action<double[], double[]>>(), adapter.GetMethod("R")!.CreateDelegate<Func<double[], double[], double[], double>>(),
                adapter.GetMethod("J")!.CreateDelegate<Action<double[], double[], double[]>>());
        }).ToList();
    }

    private static bool CCompilerExists()
    {
        try { Run("cc", "--version", Path.GetTempPath()); return true; }
        catch (System.ComponentModel.Win32Exception) { return false; }
    }

    private static string Run(string program, string arguments, string folder)
    {
        using var process = Process.Start(new ProcessStartInfo(program, arguments) { WorkingDirectory = folder, RedirectStandardOutput = true, RedirectStandardError = true })!;
        var error = process.StandardError.ReadToEndAsync();   // both pipes at once: a full one would block the other
        string output = process.StandardOutput.ReadToEnd();
        Assert.True(process.WaitForExit(60_000), $"{program} did not finish in a minute");
        Assert.True(process.ExitCode == 0, $"{program} {arguments}: {error.Result}");
        return output;
    }
}
