// Checks of sparse Jacobians and Hessians at the scale dense checks refuse. The reference is compressed:
// central differences along the indicator of each color of the columns (of F for a Jacobian, of ∇f for a
// Hessian), so a check costs 2 × colors evaluations whatever the number of variables; or, for expressions,
// the exact derivative of each structural non-zero, all lowered onto one tape (one shared DAG). A claimed
// non-zero outside the structural pattern fails too.
using Hybrid.Symbolic;
using Hybrid.Tapes;
using MathNet.Numerics.LinearAlgebra;

namespace Hybrid.Numerics;

/// <summary>Checks sparse Jacobians and Hessians, non-zero by non-zero, in the report format of the other checks.</summary>
public static class SparseCheck
{
    /// <summary>
    /// Checks <paramref name="claimed"/> (the Jacobian of the tape's outputs at a point) against compressed central
    /// differences of the tape's values over its structural pattern; by default the tape's own <see cref="SparseJacobian"/>.
    /// </summary>
    public static CheckReport Jacobian(Tape system, IEnumerable<double[]> points, Func<double[], Matrix<double>>? claimed = null, CheckOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(system);
        options ??= CheckOptions.Default;
        var reference = CheckRun.Resolve(options, exactAvailable: false);
        var own = claimed is null ? new SparseJacobian(system) : null;   // its pattern is the check's: found once
        var pattern = own?.Pattern ?? system.JacobianPattern();
        claimed ??= x => own!.Evaluate(x);
        var workspace = system.CreateWorkspace();
        var values = new double[system.OutputCount];
        return Run($"sparse Jacobian of a tape of {system.Length} instructions ({pattern})", system.InputNames, pattern, claimed, reference, options, points,
            x => { system.Evaluate(x, values, workspace); return (double[])values.Clone(); });
    }

    /// <summary>
    /// Checks <paramref name="claimed"/> (the Hessian of the scalar tape at a point) against compressed central differences of
    /// its gradient over its structural pattern; by default the tape's own <see cref="SparseHessian"/>.
    /// </summary>
    public static CheckReport Hessian(Tape f, IEnumerable<double[]> points, Func<double[], Matrix<double>>? claimed = null, CheckOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(f);
        GradCheck.RequireOneOutput(f);
        options ??= CheckOptions.Default;
        var reference = CheckRun.Resolve(options, exactAvailable: false);
        var own = claimed is null ? new SparseHessian(f) : null;   // its pattern is the check's: found once
        var pattern = own?.Pattern ?? f.HessianPattern();
        claimed ??= x => own!.Evaluate(x);
        var compiled = f.Compile();
        var workspace = compiled.CreateWorkspace();
        return Run($"sparse Hessian of a tape of {f.Length} instructions ({pattern})", f.InputNames, pattern, claimed, reference, options, points,
            x => { var g = new double[f.InputCount]; compiled.Gradient(x, g, workspace); return g; });
    }

    /// <summary>
    /// Checks the sparse Hessian of <paramref name="f"/> (by default the tape's, <see cref="SparseHessian"/>) against the exact
    /// symbolic second derivative of every structural non-zero, lowered together onto one tape.
    /// </summary>
    public static CheckReport Hessian(Expr f, IReadOnlyList<Expr> variables, IEnumerable<double[]> points, Func<double[], Matrix<double>>? claimed = null, CheckOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(f);
        CheckRun.RequireSymbols(variables);
        options ??= CheckOptions.Default;
        var reference = CheckRun.Resolve(options, exactAvailable: true);
        var tape = Tape.Lower([f], variables);
        if (reference != DerivativeReference.Exact) return Hessian(tape, points, claimed, options);
        var own = claimed is null ? new SparseHessian(tape) : null;   // its pattern is the check's: found once
        var pattern = own?.Pattern ?? tape.HessianPattern();
        claimed ??= x => own!.Evaluate(x);
        var nonzeros = SymbolicSparse.Hessian(f, variables, pattern);
        var exactTape = Tape.Lower(nonzeros, variables);
        var exactWorkspace = exactTape.CreateWorkspace();
        Func<double[], double[]> exact = x => { var v = new double[nonzeros.Length]; exactTape.Evaluate(x, v, exactWorkspace); return v; };
        var names = variables.Select(v => v.ToString()).ToArray();
        return Compare($"sparse Hessian of {TapeFunctions.Describe(f)} ({pattern})", names, pattern, claimed, reference, options, points, exact,
            (i, j) => i == j ? $"∂²f/∂{names[i]}²" : $"∂²f/∂{names[i]}∂{names[j]}");
    }

    private static CheckReport Run(string title, IReadOnlyList<string> inputNames, SparsityPattern pattern, Func<double[], Matrix<double>> claimed,
        DerivativeReference reference, CheckOptions options, IEnumerable<double[]> points, Func<double[], double[]> rows)
    {
        if (reference != DerivativeReference.CentralDifference)
            throw new ArgumentException($"Sparse checks compare with compressed central differences or the exact derivative, not {reference}.", nameof(options));
        var coloring = Coloring.Columns(pattern);
        var names = inputNames.ToArray();
        return Compare(title, names, pattern, claimed, reference, options, points, x => CompressedDifferences(pattern, coloring, rows, x, options),
            (i, j) => $"∂F{i}/∂{names[j]}");
    }

    // Central differences along each color's indicator, each column with its own step h_j = 2^-17·max(1, |x_j|):
    // entry (i, j) is (F(x + δ) − F(x − δ))_i / (2h_j), unmixed because no other column of the color meets row i.
    private static double[] CompressedDifferences(SparsityPattern pattern, Coloring coloring, Func<double[], double[]> rows, double[] x, CheckOptions options)
    {
        double relative = options.RelativeStep ?? Math.Pow(2, -17);
        var step = x.Select(v => relative * Math.Max(1, Math.Abs(v))).ToArray();
        var differences = new double[coloring.Count][];
        for (int c = 0; c < coloring.Count; c++)
        {
            var (plus, minus) = ((double[])x.Clone(), (double[])x.Clone());
            for (int j = 0; j < x.Length; j++)
                if (coloring.Colors[j] == c) { plus[j] += step[j]; minus[j] -= step[j]; }
            var (up, down) = (rows(plus), rows(minus));
            differences[c] = up.Select((u, i) => u - down[i]).ToArray();
        }
        var values = new double[pattern.NonzeroCount];
        for (int i = 0, p = 0; i < pattern.RowCount; i++)
            foreach (int j in pattern.Row(i)) values[p++] = differences[coloring.Colors[j]][i] / (2 * step[j]);
        return values;
    }

    // Every structural non-zero against the reference (the shared loop of the checks); a claimed non-zero outside the
    // pattern is a failure of its own.
    private static CheckReport Compare(string title, string[] inputNames, SparsityPattern pattern, Func<double[], Matrix<double>> claimed,
        DerivativeReference reference, CheckOptions options, IEnumerable<double[]> points, Func<double[], double[]> referenceValues, Func<int, int, string> name)
    {
        var components = new List<string>(pattern.NonzeroCount);
        for (int i = 0; i < pattern.RowCount; i++)
            foreach (int j in pattern.Row(i)) components.Add(name(i, j));
        Matrix<double>? matrix = null;   // the claimed matrix at the point being checked: its non-zeros, then its strays
        double[] Nonzeros(double[] point)
        {
            matrix = claimed(point);
            var values = new double[pattern.NonzeroCount];
            for (int i = 0, p = 0; i < pattern.RowCount; i++)
                foreach (int j in pattern.Row(i)) values[p++] = matrix[i, j];
            return values;
        }
        IEnumerable<CheckEntry> Strays(double[] point) =>
            matrix!.EnumerateIndexed(Zeros.AllowSkip).Where(e => e.Item3 != 0 && !pattern.Contains(e.Item1, e.Item2))
                .Select(e => new CheckEntry(name(e.Item1, e.Item2), point, e.Item3, 0, false, "a non-zero outside the structural pattern")).ToList();
        return CheckRun.Run(title, reference, options, inputNames, components, points, Nonzeros, referenceValues, Strays);
    }
}
