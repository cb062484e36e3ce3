// What the conjugate gradients of TrustRegionNewtonCG multiply by and precondition with, on plain arrays: a
// million-variable solve takes thousands of products, and MathNet's operators allocate a vector per call.
// The sparse product reads the CSR storage directly (on all cores for big matrices); the incomplete Cholesky
// factor keeps the Hessian's own pattern (IC(0): no fill, so O(non-zeros) memory and time), shifted by a
// multiple of the diagonal until every pivot is positive (Lin and Moré, "Incomplete Cholesky factorizations
// with limited memory", 1999), since a Hessian far from the minimum need not be positive definite.
using MathNet.Numerics.LinearAlgebra;
using MathNet.Numerics.LinearAlgebra.Storage;

namespace Hybrid.Numerics;

/// <summary>How <see cref="TrustRegionNewtonCG"/> preconditions its conjugate gradients (the trust region is then measured in the preconditioner's norm).</summary>
public enum CGPreconditioner
{
    /// <summary>None: plain Steihaug conjugate gradients in a Euclidean ball.</summary>
    None,

    /// <summary>The Hessian's diagonal (absolute values, 1 where zero): cheap; helps when variables are scaled very differently.</summary>
    Diagonal,

    /// <summary>
    /// Incomplete Cholesky without fill, IC(0), of a sparse Hessian, shifted by a multiple of its diagonal until positive
    /// (a dense Hessian gets <see cref="Diagonal"/>): far fewer products on discretized problems, at the cost of two
    /// triangular solves per product.
    /// </summary>
    IncompleteCholesky,
}

// y = H·x on arrays.
internal sealed class HessianOperator
{
    private readonly Matrix<double> matrix;
    private readonly SparseCompressedRowMatrixStorage<double>? csr;

    public HessianOperator(Matrix<double> matrix) => (this.matrix, csr) = (matrix, matrix.Storage as SparseCompressedRowMatrixStorage<double>);

    public void Multiply(double[] x, double[] y)
    {
        if (csr is null) { matrix.Multiply(Vector<double>.Build.Dense(x), Vector<double>.Build.Dense(y)); return; }
        var (pointers, columns, values) = (csr.RowPointers, csr.ColumnIndices, csr.Values);
        void Rows(int from, int to)
        {
            for (int i = from; i < to; i++)
            {
                double sum = 0;
                for (int p = pointers[i]; p < pointers[i + 1]; p++) sum += values[p] * x[columns[p]];
                y[i] = sum;
            }
        }
        int n = csr.RowCount;
        const int block = 8192;
        // Below a few hundred thousand non-zeros, starting workers costs more than the product.
        if (pointers[n] < 1 << 18) Rows(0, n);
        else Parallel.For(0, (n + block - 1) / block, b => Rows(b * block, Math.Min(n, (b + 1) * block)));
    }
}

// y ≈ M⁻¹·r for a symmetric positive definite M close to the Hessian.
internal abstract class Preconditioner
{
    public abstract void Apply(double[] r, double[] y);

    public static Preconditioner? For(Matrix<double> hessian, CGPreconditioner kind) => kind switch
    {
        CGPreconditioner.None => null,
        CGPreconditioner.IncompleteCholesky when hessian.Storage is SparseCompressedRowMatrixStorage<double> csr => IncompleteCholesky.Factor(csr),
        CGPreconditioner.Diagonal or CGPreconditioner.IncompleteCholesky => new DiagonalScaling(hessian.Diagonal().Select(Scale).ToArray()),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Not a preconditioner."),
    };

    // A diagonal entry as a scale: its size, 1 where it is zero or not finite.
    protected static double Scale(double diagonal) => diagonal == 0 || !double.IsFinite(diagonal) ? 1 : Math.Abs(diagonal);
}

internal sealed class DiagonalScaling(double[] diagonal) : Preconditioner
{
    public override void Apply(double[] r, double[] y)
    {
        for (int i = 0; i < r.Length; i++) y[i] = r[i] / diagonal[i];
    }
}

// M = L·Lᵀ with L lower triangular on the lower triangle of the Hessian's pattern, L stored by rows.
internal sealed class IncompleteCholesky : Preconditioner
{
    private readonly int[] pointers, columns;   // row i of L: columns[pointers[i] .. pointers[i + 1]), ascending, the diagonal last
    private readonly double[] values;

    private IncompleteCholesky(int[] pointers, int[] columns, double[] values) => (this.pointers, this.columns, this.values) = (pointers, columns, values);

    /// <summary>
    /// The most multiply-adds all tries of the factorization may take (about a second): IC(0) costs Σ over the lower
    /// entries (i, k) of the lengths of rows i and k — linear in the non-zeros for a sparse Hessian, but n³/3 for a nearly
    /// dense one stored sparse, which would run for minutes or hours. Past the budget the diagonal scaling is used.
    /// </summary>
    public const long MaxWork = 1_000_000_000;

    // The shift α (A + α·diag|A|) starts at 0, or where the diagonal alone is not positive, at 10⁻³, and doubles while a
    // pivot is not positive; after 30 tries (α ≈ 10⁶: the factor is then the scaled diagonal), the diagonal is used — as
    // it is when the tries would cost more than maxWork multiply-adds.
    public static Preconditioner Factor(SparseCompressedRowMatrixStorage<double> a, long maxWork = MaxWork)
    {
        int n = a.RowCount;
        var pointers = new int[n + 1];
        for (int i = 0; i < n; i++)
        {
            int count = 0;
            for (int p = a.RowPointers[i]; p < a.RowPointers[i + 1]; p++) if (a.ColumnIndices[p] < i) count++;
            pointers[i + 1] = pointers[i] + count + 1;
        }
        var columns = new int[pointers[n]];
        var diagonal = new double[n];
        var lower = new double[pointers[n]];
        for (int i = 0; i < n; i++)
        {
            int q = pointers[i];
            for (int p = a.RowPointers[i]; p < a.RowPointers[i + 1]; p++)
            {
                int j = a.ColumnIndices[p];
                if (j < i) { columns[q] = j; lower[q++] = a.Values[p]; }
                else if (j == i) diagonal[i] = a.Values[p];
            }
            columns[q] = i;
        }
        var scale = diagonal.Select(Scale).ToArray();
        double shift = diagonal.All(d => d > 0) ? 0 : 1e-3;
        var values = new double[columns.Length];
        long work = Work(pointers, columns), spent = 0;
        for (int attempt = 0; attempt < 30 && (spent += work) <= maxWork; attempt++, shift = Math.Max(2 * shift, 1e-3))
            if (TryFactor(pointers, columns, lower, diagonal, scale, shift, values)) return new IncompleteCholesky(pointers, columns, values);
        return new DiagonalScaling(scale);
    }

    // An upper bound on one try's multiply-adds: each lower entry (i, k) merges row i's entries before it with row k's.
    private static long Work(int[] pointers, int[] columns)
    {
        long work = 0;
        for (int i = 0; i < pointers.Length - 1; i++)
            for (int q = pointers[i]; q < pointers[i + 1] - 1; q++)
            {
                int k = columns[q];
                work += (q - pointers[i]) + (pointers[k + 1] - pointers[k]);
            }
        return work;
    }

    // Row by row: L[i,k] = (A[i,k] − Σ_j L[i,j]·L[k,j]) / L[k,k] over the columns j < k both rows hold, then
    // L[i,i] = √(A[i,i] + shift·scale[i] − Σ_j L[i,j]²); false at the first pivot that is not positive.
    private static bool TryFactor(int[] pointers, int[] columns, double[] lower, double[] diagonal, double[] scale, double shift, double[] l)
    {
        for (int i = 0; i < pointers.Length - 1; i++)
        {
            int start = pointers[i], end = pointers[i + 1] - 1;   // end: the diagonal's slot
            double pivot = diagonal[i] + shift * scale[i];
            for (int q = start; q < end; q++)
            {
                int k = columns[q];
                double sum = lower[q];
                // Σ over the columns rows i and k share below k: a merge of two ascending lists.
                int a = start, b = pointers[k], bEnd = pointers[k + 1] - 1;
                while (a < q && b < bEnd)
                {
                    if (columns[a] < columns[b]) a++;
                    else if (columns[a] > columns[b]) b++;
                    else sum -= l[a++] * l[b++];
                }
                l[q] = sum / l[bEnd];
                pivot -= l[q] * l[q];
            }
            if (!(pivot > 1e-12 * (diagonal[i] == 0 ? 1 : Math.Abs(diagonal[i])) * (1 + shift))) return false;
            l[end] = Math.Sqrt(pivot);
        }
        return true;
    }

    // Solve L·w = r, then Lᵀ·y = w (by rows of L: each solved unknown is subtracted from the rows above it).
    public override void Apply(double[] r, double[] y)
    {
        int n = pointers.Length - 1;
        for (int i = 0; i < n; i++)
        {
            double sum = r[i];
            int end = pointers[i + 1] - 1;
            for (int q = pointers[i]; q < end; q++) sum -= values[q] * y[columns[q]];
            y[i] = sum / values[end];
        }
        for (int i = n - 1; i >= 0; i--)
        {
            int end = pointers[i + 1] - 1;
            double yi = y[i] /= values[end];
            for (int q = pointers[i]; q < end; q++) y[columns[q]] -= values[q] * yi;
        }
    }
}
