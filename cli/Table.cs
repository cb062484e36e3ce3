// Plain-text tables for people: columns padded to their widest cell, two spaces apart.
namespace Hybrid.Cli;

/// <summary>Renders rows as aligned columns.</summary>
public static class Table
{
    /// <summary>The header and rows, one line each, trailing spaces trimmed.</summary>
    public static string Render(string[] header, IEnumerable<string[]> rows)
    {
        var all = rows.Prepend(header).ToList();
        var widths = Enumerable.Range(0, header.Length).Select(c => all.Max(r => r[c].Length)).ToArray();
        return string.Concat(all.Select(r => string.Join("  ", r.Select((cell, c) => cell.PadRight(widths[c]))).TrimEnd() + Environment.NewLine));
    }
}
