// Coloring for compressed derivatives (Curtis–Powell–Reid; Gebremedhin, Manne and Pothen, "What color is your
// Jacobian?", 2005). Columns that share no row may share a color: one Jacobian-vector (or Hessian-vector)
// product with the indicator of a color's columns gives each of their non-zeros unmixed, so a Jacobian with
// few non-zeros per row costs a few products instead of one per column. Rows likewise for vector-Jacobian
// products. Greedy, largest degree first, which colors bands and grids with about the optimum count.
namespace Hybrid.Tapes;

/// <summary>A partition of a pattern's columns (or rows) into groups that share no row (no column).</summary>
public sealed class Coloring
{
    private readonly int[] colors;

    private Coloring(int[] colors, int count, bool ofRows) => (this.colors, Count, OfRows) = (colors, count, ofRows);

    /// <summary>The number of colors: the number of products a compressed evaluation costs.</summary>
    public int Count { get; }

    /// <summary>True when rows are colored (reverse mode: one vector-Jacobian product per color); false for columns.</summary>
    public bool OfRows { get; }

    /// <summary>The color of each column (or row).</summary>
    public IReadOnlyList<int> Colors => colors;

    /// <summary>Columns that share no row get the same color (distance-2 coloring of the column intersection graph).</summary>
    public static Coloring Columns(SparsityPattern pattern, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(pattern);
        return new Coloring(Greedy(pattern, pattern.Transpose(), cancellationToken, out int count), count, ofRows: false);
    }

    /// <summary>Rows that share no column get the same color.</summary>
    public static Coloring Rows(SparsityPattern pattern, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(pattern);
        return new Coloring(Greedy(pattern.Transpose(), pattern, cancellationToken, out int count), count, ofRows: true);
    }

    /// <summary>"k colors of rows" / "k colors of columns".</summary>
    public override string ToString() => $"{Count} color{(Count == 1 ? "" : "s")} of {(OfRows ? "rows" : "columns")}";

    // Colors the columns of pattern, given its transpose (column j's rows); returns the color per column.
    private static int[] Greedy(SparsityPattern pattern, SparsityPattern transpose, CancellationToken cancellationToken, out int count)
    {
        int n = pattern.ColumnCount;
        var color = new int[n];
        Array.Fill(color, -1);
        var order = Enumerable.Range(0, n).OrderByDescending(j => transpose.Row(j).Length).ToArray();
        var forbidden = new List<int>();   // forbidden[c] == j: color c is used by a column sharing a row with j
        count = 0;
        for (int t = 0; t < n; t++)
        {
            if ((t & 1023) == 0) cancellationToken.ThrowIfCancellationRequested();
            int j = order[t];
            foreach (int row in transpose.Row(j))
                foreach (int k in pattern.Row(row))
                    if (color[k] >= 0) forbidden[color[k]] = j;
            int c = 0;
            while (c < forbidden.Count && forbidden[c] == j) c++;
            if (c == forbidden.Count) forbidden.Add(-1);
            color[j] = c;
            count = Math.Max(count, c + 1);
        }
        return color;
    }
}
