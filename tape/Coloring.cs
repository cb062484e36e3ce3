// Coloring for compressed derivatives (Curtis–Powell–Reid; Gebremedhin, Manne and Pothen, "What color is your
// Jacobian?", 2005). Columns that share no row may share a color: one Jacobian-vector (or Hessian-vector)
// product with the indicator of a color's columns gives each of their non-zeros unmixed, so a Jacobian with
// few non-zeros per row costs a few products instead of one per column. Rows likewise for vector-Jacobian
// products. Greedy, largest degree first, which colors bands and grids with about the optimum count. For a
// symmetric matrix (a Hessian) a star coloring needs fewer colors: adjacent columns differ and every path on
// four vertices has at least three colors, so each non-zero (i, j) is unmixed in column j's product at row i or
// in column i's product at row j (Gebremedhin, Manne, Pothen, section 4); every star coloring made here is
// checked for that, entry by entry, and a distance-2 coloring is used where the check fails.
namespace Hybrid.Tapes;

/// <summary>A partition of a pattern's columns (or rows) into groups that share no row (no column).</summary>
public sealed class Coloring
{
    private readonly int[] colors;

    private Coloring(int[] colors, int count, bool ofRows, bool symmetric = false) => (this.colors, Count, OfRows, IsSymmetric) = (colors, count, ofRows, symmetric);

    /// <summary>The number of colors: the number of products a compressed evaluation costs.</summary>
    public int Count { get; }

    /// <summary>True when rows are colored (reverse mode: one vector-Jacobian product per color); false for columns.</summary>
    public bool OfRows { get; }

    /// <summary>True for a star coloring of a symmetric pattern: an entry may be read from its transpose's product.</summary>
    public bool IsSymmetric { get; }

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

    /// <summary>
    /// A coloring of the columns of a symmetric pattern (a Hessian's): a star coloring — each non-zero recovered from its own
    /// column's product or from its transpose's — where that needs fewer colors than <see cref="Columns"/>, else that one.
    /// </summary>
    /// <exception cref="ArgumentException">The pattern is not square.</exception>
    public static Coloring Symmetric(SparsityPattern pattern, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(pattern);
        if (pattern.RowCount != pattern.ColumnCount) throw new ArgumentException($"A symmetric coloring needs a square pattern; this one is {pattern}.", nameof(pattern));
        // The star coloring when it is valid and uses fewer colors; else the distance-2 one (better where the diagonal
        // is structurally zero: x·y needs 2 star colors, 1 distance-2 color).
        var columns = new Coloring(Greedy(pattern, pattern, cancellationToken, out int columnCount), columnCount, ofRows: false);   // symmetric: its own transpose
        var star = Star(pattern, columnCount, cancellationToken, out int count);
        return star is not null && Recoverable(pattern, star, count) ? new Coloring(star, count, ofRows: false, symmetric: true) : columns;
    }

    /// <summary>"k colors of rows" / "k colors of columns" / "k colors of columns (star)".</summary>
    public override string ToString() => $"{Count} color{(Count == 1 ? "" : "s")} of {(OfRows ? "rows" : "columns")}{(IsSymmetric ? " (star)" : "")}";

    // Greedy star coloring in the order of decreasing degree. For a vertex v: its neighbors' colors are out; through a
    // colored neighbor w of color a, the color of a vertex x next to w is out when v already has another neighbor of
    // color a (u-v-w-x would alternate) or x has another neighbor of color a (v-w-x-y would). The result is checked.
    // Null as soon as it would need limit colors (a coloring at least as good is in hand).
    private static int[]? Star(SparsityPattern graph, int limit, CancellationToken cancellationToken, out int count)
    {
        int n = graph.ColumnCount;
        var color = new int[n];
        Array.Fill(color, -1);
        var order = ByDecreasingDegree(graph);
        var forbidden = new List<int>();
        var seen = new List<int>();   // seen[c] == v: v has a neighbor of color c already
        var twice = new List<int>();  // twice[c] == v: v has two neighbors of color c
        void Grow(int c) { while (forbidden.Count <= c) { forbidden.Add(-1); seen.Add(-1); twice.Add(-1); } }
        count = 0;
        for (int t = 0; t < n; t++)
        {
            if ((t & 1023) == 0) cancellationToken.ThrowIfCancellationRequested();
            int v = order[t];
            foreach (int w in graph.Row(v))
            {
                if (w == v || color[w] < 0) continue;
                int a = color[w];
                Grow(a);
                forbidden[a] = v;
                if (seen[a] == v) twice[a] = v; else seen[a] = v;
            }
            foreach (int w in graph.Row(v))
            {
                if (w == v || color[w] < 0) continue;
                int a = color[w];
                foreach (int x in graph.Row(w))
                {
                    if (x == v || x == w || color[x] < 0) continue;
                    if (twice[a] == v) { forbidden[color[x]] = v; continue; }
                    foreach (int y in graph.Row(x))
                        if (y != w && y != x && color[y] == a) { forbidden[color[x]] = v; break; }
                }
            }
            int c = 0;
            while (c < forbidden.Count && forbidden[c] == v) c++;
            if (c + 1 >= limit) return null;
            Grow(c);
            color[v] = c;
            count = Math.Max(count, c + 1);
        }
        return color;
    }

    // Every non-zero (i, j) is alone in its row among its column's color, or (j, i) is: then the products recover it.
    private static bool Recoverable(SparsityPattern pattern, int[] color, int count)
    {
        var alone = RowColorCounts(pattern, color, count);
        for (int i = 0; i < pattern.RowCount; i++)
        {
            var row = pattern.Row(i);
            for (int t = 0; t < row.Length; t++)
                if (alone[pattern.RowStart(i) + t] != 1 && TransposeCount(pattern, alone, i, row[t]) != 1) return false;
        }
        return true;
    }

    /// <summary>For each non-zero (i, j), in row order: how many columns of row i have the color of column j.</summary>
    internal static int[] RowColorCounts(SparsityPattern pattern, IReadOnlyList<int> color, int count)
    {
        var result = new int[pattern.NonzeroCount];
        var tally = new int[count];
        for (int i = 0; i < pattern.RowCount; i++)
        {
            var row = pattern.Row(i);
            foreach (int j in row) tally[color[j]]++;
            for (int t = 0; t < row.Length; t++) result[pattern.RowStart(i) + t] = tally[color[row[t]]];
            foreach (int j in row) tally[color[j]] = 0;
        }
        return result;
    }

    /// <summary>The row-color count of the transposed entry (j, i); 0 when the pattern lacks it.</summary>
    internal static int TransposeCount(SparsityPattern pattern, int[] counts, int i, int j)
    {
        int k = pattern.Row(j).BinarySearch(i);
        return k < 0 ? 0 : counts[pattern.RowStart(j) + k];
    }

    // Colors the columns of pattern, given its transpose (column j's rows); returns the color per column.
    private static int[] Greedy(SparsityPattern pattern, SparsityPattern transpose, CancellationToken cancellationToken, out int count)
    {
        int n = pattern.ColumnCount;
        var color = new int[n];
        Array.Fill(color, -1);
        var order = ByDecreasingDegree(transpose);
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

    // The rows of a pattern by decreasing length, ties in increasing order (a counting sort: linear in the rows).
    private static int[] ByDecreasingDegree(SparsityPattern pattern)
    {
        int maxDegree = 0;
        for (int j = 0; j < pattern.RowCount; j++) maxDegree = Math.Max(maxDegree, pattern.Row(j).Length);
        var starts = new int[maxDegree + 2];
        for (int j = 0; j < pattern.RowCount; j++) starts[maxDegree - pattern.Row(j).Length + 1]++;
        for (int d = 0; d <= maxDegree; d++) starts[d + 1] += starts[d];
        var order = new int[pattern.RowCount];
        for (int j = 0; j < pattern.RowCount; j++) order[starts[maxDegree - pattern.Row(j).Length]++] = j;
        return order;
    }
}
