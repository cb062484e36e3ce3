// "Did you mean": the nearest known name to a misspelt one, for the parser's unknown functions and
// the CLI's unknown variables. Edit distance with adjacent transpositions (atna2 → atan2 is one edit);
// a difference only in case counts as none (Sin → sin). Short names allow one edit, names of five or
// more letters two, so foo suggests nothing rather than cos. Ties go to the longer common prefix
// (sinn → sin, not sign), then to the name.
namespace Hybrid.Symbolic;

internal static class Spelling
{
    /// <summary>The candidate nearest to <paramref name="name"/>, or null when none is near enough.</summary>
    public static string? Closest(string name, IEnumerable<string> candidates)
    {
        int allowed = name.Length >= 5 ? 2 : 1;
        return candidates.Where(c => c != name)
            .Select(c => (Name: c, Distance: Distance(name, c), Prefix: CommonPrefix(name, c)))
            .Where(c => c.Distance <= allowed)
            .OrderBy(c => c.Distance).ThenByDescending(c => c.Prefix).ThenBy(c => c.Name, StringComparer.Ordinal)
            .FirstOrDefault().Name;
    }

    /// <summary>" Did you mean y?" when a candidate is near, else "".</summary>
    public static string DidYouMean(string name, IEnumerable<string> candidates) =>
        Closest(name, candidates) is { } near ? $" Did you mean {near}?" : "";

    private static int CommonPrefix(string a, string b)
    {
        int n = 0;
        while (n < a.Length && n < b.Length && a[n] == b[n]) n++;
        return n;
    }

    // Optimal string alignment distance (Levenshtein plus adjacent transpositions), three rows.
    private static int Distance(string a, string b)
    {
        if (string.Equals(a, b, StringComparison.OrdinalIgnoreCase)) return 0;
        var (before, previous, current) = (new int[b.Length + 1], Enumerable.Range(0, b.Length + 1).ToArray(), new int[b.Length + 1]);
        for (int i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (int j = 1; j <= b.Length; j++)
            {
                current[j] = Math.Min(Math.Min(current[j - 1], previous[j]) + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) current[j] = Math.Min(current[j], before[j - 2] + 1);
            }
            (before, previous, current) = (previous, current, before);
        }
        return previous[b.Length];
    }
}
