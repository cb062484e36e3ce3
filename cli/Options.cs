// Options shared by several commands, declared once so their names, help and parsing agree.
using System.CommandLine;

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

    /// <summary>The EXPR argument.</summary>
    public static Argument<string> Expression() => new("EXPR") { Description = "An expression, e.g. \"sin(x)*x^2\" (quote it for the shell)." };
}
