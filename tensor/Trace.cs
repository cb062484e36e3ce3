// Trace: run C# code on tensors once, and lift the recorded graph of the path it took to symbolic
// expressions, so the exact derivative of that path can be printed, simplified and lowered. Every
// comparison of a tensor that steered the control flow is kept as a guard: replaying the trace at
// another point first checks the guards and refuses (or re-records, if asked) where one flips, so
// a replay never silently returns the gradient of a branch that the new point would not take.
using System.Globalization;
using Hybrid.Symbolic;
using Hybrid.Tapes;

namespace Hybrid.Tensors;

/// <summary>A condition a recorded path assumed: <c>Condition</c> (such as <c>norm(b) &lt; 1000</c>) had the value <see cref="Held"/>.</summary>
/// <param name="Condition">The comparison, lifted to an expression of the inputs.</param>
/// <param name="Left">Its left side as an expression of the inputs.</param>
/// <param name="Comparison">The comparison primitive.</param>
/// <param name="Right">The constant it was compared with.</param>
/// <param name="Held">Whether it held when recorded.</param>
public sealed record TraceGuard(Expr Condition, Expr Left, Primitive Comparison, double Right, bool Held);

/// <summary>
/// One run of a function on tensors, lifted to expressions of its inputs: the path taken, with the guards that chose it.
/// <c>Trace.Record(a =&gt; F(a[0]), "a", Tensor.Scalar(0.37)).Output</c> is, for the doubling loop of the autograd chapter, <c>4096*a</c>.
/// </summary>
public sealed class Trace
{
    [ThreadStatic] private static List<(Tensor Left, Primitive Comparison, double Right, bool Held)>? recording;

    private readonly Func<Tensor[], Tensor> function;
    private readonly string[] names;
    private readonly int[][] shapes;
    private Tape? replay;       // the left side of every guard
    private Tape? outputTape;   // the output, for replays

    private Trace(Func<Tensor[], Tensor> function, string[] names, int[][] shapes, Expr[] symbols, Expr[] outputs, TraceGuard[] guards)
    {
        (this.function, this.names, this.shapes) = (function, names, shapes);
        (Symbols, Outputs, Guards) = (symbols, outputs, guards);
    }

    /// <summary>The input symbols, flattened: a scalar input <c>a</c> is <c>a</c>; a vector <c>a</c> of 3 is <c>a_0, a_1, a_2</c>; a matrix element is <c>a_i_j</c>, one of three dimensions <c>a_i_j_k</c>, and so on.</summary>
    public IReadOnlyList<Expr> Symbols { get; }

    /// <summary>The output's elements as expressions of <see cref="Symbols"/>, row-major.</summary>
    public IReadOnlyList<Expr> Outputs { get; }

    /// <summary>The output of a one-element result.</summary>
    /// <exception cref="InvalidOperationException">The output has several elements (use <see cref="Outputs"/>).</exception>
    public Expr Output => Outputs.Count == 1 ? Outputs[0] : throw new InvalidOperationException($"The traced output has {Outputs.Count} elements; use Outputs.");

    /// <summary>The comparisons that steered the run, in order, each with the value it had.</summary>
    public IReadOnlyList<TraceGuard> Guards { get; }

    /// <summary>Runs <paramref name="function"/> once on copies of <paramref name="inputs"/> that require grad, and lifts what it recorded.</summary>
    /// <param name="function">The code to trace; comparisons of tensors inside it become guards.</param>
    /// <param name="names">A name per input, for its symbols.</param>
    /// <param name="inputs">The point to run at.</param>
    public static Trace Record(Func<Tensor[], Tensor> function, string[] names, params Tensor[] inputs)
    {
        ArgumentNullException.ThrowIfNull(function);
        if (names.Length != inputs.Length) throw new ArgumentException($"{names.Length} names for {inputs.Length} inputs.", nameof(names));
        var leaves = inputs.Select(t => t.Detach().RequiresGrad()).ToArray();
        var outer = recording;
        recording = [];
        try
        {
            Tensor output;
            using (Autograd.Recording()) output = function(leaves);
            var symbols = new Dictionary<Tensor, Expr[]>(ReferenceEqualityComparer.Instance);
            for (int k = 0; k < leaves.Length; k++) symbols[leaves[k]] = SymbolsFor(names[k], leaves[k]);
            var lifted = Lift([output, .. recording.Select(g => g.Left)], symbols);
            var guards = recording.Select(g =>
            {
                var left = lifted(g.Left)[0];
                return new TraceGuard(g.Comparison.Apply(left, Number(g.Right)), left, g.Comparison, g.Right, g.Held);
            }).ToArray();
            return new Trace(function, names, inputs.Select(t => t.ShapeArray).ToArray(), leaves.SelectMany(l => symbols[l]).ToArray(), lifted(output), guards);
        }
        finally { recording = outer; }
    }

    /// <summary>Records a one-input function: <c>Trace.Record(a =&gt; F(a), "a", Tensor.Scalar(0.37))</c>.</summary>
    public static Trace Record(Func<Tensor, Tensor> function, string name, Tensor input) => Record(t => function(t[0]), [name], input);

    internal static bool Guard(Tensor left, Primitive comparison, double right, bool held)
    {
        recording?.Add((left, comparison, right, held));
        return held;
    }

    /// <summary>The output (of a one-element result) at <paramref name="point"/> (values of <see cref="Symbols"/>), after checking the guards.</summary>
    /// <exception cref="InvalidOperationException">A guard does not hold at the point (the recorded path does not apply there).</exception>
    public double Evaluate(ReadOnlySpan<double> point) => Replay(point, null);

    /// <summary>
    /// The value and gradient of the (one-element) output at <paramref name="point"/>, after checking the guards. With
    /// <paramref name="reRecord"/>, a point where a guard flips is traced again instead (the result is then the new path's).
    /// </summary>
    /// <exception cref="InvalidOperationException">A guard does not hold at the point and <paramref name="reRecord"/> is false.</exception>
    public double Gradient(ReadOnlySpan<double> point, Span<double> gradient, bool reRecord = false)
    {
        if (reRecord && FirstBrokenGuard(point) is not null) return Again(point).Gradient(point, gradient);
        return Replay(point, gradient);
    }

    private double Replay(ReadOnlySpan<double> point, Span<double> gradient)
    {
        if (FirstBrokenGuard(point) is { } broken) throw broken;
        var tape = outputTape ??= Tape.Lower(Output, Symbols.ToArray());
        var ws = tape.CreateWorkspace();
        return gradient.Length == 0 ? tape.Evaluate(point, ws) : tape.Gradient(point, gradient, ws);
    }

    // Every guard's left side evaluated at the point; the first whose comparison no longer gives the recorded answer.
    private InvalidOperationException? FirstBrokenGuard(ReadOnlySpan<double> point)
    {
        Tape.CheckLength(point.Length, Symbols.Count, "point");
        if (Guards.Count == 0) return null;
        replay ??= Tape.Lower(Guards.Select(g => g.Left).ToArray(), Symbols.ToArray());
        var values = new double[Guards.Count];
        replay.Evaluate(point, values, replay.CreateWorkspace());
        for (int k = 0; k < Guards.Count; k++)
        {
            var guard = Guards[k];
            bool holds = guard.Comparison.Evaluate([values[k], guard.Right]) != 0;
            if (holds != guard.Held)
                return new InvalidOperationException(
                    $"The trace assumed that {guard.Condition} was {Word(guard.Held)}, but at the new point it is {Word(holds)} " +
                    $"(its left side is {values[k].ToString("R", CultureInfo.InvariantCulture)}): the recorded path does not apply here. " +
                    "Record again at this point (Trace.Record), or pass reRecord: true.");
        }
        return null;
    }

    private static string Word(bool value) => value ? "true" : "false";

    private Trace Again(ReadOnlySpan<double> point)
    {
        var inputs = new Tensor[shapes.Length];
        int offset = 0;
        for (int k = 0; k < shapes.Length; k++)
        {
            int count = shapes[k].Aggregate(1, (a, b) => a * b);
            inputs[k] = new Tensor(point.Slice(offset, count).ToArray(), shapes[k]);
            offset += count;
        }
        return Record(function, names, inputs);
    }

    // name, then the element's index in each dimension: a_1_2 for row 1, column 2 of a matrix a.
    private static Expr[] SymbolsFor(string name, Tensor t)
    {
        var strides = Shapes.Strides(t.ShapeArray);
        return Enumerable.Range(0, t.Count).Select(i => Expr.Symbol(name + string.Concat(strides.Select((s, d) => "_" + i / s % t.ShapeArray[d])))).ToArray();
    }

    // A constant as exact as it can be: an integer stays an integer (2·a is 2*a, not 2.0*a).
    private static Expr Number(double v) => Math.Floor(v) == v && Math.Abs(v) < 1e15 ? Expr.Number((long)v) : Expr.Float(v);

    // Lifts every tensor the roots depend on, shallowest first (inputs before the ops that read them), to one expression per element.
    private static Func<Tensor, Expr[]> Lift(Tensor[] roots, Dictionary<Tensor, Expr[]> lifted)
    {
        var nodes = new List<Tensor>();
        var seen = new HashSet<Tensor>(ReferenceEqualityComparer.Instance);
        var stack = new Stack<Tensor>(roots.Where(r => r.IsRecorded));
        while (stack.Count > 0)
        {
            var node = stack.Pop();
            if (!seen.Add(node)) continue;
            nodes.Add(node);
            foreach (var input in node.Inputs) if (input.IsRecorded) stack.Push(input);
        }
        Expr[] Of(Tensor t) => lifted.TryGetValue(t, out var e) ? e : lifted[t] = t.Data.Select(Number).ToArray();   // untracked values are constants
        foreach (var node in nodes.OrderBy(n => n.Depth)) lifted[node] = LiftNode(node, node.Inputs.Select(Of).ToArray());
        return Of;
    }

    private static Expr[] LiftNode(Tensor node, Expr[][] args)
    {
        var inputs = node.Inputs;
        Expr[] Map(Func<Expr, Expr> f) => args[0].Select(f).ToArray();
        Expr[] Zip(Func<Expr, Expr, Expr> f)
        {
            int n = Math.Max(args[0].Length, args[1].Length);
            return Enumerable.Range(0, n).Select(i => f(args[0][args[0].Length == 1 ? 0 : i], args[1][args[1].Length == 1 ? 0 : i])).ToArray();
        }
        // A switch expression with no discard: a new Op without a lift rule does not build.
        return node.Op switch
        {
            Op.Add => Zip((a, b) => a + b),
            Op.Subtract => Zip((a, b) => a - b),
            Op.Multiply => Zip((a, b) => a * b),
            Op.Divide => Zip((a, b) => a / b),
            Op.PowerOf => Zip(Expr.Pow),
            Op.Affine => Map(a => Number(node.Constant) * a + Number(node.Shift)),
            Op.Negate => Map(a => -a),
            Op.Power => Map(a => node.Constant == 0.5 ? Expr.Sqrt(a) : Expr.Pow(a, Number(node.Constant))),
            Op.Call => Enumerable.Range(0, args.Max(a => a.Length)).Select(i => node.Function!.Function.Substitute(
                node.Function.Parameters.Select((p, k) => (p, args[k][args[k].Length == 1 ? 0 : i])).ToDictionary(x => x.p, x => x.Item2))).ToArray(),
            Op.Sum => [Expr.Sum(args[0])],
            Op.Norm => [Expr.Sqrt(Expr.Sum(args[0].Select(a => Expr.Pow(a, 2))))],
            Op.Expand => Enumerable.Repeat(args[0][0], node.Count).ToArray(),
            Op.Slice => args[0].Skip(node.Position).Take(node.Count).ToArray(),
            Op.Pad => Enumerable.Range(0, node.Count).Select(i => i >= node.Position && i < node.Position + args[0].Length ? args[0][i - node.Position] : Expr.Number(0)).ToArray(),
            Op.Dot => [Expr.Sum(args[0].Select((a, i) => a * args[1][i]))],
            Op.MatMul => MatMul(inputs, args),
            Op.Outer => args[0].SelectMany(a => args[1].Select(b => a * b)).ToArray(),
            Op.Transpose when inputs[0].Rank < 2 => args[0],
            Op.Transpose => Enumerable.Range(0, inputs[0].Count).Select(ji => args[0][ji % inputs[0].ShapeArray[0] * inputs[0].ShapeArray[1] + ji / inputs[0].ShapeArray[0]]).ToArray(),
            Op.Index => [args[0][node.Position]],
            Op.Scatter => Enumerable.Range(0, node.Count).Select(i => i == node.Position ? args[0][0] : Expr.Number(0)).ToArray(),
            Op.Reshape => args[0],
            Op.Gather => node.IndexMap!.Select(p => args[0][p]).ToArray(),
            Op.ScatterAdd => ScatterAdd(node, args[0]),
            Op.Cat => Cat(node, args),
            Op.BatchMatMul => BatchMatMul(inputs, args),
            Op.None => throw new InvalidOperationException("A tensor that no recorded operation produced is an input of the trace, not a step of it."),
        };
    }

    private static Expr[] ScatterAdd(Tensor node, Expr[] source)
    {
        var terms = Enumerable.Range(0, node.Count).Select(_ => new List<Expr>()).ToArray();
        for (int i = 0; i < source.Length; i++) terms[node.IndexMap![i]].Add(source[i]);
        return terms.Select(t => t.Count == 0 ? Expr.Number(0) : Expr.Sum(t)).ToArray();
    }

    private static Expr[] Cat(Tensor node, Expr[][] args)
    {
        var result = new Expr[node.Count];
        var (offsets, strides) = (Tensor.CatOffsets(node), Shapes.Strides(node.ShapeArray));
        for (int k = 0; k < args.Length; k++)
        {
            var map = Shapes.Map(node.Input(k).ShapeArray, strides, offsets[k] * strides[node.Position]);
            for (int i = 0; i < map.Length; i++) result[map[i]] = args[k][i];
        }
        return result;
    }

    private static Expr[] BatchMatMul(Tensor[] inputs, Expr[][] args)
    {
        var (a, b) = (inputs[0].ShapeArray, inputs[1].ShapeArray);
        return Products(args, a[0], a[1], a[2], b[2]);
    }

    private static Expr[] MatMul(Tensor[] inputs, Expr[][] args) =>
        Products(args, 1, inputs[0].ShapeArray[0], inputs[0].ShapeArray[1], inputs[1].Rank == 1 ? 1 : inputs[1].ShapeArray[1]);

    // A batch of row-major products (m×k)·(k×n), element by element as sums of k products.
    private static Expr[] Products(Expr[][] args, int batches, int m, int k, int n) =>
        Enumerable.Range(0, batches * m * n).Select(pij =>
        {
            int p = pij / (m * n), i = pij / n % m, j = pij % n;
            return Expr.Sum(Enumerable.Range(0, k).Select(l => args[0][(p * m + i) * k + l] * args[1][(p * k + l) * n + j]));
        }).ToArray();
}
