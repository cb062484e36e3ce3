// Options shared by several commands, declared once so their names, help and parsing agree.
using System.CommandLine;
using Hybrid.Symbolic;

namespace Hybrid.Cli;

/// <summary>The options several commands take.</summary>
public static class Options
{
    /// <summary>--json: machine-readable output (one JSON object), on every command. A new instance per root: an option records its parents.</summary>
    public static Option<bool> Json() => new("--json") { Description = "Write the result as one JSON object.", Recursive = true };

    /// <summary>--timeout SECONDS: a time budget for the long transforms (Simplify, Expand), or for each request of serve.</summary>
    public static Option<double?> Timeout(string description) => new("--timeout") { Description = description };

    /// <summary>The --timeout given, as a span; null when absent. Not positive, or past a day: a <see cref="UsageException"/>.</summary>
    public static TimeSpan? TimeoutOf(ParseResult parse, Option<double?> option) =>
        parse.GetValue(option) is { } seconds ? Seconds(seconds, "--timeout") : null;

    /// <summary>A time budget of <paramref name="seconds"/>; not above 0, or past a day: a <see cref="UsageException"/> naming <paramref name="name"/>.</summary>
    public static TimeSpan Seconds(double seconds, string name) => seconds is > 0 and <= 86_400
        ? TimeSpan.FromSeconds(seconds)
        : throw new UsageException($"{name} {seconds} is out of range: give seconds above 0, at most 86400 (a day).");

    /// <summary>Whether --json was given.</summary>
    public static bool IsJson(ParseResult parse) => parse.GetValue<bool>("--json");

    /// <summary>--format infix|latex|csharp.</summary>
    public static Option<string> Format()
    {
        var format = new Option<string>("--format") { Description = "How expressions are printed: infix, latex or csharp.", DefaultValueFactory = _ => "infix" };
        format.AcceptOnlyFromAmong("infix", "latex", "csharp");
        return format;
    }

    /// <summary>--wrt NAME, repeatable.</summary>
    public static Option<string[]> Wrt(string description) => new("--wrt") { Description = description, AllowMultipleArgumentsPerToken = false };

    /// <summary>--at x=1.5,y=2 (required).</summary>
    public static Option<string> At() => new("--at") { Description = "The point: name=value pairs separated by commas; a value may be a constant expression (pi/4).", Required = true };

    /// <summary>--assume, repeatable: what a variable is (x>0, x>=0, x!=0, n:integer, ...).</summary>
    public static Option<string[]> Assume() => new("--assume")
    {
        Description = "An assumption on a variable, repeatable: x>0 (positive), x>=0 (nonnegative), x!=0 (nonzero), or NAME:positive|nonnegative|nonzero|integer|real.",
        AllowMultipleArgumentsPerToken = false,
    };

    /// <summary>The expression with the --assume given applied to its symbols (flags of one name combine).</summary>
    public static Expr Assuming(Expr e, IEnumerable<string>? assumptions)
    {
        foreach (var (name, flags) in Parse(assumptions ?? []).GroupBy(a => a.Name).Select(g => (g.Key, g.Aggregate(Assumptions.Real, (f, a) => f | a.Flags))))
            e = e.Assume(name, flags);
        return e;
    }

    private static IEnumerable<(string Name, Assumptions Flags)> Parse(IEnumerable<string> assumptions)
    {
        foreach (var text in assumptions)
        {
            var t = text.Replace(" ", "");
            (string, Assumptions)? parsed =
                t.EndsWith(">=0") ? (t[..^3], Assumptions.Nonnegative)
                : t.EndsWith("!=0") ? (t[..^3], Assumptions.Nonzero)
                : t.EndsWith(">0") ? (t[..^2], Assumptions.Positive)
                : t.Split(':') is [var name, var kind] && Enum.TryParse<Assumptions>(kind, ignoreCase: true, out var flags) && Enum.IsDefined(flags) ? (name, flags)
                : null;
            if (parsed is not var (n, f) || !Expr.IsIdentifierName(n))
                throw new UsageException($"--assume {text} is not an assumption: give x>0, x>=0, x!=0 or NAME:positive|nonnegative|nonzero|integer|real.");
            yield return (n, f);
        }
    }

    /// <summary>The EXPR argument.</summary>
    public static Argument<string> Expression() => new("EXPR") { Description = "An expression, e.g. \"sin(x)*x^2\" (quote it for the shell)." };
}
