// The `hybrid` command line: System.CommandLine parses, each command's action writes to the
// Terminal, and errors become exit codes — 2 for anything wrong with the input (usage, parse errors
// with their caret line, unknown names, limits), 1 for a failed check, 0 otherwise.
using System.CommandLine;
using Hybrid.Symbolic;

namespace Hybrid.Cli;

/// <summary>Builds and runs the <c>hybrid</c> command.</summary>
public static class Cli
{
    /// <summary>Exit code of a run that did what was asked.</summary>
    public const int Success = 0;

    /// <summary>Exit code of a check that found a mismatch.</summary>
    public const int CheckFailed = 1;

    /// <summary>Exit code of a command line or input that cannot be carried out.</summary>
    public const int UsageError = 2;

    /// <summary>Runs one command line against <paramref name="terminal"/> and returns the exit code.</summary>
    public static int Run(string[] args, Terminal terminal)
    {
        ArgumentNullException.ThrowIfNull(args);
        var parse = Build(terminal).Parse(args);
        bool json = args.Contains("--json");   // read from the text: a command line with errors has no parsed values
        if (parse.Errors.Count > 0)
        {
            string command = parse.CommandResult.Command is RootCommand ? "" : parse.CommandResult.Command.Name + " ";
            string help = $"Run 'hybrid {command}--help' for usage and an example.";
            if (json) return JsonError(terminal, string.Join(" ", parse.Errors.Select(e => e.Message)) + " " + help);
            foreach (var error in parse.Errors) terminal.Error.WriteLine($"error: {error.Message}");
            terminal.Error.WriteLine(help);
            return UsageError;
        }
        try
        {
            return parse.Invoke(new InvocationConfiguration { Output = terminal.Out, Error = terminal.Error, EnableDefaultExceptionHandler = false });
        }
        catch (Exception e) when (e is UsageException or FormatException or ArgumentException or ArithmeticException or InvalidOperationException or IOException)
        {
            if (json) return JsonError(terminal, e is ParseException p ? p.Reason : e.Message, (e as ParseException)?.Column, (e as LimitExceededException)?.Limit);
            // A ParseException's message carries the column and a caret line under the offending text.
            terminal.Error.WriteLine($"error: {e.Message}");
            return UsageError;
        }
        finally
        {
            try { terminal.Out.Flush(); }
            catch (IOException) { /* the reader closed standard output; the exit code says so already */ }
        }
    }

    // With --json an error is one JSON object on standard error — the message, the column of a parse error,
    // the limit that was met, the exit code (unchanged: 2) — so a script parses failures as it parses results.
    private static int JsonError(Terminal terminal, string message, int? column = null, string? limit = null)
    {
        var error = new System.Text.Json.Nodes.JsonObject { ["error"] = message };
        if (column is { } c) error["column"] = c;
        if (limit is not null) error["limit"] = limit;
        error["exitCode"] = UsageError;
        terminal.Error.WriteLine(Json.Line(error));
        return UsageError;
    }

    /// <summary>The root command with every subcommand.</summary>
    public static RootCommand Build(Terminal terminal)
    {
        var root = new RootCommand("Hybrid: exact symbolic derivatives and fast tape-based gradients.\n\nExample:\n  hybrid diff \"sin(x)*x^2\" --wrt x");
        root.Options.Add(Options.Json());
        foreach (var command in new[]
                 {
                     AlgebraCommands.Diff(terminal), AlgebraCommands.Simplify(terminal), AlgebraCommands.Expand(terminal),
                     AlgebraCommands.Together(terminal), AlgebraCommands.Cancel(terminal), AlgebraCommands.Factor(terminal),
                     AlgebraCommands.Apart(terminal), AlgebraCommands.Collect(terminal), AlgebraCommands.Fraction(terminal),
                     AlgebraCommands.Gcd(terminal), AlgebraCommands.Lcm(terminal), AlgebraCommands.Div(terminal),
                     NumericCommands.Eval(terminal), NumericCommands.Grad(terminal), NumericCommands.Hessian(terminal), SparseCommands.Jacobian(terminal),
                     CheckCommand.Create(terminal), EqualCommand.Create(terminal), AlgebraCommands.Tape(terminal), PlotCommand.Create(terminal),
                     CodegenCommand.Create(terminal), DemoCommand(terminal), ServeCommand.Create(terminal),
                 })
            root.Subcommands.Add(command);
        return root;
    }

    private static Command DemoCommand(Terminal terminal)
    {
        var demo = new Command("demo", "The d2l automatic-differentiation walkthrough, step by step (Tensor, trace, symbolic and tape side by side), then a tour of exact derivatives.\n\nExample:\n  hybrid demo");
        demo.SetAction(_ =>
        {
            Demo.Run(terminal.Out);
            return Success;
        });
        return demo;
    }

    /// <summary>The most nodes an expression may have, written out as a tree, for a command to print it (about 2.5 MB of text).</summary>
    public const long MaxPrintedNodes = 1_000_000;

    /// <summary>An expression printed in the chosen format; one past <see cref="MaxPrintedNodes"/> is a usage error naming its size.</summary>
    public static string Render(Expr e, string format)
    {
        long size = e.TreeSize();
        if (size > MaxPrintedNodes)
            throw new UsageException($"The result has {size} nodes when written out as a tree ({e.DagSize()} distinct): more than the {MaxPrintedNodes} a command prints. "
                                     + "Ask for less (a lower --order), or see it shared with 'hybrid tape'.");
        return format switch
        {
            "latex" => e.ToLatex(),
            "csharp" => e.ToCSharp(),
            _ => e.ToString(),
        };
    }

    /// <summary>The expression as infix text, or its size when it is too large to print (for a table column or a legend).</summary>
    public static string Summary(Expr e) => e.TreeSize() <= MaxPrintedNodes ? e.ToString() : $"({e.TreeSize()} nodes as a tree)";
}
