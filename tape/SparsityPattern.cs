// Where a Jacobian or Hessian can be non-zero: compressed sparse rows of column indices, sorted within
// each row, no values. Built once per tape (Tape.JacobianPattern, Tape.HessianPattern), it decides the
// coloring and the layout of every sparse derivative evaluated later.
using Hybrid.Symbolic;
using MathNet.Numerics.LinearAlgebra.Double;

namespace Hybrid.Tapes;

/// <summary>The structural non-zeros of a matrix, in compressed sparse row form (sorted column indices per row).</summary>
public sealed class SparsityPattern
{
    /// <summary>The most non-zeros a pattern may hold (2^27: half a gigabyte of indices, values beside them as much again).</summary>
    public const long MaxNonzeros = 1L << 27;

    private readonly int[] rowPointers;
    private readonly int[] columnIndices;

    internal SparsityPattern(int rowCount, int columnCount, int[] rowPointers, int[] columnIndices)
    {
        (RowCount, ColumnCount, this.rowPointers, this.columnIndices) = (rowCount, columnCount, rowPointers, columnIndices);
    }

    /// <summary>The number of rows (outputs of a Jacobian; inputs of a Hessian).</summary>
    public int RowCount { get; }

    /// <summary>The number of columns (inputs).</summary>
    public int ColumnCount { get; }

    /// <summary>The number of structural non-zeros.</summary>
    public int NonzeroCount => columnIndices.Length;

    /// <summary>The columns of row <paramref name="row"/> that may be non-zero, ascending.</summary>
    public ReadOnlySpan<int> Row(int row) => columnIndices.AsSpan(rowPointers[row], rowPointers[row + 1] - rowPointers[row]);

    /// <summary>Where row <paramref name="row"/> starts in the compressed arrays (<see cref="ToSparseMatrix"/>'s value order).</summary>
    public int RowStart(int row) => rowPointers[row];

    /// <summary>True when entry (row, column) may be non-zero.</summary>
    public bool Contains(int row, int column) => Row(row).BinarySearch(column) >= 0;

    /// <summary>The transpose: column j of this pattern as row j.</summary>
    public SparsityPattern Transpose()
    {
        var counts = new int[ColumnCount + 1];
        foreach (int j in columnIndices) counts[j + 1]++;
        for (int j = 0; j < ColumnCount; j++) counts[j + 1] += counts[j];
        var next = (int[])counts.Clone();
        var rows = new int[columnIndices.Length];
        for (int i = 0; i < RowCount; i++)
            foreach (int j in Row(i)) rows[next[j]++] = i;   // rows ascend within each column: i ascends
        return new SparsityPattern(ColumnCount, RowCount, counts, rows);
    }

    /// <summary>A MathNet sparse (CSR) matrix with this pattern, holding <paramref name="values"/> in row order (1 where none are given).</summary>
    /// <exception cref="ArgumentException"><paramref name="values"/> does not have one entry per non-zero.</exception>
    public SparseMatrix ToSparseMatrix(double[]? values = null)
    {
        values ??= Enumerable.Repeat(1.0, NonzeroCount).ToArray();
        if (values.Length != NonzeroCount) throw new ArgumentException($"{values.Length} values for a pattern of {NonzeroCount} non-zeros.", nameof(values));
        return new SparseMatrix(MathNet.Numerics.LinearAlgebra.Storage.SparseCompressedRowMatrixStorage<double>.OfCompressedSparseRowFormat(
            RowCount, ColumnCount, NonzeroCount, (int[])rowPointers.Clone(), (int[])columnIndices.Clone(), values));
    }

    /// <summary>"m×n, k non-zeros (d %)".</summary>
    public override string ToString() =>
        $"{RowCount}×{ColumnCount}, {NonzeroCount} non-zeros ({100.0 * NonzeroCount / Math.Max(1.0, (double)RowCount * ColumnCount):G3} %)";

    /// <summary>A pattern from unsorted (row, column) pairs, duplicates merged (callers bound the count with CheckSize first).</summary>
    internal static SparsityPattern FromPairs(int rowCount, int columnCount, List<int> rows, List<int> columns)
    {
        var counts = new int[rowCount + 1];
        foreach (int i in rows) counts[i + 1]++;
        for (int i = 0; i < rowCount; i++) counts[i + 1] += counts[i];
        var next = (int[])counts.Clone();
        var bucketed = new int[rows.Count];
        for (int p = 0; p < rows.Count; p++) bucketed[next[rows[p]]++] = columns[p];
        // Sort and deduplicate each row in place, then compact.
        var pointers = new int[rowCount + 1];
        int write = 0;
        for (int i = 0; i < rowCount; i++)
        {
            var row = bucketed.AsSpan(counts[i], counts[i + 1] - counts[i]);
            row.Sort();
            pointers[i] = write;
            for (int k = 0; k < row.Length; k++)
                if (k == 0 || row[k] != row[k - 1]) bucketed[write++] = row[k];
        }
        pointers[rowCount] = write;
        return new SparsityPattern(rowCount, columnCount, pointers, bucketed[..write]);
    }

    internal static void CheckSize(long nonzeros, string what)
    {
        if (nonzeros > MaxNonzeros)
            throw new LimitExceededException($"The {what} has more than {MaxNonzeros} structural non-zeros (SparsityPattern.MaxNonzeros): it is not sparse enough to store; use Hessian-vector or Jacobian-vector products instead.", "MaxPatternNonzeros");
    }
}
