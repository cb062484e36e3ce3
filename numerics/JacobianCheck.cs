// Checks a claimed Jacobian of a vector function: finite differences column by column (two probes per
// input) or, for expressions, the exact symbolic Jacobian.
using Hybrid.Tapes;
using Hybrid.Symbolic;

namespace Hybrid.Numerics;

/// <summary>Checks Jacobians, entry by entry: row k is output k, column j input j.</summary>
public static class JacobianCheck
{
    /// <summary>Checks <paramref name="jacobian"/> (outputs × inputs) against finite differences of <paramref name="f"/>.</summary>
    public static CheckReport Run(Func<double[], double[]> f, Func<double[], double[,]> jacobian, IEnumerable<double[]> points, CheckOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(f);
        ArgumentNullException.ThrowIfNull(jacobian);
        var list = points.ToList();
        int n = CheckRun.Dimension(list);
        int m = Outputs(f, jacobian, list[0]);
        return Check("Jacobian of f", TapeFunctions.Names(n), m, f, TapeFunctions.Flatten(jacobian, m, n, "The claimed Jacobian"), exact: null, list, options ?? CheckOptions.Default);
    }

    /// <summary>Checks a claimed symbolic Jacobian (functions × variables), by default against the exact one.</summary>
    public static CheckReport Run(IReadOnlyList<Expr> functions, Expr[,] jacobian, IReadOnlyList<Expr> variables, IEnumerable<double[]> points, CheckOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(functions);
        ArgumentNullException.ThrowIfNull(jacobian);
        CheckRun.RequireSymbols(variables);
        if (jacobian.GetLength(0) != functions.Count || jacobian.GetLength(1) != variables.Count)
            throw new ArgumentException($"The claimed Jacobian is {jacobian.GetLength(0)}×{jacobian.GetLength(1)}, but there are {functions.Count} functions and {variables.Count} variables ({string.Join(", ", variables)}): it must be {functions.Count}×{variables.Count}.", nameof(jacobian));
        return Check("Jacobian", TapeFunctions.Names(variables), functions.Count, TapeFunctions.Values(Tape.Lower(functions, variables)),
            TapeFunctions.Values(Tape.Lower(Flatten(jacobian), variables)), Exact(functions, variables), points, options ?? CheckOptions.Default);
    }

    /// <summary>Checks the tape's Jacobian (reverse mode, one sweep per output) of <paramref name="functions"/>, by default against the exact one.</summary>
    public static CheckReport Run(IReadOnlyList<Expr> functions, IReadOnlyList<Expr> variables, IEnumerable<double[]> points, CheckOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(functions);
        CheckRun.RequireSymbols(variables);
        RequireSize(functions.Count, variables.Count);
        var tape = Tape.Lower(functions, variables);
        return Check("Jacobian (reverse mode)", TapeFunctions.Names(variables), functions.Count, TapeFunctions.Values(tape), TapeFunctions.Jacobian(tape),
            Exact(functions, variables), points, options ?? CheckOptions.Default);
    }

    /// <summary>Checks the tape's Jacobian against finite differences of its values.</summary>
    public static CheckReport Run(Tape tape, IEnumerable<double[]> points, CheckOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(tape);
        return Check($"Jacobian of a tape of {tape.Length} instructions (reverse mode)", tape.InputNames.ToArray(), tape.OutputCount,
            TapeFunctions.Values(tape), TapeFunctions.Jacobian(tape), exact: null, points, options ?? CheckOptions.Default);
    }

    // A plain function does not say how many outputs it has: its value at the first point does (or,
    // when it throws there, the claimed Jacobian's row count).
    private static int Outputs(Func<double[], double[]> f, Func<double[], double[,]> jacobian, double[] point)
    {
        try { return f((double[])point.Clone()).Length; }
        catch (Exception) { }
        try { return jacobian((double[])point.Clone()).GetLength(0); }
        catch (Exception e)
        {
            throw new ArgumentException($"Both f and the claimed Jacobian threw at {CheckReport.Format(point)}, so the number of outputs is unknown: {e.Message}", nameof(jacobian), e);
        }
    }

    private static void RequireSize(long m, long n) => Limits.RequireMatrix(m, n, "Jacobian", "check it along random directions with DirectionalCheck instead");

    private static Expr[] Flatten(Expr[,] matrix) => matrix.Cast<Expr>().ToArray();

    private static Func<double[], double[]> Exact(IReadOnlyList<Expr> functions, IReadOnlyList<Expr> variables) =>
        TapeFunctions.Values(Tape.Lower(Flatten(Expr.Jacobian(functions, variables)), variables));

    private static CheckReport Check(string title, string[] names, int m, Func<double[], double[]> f, Func<double[], double[]> claimed,
        Func<double[], double[]>? exact, IEnumerable<double[]> points, CheckOptions options)
    {
        var reference = CheckRun.Resolve(options, exact is not null);
        int n = names.Length;
        RequireSize(m, n);
        Func<double[], double[]> referenceValues = reference == DerivativeReference.Exact
            ? x => Probe.Vector(exact!, x, m * n, "the exact Jacobian")
            : x => Differences.Jacobian(p => Probe.Vector(f, p, m, "f"), x, m, reference, options.RelativeStep);
        var components = Enumerable.Range(0, m).SelectMany(k => names.Select(v => $"∂f[{k}]/∂{v}")).ToArray();
        return CheckRun.Run(title, reference, options, names, components, points, x => Probe.Vector(claimed, x, m * n, "the claimed Jacobian"), referenceValues);
    }
}
