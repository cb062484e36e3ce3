// The parser's one exception: where (1-based column) and what, with the offending line and a caret.
namespace Hybrid.Symbolic;

/// <summary>Text that is not an expression. <see cref="Exception.Message"/> shows the text with a caret under the column.</summary>
public sealed class ParseException : FormatException
{
    internal ParseException(string reason, string text, int column)
        : base($"{reason} (column {column})\n{Excerpt(text, column)}")
    {
        Reason = reason;
        Column = column;
    }

    /// <summary>What is wrong, without the position.</summary>
    public string Reason { get; }

    /// <summary>The 1-based column where the problem is.</summary>
    public int Column { get; }

    // A window of the text around the column, so a 10 MB input still yields a readable message.
    private static string Excerpt(string text, int column)
    {
        const int window = 40;
        int start = Math.Max(0, column - 1 - window);
        int end = Math.Min(text.Length, column - 1 + window);
        string prefix = start > 0 ? "..." : "";
        string line = prefix + text[start..end] + (end < text.Length ? "..." : "");
        return "  " + line + "\n  " + new string(' ', prefix.Length + column - 1 - start) + "^";
    }
}
