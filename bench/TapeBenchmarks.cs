// W1 Rosenbrock, scalar form: the expression built term by term, lowered once, then value +
// gradient per call on every tape path, against the hand-written loop in the same run. Also the
// build and lowering time, and batched evaluation against a loop of interpreted calls.
using BenchmarkDotNet.Attributes;
using Hybrid.Symbolic;
using Hybrid.Tapes;
using Hybrid.Testing;
using MathNet.Numerics.LinearAlgebra;

namespace Hybrid.Bench;

[MemoryDiagnoser]
public class W1RosenbrockScalarBenchmarks
{
    [Params(10, 1000, 100_000)]
    public int N;

    private double[] x = [];
    private double[] gradient = [];
    private Tape tape = null!;
    private CompiledTape compiled = null!;
    private Workspace workspace = null!;

    [GlobalSetup]
    public void Setup()
    {
        x = Workloads.RosenbrockPoint(N);
        gradient = new double[N];
        var symbols = Symbols(N);
        tape = Tape.Lower(Workloads.Rosenbrock(symbols), symbols);
        compiled = tape.Compile();
        workspace = tape.CreateWorkspace();
        (double value, double exportedValue) = (compiled.Gradient(x, gradient, workspace), Exported());
        var exportedGradient = (double[])gradient.Clone();
        compiled.Gradient(x, gradient, workspace);
        // The value bit for bit; the gradient within 1e-13 (fused terms send their adjoints to the inputs in another order).
        if (BitConverter.DoubleToInt64Bits(value) != BitConverter.DoubleToInt64Bits(exportedValue)
            || gradient.Zip(exportedGradient).Any(p => Math.Abs(p.First - p.Second) > 1e-13 * Math.Max(1, Math.Abs(p.First))))
            throw new InvalidOperationException("The exported W1 does not compute the tape's numbers: run `dotnet run --project bench -- export`.");
    }

    public static Expr[] Symbols(int n) => Enumerable.Range(0, n).Select(i => Expr.Symbol("x" + i)).ToArray();

    [Benchmark(Baseline = true)]
    public double HandWritten() => Workloads.RosenbrockByHand(x, gradient);

    [Benchmark]
    public double Interpreted() => tape.Gradient(x, gradient, workspace);

    [Benchmark]
    public double InterpretedValueOnly() => tape.Evaluate(x, workspace);

    [Benchmark]
    public double Compiled() => compiled.Gradient(x, gradient, workspace);

    [Benchmark]
    public double CompiledValueOnly() => compiled.Evaluate(x, workspace);

    // W1 exported as C# (Tape.ToSource, files in Exported/ written by `dotnet run --project bench -- export`), compiled
    // with the benchmark: what a program without dynamic code, or a generated build step, runs.
    private readonly W1Exported1000.Workspace exported1000 = new();
    private readonly W1Exported100000.Workspace exported100000 = new();

    [Benchmark]
    public double Exported() => N switch
    {
        10 => W1Exported10.Gradient(x, gradient),
        1000 => W1Exported1000.Gradient(x, gradient, exported1000),
        100_000 => W1Exported100000.Gradient(x, gradient, exported100000),
        _ => throw new NotSupportedException($"No exported W1 for n = {N}: add it to Export."),
    };

    /// <summary>Writes W1's tape at each benchmarked n as C# into folder.</summary>
    public static void Export(string folder)
    {
        Directory.CreateDirectory(folder);
        foreach (int n in new[] { 10, 1000, 100_000 })
        {
            var symbols = Symbols(n);
            string source = Tape.Lower(Workloads.Rosenbrock(symbols), symbols).ToSource(SourceLanguage.CSharp, $"W1Exported{n}");
            File.WriteAllText(Path.Combine(folder, $"W1Exported{n}.cs"), source);
        }
    }
}

/// <summary>Building the W1 expression and lowering it (the one-off costs before the first call).</summary>
[MemoryDiagnoser]
public class W1LoweringBenchmarks
{
    [Params(1000, 100_000)]
    public int N;

    private Expr[] symbols = [];
    private Expr rosenbrock = null!;

    [GlobalSetup]
    public void Setup()
    {
        symbols = W1RosenbrockScalarBenchmarks.Symbols(N);
        rosenbrock = Workloads.Rosenbrock(symbols);
    }

    [Benchmark(Baseline = true)]
    public Expr Build() => Workloads.Rosenbrock(symbols);

    [Benchmark]
    public Tape Lower() => Tape.Lower(rosenbrock, symbols);
}

/// <summary>Value and gradient at many points: batched (blocks, all cores) against one interpreted call per point.</summary>
[MemoryDiagnoser]
public class BatchedBenchmarks
{
    private const int Points = 100_000;
    private Tape tape = null!;
    private BatchedTape batched = null!;
    private Matrix<double> points = null!;
    private Vector<double> values = null!;
    private Matrix<double> gradients = null!;

    [GlobalSetup]
    public void Setup()
    {
        var (x, y) = (Expr.Symbol("x"), Expr.Symbol("y"));
        tape = Tape.Lower(Expr.Exp(-Expr.Pow(x, 2)) * Expr.Cos(3 * y) + 100 * Expr.Pow(y - Expr.Pow(x, 2), 2) + Expr.Pow(1 - x, 2), x, y);
        batched = tape.Batched();
        points = Matrix<double>.Build.Dense(Points, 2, (i, j) => Math.Sin(i + 3.0 * j));
        values = Vector<double>.Build.Dense(Points);
        gradients = Matrix<double>.Build.Dense(Points, 2);
    }

    [Benchmark(Baseline = true)]
    public double InterpretedLoop()
    {
        var ws = tape.CreateWorkspace();
        Span<double> point = stackalloc double[2], gradient = stackalloc double[2];
        double sum = 0;
        for (int i = 0; i < Points; i++)
        {
            (point[0], point[1]) = (points[i, 0], points[i, 1]);
            sum += tape.Gradient(point, gradient, ws);
            (gradients[i, 0], gradients[i, 1]) = (gradient[0], gradient[1]);
        }
        return sum;
    }

    [Benchmark]
    public void Batched() => batched.Gradient(points, values, gradients);
}
