// Plain functions over a tape, each with its own workspace, for the checks and adapters: the tape
// stays the fast path, the checks see the same Func shapes as a user's own code.
using Hybrid.Symbolic;
using Hybrid.Tapes;

namespace Hybrid.Numerics;

internal static class TapeFunctions
{
    public static Func<double[], double> Value(Tape tape)
    {
        var workspace = tape.CreateWorkspace();
        return x => tape.Evaluate(x, workspace);
    }

    public static Func<double[], double[]> Values(Tape tape) =>
        Sweep(tape, tape.OutputCount, (x, values, workspace) => tape.Evaluate(x, values, workspace));

    public static Func<double[], double[]> Gradient(Tape tape) =>
        Sweep(tape, tape.InputCount, (x, gradient, workspace) => tape.Gradient(x, gradient, workspace));

    public static Func<double[], double[]> Jacobian(Tape tape) =>
        Sweep(tape, tape.OutputCount * tape.InputCount, (x, jacobian, workspace) => tape.Jacobian(x, jacobian, workspace));

    public static Func<double[], double[]> Hessian(Tape tape) =>
        Sweep(tape, tape.InputCount * tape.InputCount, (x, hessian, workspace) => tape.Hessian(x, hessian, workspace));

    // One workspace per function; each call fills a new array of the given length (the checks keep them).
    private static Func<double[], double[]> Sweep(Tape tape, int length, Action<double[], double[], Workspace> sweep)
    {
        var workspace = tape.CreateWorkspace();
        return x =>
        {
            var result = new double[length];
            sweep(x, result, workspace);
            return result;
        };
    }

    /// <summary>A row-major copy of a matrix-valued function's result, after checking its shape.</summary>
    public static Func<double[], double[]> Flatten(Func<double[], double[,]> matrix, int rows, int columns, string role) => x =>
    {
        var m = matrix(x) ?? throw new ArgumentException($"{role} returned null at {CheckReport.Format(x)}.");
        if (m.GetLength(0) != rows || m.GetLength(1) != columns)
            throw new DimensionMismatch($"{role} is {m.GetLength(0)}×{m.GetLength(1)} at {CheckReport.Format(x)}, but the function needs {rows}×{columns} ({rows} outputs × {columns} inputs).");
        var flat = new double[rows * columns];
        for (int i = 0; i < rows; i++)
            for (int j = 0; j < columns; j++) flat[i * columns + j] = m[i, j];
        return flat;
    };

    public static string[] Names(IReadOnlyList<Expr> variables) => variables.Select(v => v.ToString()).ToArray();

    public static string[] Names(int count) => Enumerable.Range(0, count).Select(i => $"x[{i}]").ToArray();

    public static string Describe(Expr f)
    {
        // Printing a shared DAG as text can take exponential time: a large one is described by its size.
        if (f.TreeSize() > 10_000) return $"an expression of {f.TreeSize()} nodes";
        string text = f.ToString();
        return text.Length <= 60 ? text : text[..57] + "...";
    }
}
