// Sparse Jacobians and Hessians by compressed evaluation: the pattern and its coloring are computed once per
// tape, then each evaluation runs one forward sweep per worker and one product per color — a tangent sweep
// (J·s), a reverse sweep (sᵀ·J) or a second-order sweep (H·s) with s the indicator of the color, a Hessian's
// colors a block at a time in one sweep — spread over all cores, and writes each non-zero straight into the
// compressed row values: no dense intermediate.
using System.Collections.Concurrent;
using MathNet.Numerics.LinearAlgebra.Double;

namespace Hybrid.Tapes;

/// <summary>How one product per color becomes the values of a pattern: values[Positions[c][t]] = product_c[Components[c][t]].</summary>
internal sealed class Recovery
{
    public required int[][] Positions { get; init; }
    public required int[][] Components { get; init; }
    public required int[][] Seeds { get; init; }   // the columns (or rows) of each color: where the seed is 1

    // Column coloring: entry (i, j) is component i of the product with color(j)'s indicator.
    public static Recovery OfColumns(SparsityPattern pattern, Coloring coloring) => Build(pattern, coloring, (row, column, _) => (coloring.Colors[column], row));

    // Star coloring of a symmetric pattern: entry (i, j) from column j's product at row i when no other column of that
    // color meets row i, else from column i's product at row j (the coloring guarantees one of the two).
    public static Recovery OfSymmetric(SparsityPattern pattern, Coloring coloring)
    {
        var alone = Coloring.RowColorCounts(pattern, coloring.Colors, coloring.Count);
        return Build(pattern, coloring, (row, column, position) => alone[position] == 1 ? (coloring.Colors[column], row) : (coloring.Colors[row], column));
    }

    // Row coloring: entry (i, j) is component j of the reverse product with color(i)'s indicator.
    public static Recovery OfRows(SparsityPattern pattern, Coloring coloring) => Build(pattern, coloring, (row, column, _) => (coloring.Colors[row], column));

    // of(row, column, position of the entry in the pattern's row order): the color whose product holds it, and where.
    private static Recovery Build(SparsityPattern pattern, Coloring coloring, Func<int, int, int, (int Color, int Component)> of)
    {
        var (positions, components) = (new List<int>[coloring.Count], new List<int>[coloring.Count]);
        for (int c = 0; c < coloring.Count; c++) (positions[c], components[c]) = (new(), new());
        for (int i = 0; i < pattern.RowCount; i++)
        {
            int start = pattern.RowStart(i);
            var row = pattern.Row(i);
            for (int t = 0; t < row.Length; t++)
            {
                var (color, component) = of(i, row[t], start + t);
                positions[color].Add(start + t);
                components[color].Add(component);
            }
        }
        var seeds = Enumerable.Range(0, coloring.Count).Select(_ => new List<int>()).ToArray();
        for (int k = 0; k < coloring.Colors.Count; k++) seeds[coloring.Colors[k]].Add(k);
        return new Recovery { Positions = positions.Select(p => p.ToArray()).ToArray(), Components = components.Select(c => c.ToArray()).ToArray(), Seeds = seeds.Select(s => s.ToArray()).ToArray() };
    }
}

/// <summary>A sparse derivative of a tape: its pattern and coloring, found once, then values at any point by one product per color on all cores.</summary>
public abstract class SparseDerivative
{
    private readonly Recovery recovery;
    private readonly ConcurrentBag<Workspace> workspaces = [];

    private protected SparseDerivative(Tape tape, SparsityPattern pattern, Coloring coloring, Recovery recovery) =>
        (Tape, Pattern, Coloring, this.recovery) = (tape, pattern, coloring, recovery);

    private protected Tape Tape { get; }

    /// <summary>Where the derivative may be non-zero.</summary>
    public SparsityPattern Pattern { get; }

    /// <summary>The coloring used: its count is the number of products per evaluation.</summary>
    public Coloring Coloring { get; }

    /// <summary>The derivative at <paramref name="point"/> as a MathNet CSR matrix.</summary>
    public SparseMatrix Evaluate(ReadOnlySpan<double> point)
    {
        var values = new double[Pattern.NonzeroCount];
        Evaluate(point, values);
        return Pattern.ToSparseMatrix(values);
    }

    /// <summary>The non-zeros at <paramref name="point"/>, in the pattern's row order, into <paramref name="values"/>.</summary>
    public void Evaluate(ReadOnlySpan<double> point, double[] values)
    {
        Tape.CheckLength(point.Length, Tape.InputCount, "point");
        Tape.CheckLength(values.Length, Pattern.NonzeroCount, "values");
        Compressed.Run(Tape, workspaces, point.ToArray(), recovery, values, SeedLength, ResultLength, Products, Prepare, BlockSize);
    }

    // After each worker's forward sweep: what every product of this evaluation shares (nothing by default).
    private protected virtual void Prepare(Workspace workspace) { }

    private protected abstract int SeedLength { get; }
    private protected abstract int ResultLength { get; }

    // How many colors one product call carries, when each worker has this many to do (1 unless a sweep carries several).
    private protected virtual int BlockSize(int colorsPerWorker) => 1;

    // The products after the forward sweep — J·s, sᵀ·J or H·s — for count seeds at once, interleaved: seeds[k·count + c].
    private protected abstract void Products(int count, ReadOnlySpan<double> seeds, Span<double> results, Workspace workspace);
}

/// <summary>
/// The sparse Jacobian of a tape, by reverse sweeps when rows need fewer colors than columns, forward products otherwise.
/// </summary>
public sealed class SparseJacobian : SparseDerivative
{
    /// <summary>Finds the pattern and colors it, both ways, keeping the one with fewer colors.</summary>
    /// <exception cref="Hybrid.Symbolic.LimitExceededException">The pattern passes <see cref="SparsityPattern.MaxNonzeros"/>.</exception>
    public SparseJacobian(Tape tape, CancellationToken cancellationToken = default) : this(tape, Colored(tape, cancellationToken)) { }

    private SparseJacobian(Tape tape, (SparsityPattern Pattern, Coloring Coloring) found)
        : base(tape, found.Pattern, found.Coloring, found.Coloring.OfRows ? Recovery.OfRows(found.Pattern, found.Coloring) : Recovery.OfColumns(found.Pattern, found.Coloring)) { }

    private static (SparsityPattern, Coloring) Colored(Tape tape, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(tape);
        var pattern = tape.JacobianPattern(cancellationToken);
        var (rows, columns) = (Coloring.Rows(pattern, cancellationToken), Coloring.Columns(pattern, cancellationToken));
        return (pattern, rows.Count <= columns.Count ? rows : columns);   // a tie goes to reverse mode: one sweep per color either way
    }

    private protected override int SeedLength => Coloring.OfRows ? Tape.OutputCount : Tape.InputCount;
    private protected override int ResultLength => Coloring.OfRows ? Tape.InputCount : Tape.OutputCount;

    private protected override void Products(int count, ReadOnlySpan<double> seeds, Span<double> results, Workspace workspace)
    {
        if (Coloring.OfRows) Tape.Adjoints(seeds, results, workspace);   // count is 1: BlockSize is not overridden
        else Tape.Tangents(seeds, results, workspace);
    }
}

/// <summary>
/// The sparse Hessian of a scalar tape (nonlinear interactions only), by one Hessian-vector sweep per color of a symmetric coloring.
/// </summary>
public sealed class SparseHessian : SparseDerivative
{
    /// <summary>Finds the pattern and colors its columns (a star coloring where it needs fewer colors).</summary>
    /// <exception cref="InvalidOperationException">The tape has more than one output.</exception>
    /// <exception cref="Hybrid.Symbolic.LimitExceededException">The pattern passes <see cref="SparsityPattern.MaxNonzeros"/>.</exception>
    public SparseHessian(Tape tape, CancellationToken cancellationToken = default) : this(tape, Colored(tape, cancellationToken)) { }

    private SparseHessian(Tape tape, (SparsityPattern Pattern, Coloring Coloring) found)
        : base(tape, found.Pattern, found.Coloring, found.Coloring.IsSymmetric ? Recovery.OfSymmetric(found.Pattern, found.Coloring) : Recovery.OfColumns(found.Pattern, found.Coloring)) { }

    private static (SparsityPattern, Coloring) Colored(Tape tape, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(tape);
        var pattern = tape.HessianPattern(cancellationToken);
        return (pattern, Coloring.Symmetric(pattern, cancellationToken));
    }

    private protected override int SeedLength => Tape.InputCount;
    private protected override int ResultLength => Tape.InputCount;
    // The first-order adjoints are the same for every color: swept once per worker.
    private protected override void Prepare(Workspace workspace) => Tape.FirstOrderAdjoints(workspace);
    // The colors of a worker go through the second-order sweep together, as many as its memory block allows.
    private protected override int BlockSize(int colorsPerWorker) => Tape.DirectionBlock(colorsPerWorker);
    private protected override void Products(int count, ReadOnlySpan<double> seeds, Span<double> results, Workspace workspace) =>
        Tape.SecondOrderDirections(count, seeds, results, workspace);
}

internal static class Compressed
{
    public delegate void Products(int count, ReadOnlySpan<double> seeds, Span<double> results, Workspace workspace);

    // One forward sweep per worker, then the products for its blocks of colors; each color's non-zeros are written by one worker only.
    public static void Run(Tape tape, ConcurrentBag<Workspace> workspaces, double[] point, Recovery recovery, double[] values, int seedLength, int resultLength,
        Products products, Action<Workspace> prepare, Func<int, int> blockSize)
    {
        int colors = recovery.Seeds.Length;
        if (colors == 0) return;   // no non-zeros (a linear function's Hessian)
        // Small work runs on the calling thread: below about a million instruction visits, starting workers (and one
        // forward sweep each) costs more than it saves.
        int workers = (long)colors * tape.Length < 1_000_000 ? 1 : Math.Min(colors, Environment.ProcessorCount);
        int size = blockSize((colors + workers - 1) / workers);
        int blocks = (colors + size - 1) / size;
        if (workers == 1)
        {
            var workspace = Prepared();
            var (seeds, results) = (new double[seedLength * size], new double[resultLength * size]);
            for (int b = 0; b < blocks; b++) Block(b, seeds, results, workspace);
            workspaces.Add(workspace);
            return;
        }
        Parallel.For(0, blocks, new ParallelOptions { MaxDegreeOfParallelism = workers },
            () => (workspace: Prepared(), seeds: new double[seedLength * size], results: new double[resultLength * size]),
            (b, _, local) =>
            {
                Block(b, local.seeds, local.results, local.workspace);
                return local;
            },
            local => workspaces.Add(local.workspace));

        Workspace Prepared()
        {
            var workspace = workspaces.TryTake(out var w) ? w : tape.CreateWorkspace();
            tape.ForwardWithPartials(point, workspace);
            prepare(workspace);
            return workspace;
        }

        // The products with the indicators of block b's colors, their non-zeros written where the recovery says.
        void Block(int b, double[] seeds, double[] results, Workspace workspace)
        {
            int first = b * size, count = Math.Min(size, colors - first);
            for (int c = 0; c < count; c++)
                foreach (int k in recovery.Seeds[first + c]) seeds[k * count + c] = 1;
            products(count, seeds.AsSpan(0, seedLength * count), results.AsSpan(0, resultLength * count), workspace);
            Array.Clear(seeds);
            for (int c = 0; c < count; c++)
            {
                var (positions, components) = (recovery.Positions[first + c], recovery.Components[first + c]);
                for (int t = 0; t < positions.Length; t++) values[positions[t]] = results[components[t] * count + c];
            }
        }
    }
}
