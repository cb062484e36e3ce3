// Plain functions over a tape, each with its own workspace, for the checks and adapters: the tape
// stays the fast path, the checks see the same Func shapes as a user's own code.
using Hybrid.Symbolic;
using Hybrid.Tape;

namespace Hybrid.Numerics;

internal static class TapeFunctions
{
    public static Tape.Tape Lower(IReadOnlyList<Expr> outputs, IReadOnlyList<Expr> variables) =>
        Tape.Tape.Lower(outputs, variables);

    public static Func<double[], double> Value(Tape.Tape tape)
    {
        var workspace = tape.CreateWorkspace();
        return x => tape.Evaluate(x, workspace);
    }

    public static Func<double[], double[]> Values(Tape.Tape tape)
    {
        var workspace = tape.CreateWorkspace();
        return x =>
        {
            var values = new double[tape.OutputCount];
            tape.Evaluate(x, values, workspace);
            return values;
        };
    }

    public static Func<double[], double[]> Gradient(Tape.Tape tape)
    {
        var workspace = tape.CreateWorkspace();
        return x =>
        {
            var gradient = new double[tape.InputCount];
            tape.Gradient(x, gradient, workspace);
            return gradient;
        };
    }

    public static Func<double[], double[]> Jacobian(Tape.Tape tape)
    {
        var workspace = tape.CreateWorkspace();
        return x =>
        {
            var jacobian = new double[tape.OutputCount * tape.InputCount];
            tape.Jacobian(x, jacobian, workspace);
            return jacobian;
        };
    }

    public static Func<double[], double[]> Hessian(Tape.Tape tape)
    {
        var workspace = tape.CreateWorkspace();
        return x =>
        {
            var hessian = new double[tape.InputCount * tape.InputCount];
            tape.Hessian(x, hessian, workspace);
            return hessian;
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
