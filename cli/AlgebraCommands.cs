// The exact commands: diff, simplify, expand, and tape (the lowered listing).
using System.CommandLine;
using System.Text.Json.Nodes;
using Hybrid.Symbolic;

namespace Hybrid.Cli;

/// <summary>diff, simplify, expand and tape.</summary>
public static class AlgebraCommands
{
    /// <summary><c>hybrid diff EXPR --wrt x [--wrt y] [--order n] [--simplify] [--format f]</c>.</summary>
    public static Command Diff(Terminal terminal)
    {
        var expression = Options.Expression();
        var wrt = Options.Wrt("A variable to differentiate by; repeat for several (one derivative each). Default: the expression's only variable.");
        var order = new Option<int>("--order") { Description = "Differentiate this many times (1 to 20).", DefaultValueFactory = _ => 1 };
        var simplify = new Option<bool>("--simplify") { Description = "Simplify each derivative." };
        var timeout = Options.Timeout($"With --simplify: the time budget of each simplification in seconds (default {Limits.SimplifyTimeout.TotalSeconds:0}); then the smallest form found is printed.");
        var format = Options.Format();
        var command = new Command("diff", "Exact derivative(s) of an expression.\n\nExamples:\n  hybrid diff \"sin(x)*x^2\" --wrt x\n  hybrid diff \"x^2*y\" --wrt x --wrt y --format latex")
            { expression, wrt, order, simplify, timeout, format };
        command.SetAction(parse =>
        {
            var f = Expr.Parse(parse.GetValue(expression)!);
            int n = parse.GetValue(order);
            if (n is < 1 or > 20) throw new UsageException($"--order {n} is out of range: give 1 to 20.");
            var variables = parse.GetValue(wrt) is { Length: > 0 } names ? names.Select(Inputs.Variable).ToArray() : [Inputs.OnlyVariable(f, "say which with --wrt")];
            string style = parse.GetValue(format)!;
            var derivatives = variables.Select(v =>
            {
                var d = Differentiate(f, v, n);
                return (Variable: v, Derivative: parse.GetValue(simplify) ? d.Simplify(timeout: Options.TimeoutOf(parse, timeout)) : d);
            }).ToList();
            if (Options.IsJson(parse))
            {
                var list = new JsonArray();
                foreach (var (v, d) in derivatives)
                    list.Add(new JsonObject { ["wrt"] = v.ToString(), ["order"] = n, ["derivative"] = Cli.Render(d, style) });
                terminal.Out.WriteLine(Json.Line(new JsonObject { ["expression"] = Cli.Render(f, style), ["derivatives"] = list }));
            }
            else if (derivatives.Count == 1) terminal.Out.WriteLine(Cli.Render(derivatives[0].Derivative, style));
            else
                foreach (var (v, d) in derivatives)
                    terminal.Out.WriteLine($"{Operator(v, n)}: {Cli.Render(d, style)}");
            return Cli.Success;
        });
        return command;
    }

    /// <summary>The most distinct nodes a derivative may reach before a higher order is refused.</summary>
    public const int MaxDerivativeNodes = 250_000;

    // One order at a time, so that expression swell (each order of exp(x·sin x·cos x) is 2.4 times the last)
    // stops at a limit with a message rather than running for minutes.
    private static Expr Differentiate(Expr f, Expr v, int order)
    {
        var d = f;
        for (int k = 1; k <= order; k++)
        {
            d = d.Differentiate(v);
            if (k < order && d.DagSize() > MaxDerivativeNodes)
                throw new UsageException($"The derivative of order {k} by {v} already has {d.DagSize()} distinct nodes, more than the limit of {MaxDerivativeNodes}: order {order} is out of reach.");
        }
        return d;
    }

    private static string Operator(Expr v, int order) => order == 1 ? $"d/d{v}" : $"d^{order}/d{v}^{order}";

    /// <summary><c>hybrid simplify EXPR</c>.</summary>
    public static Command Simplify(Terminal terminal) =>
        Rewrite(terminal, "simplify", "Simplify an expression (rational functions cancelled, trigonometric and log/exp identities, the smallest equal form found).\n\nExample:\n  hybrid simplify \"(x^2 - 1)/(x - 1)\"",
            $"The time budget in seconds (default {Limits.SimplifyTimeout.TotalSeconds:0}); then the smallest form found so far is printed.", (e, timeout) => e.Simplify(timeout: timeout));

    /// <summary><c>hybrid expand EXPR</c>.</summary>
    public static Command Expand(Terminal terminal) =>
        Rewrite(terminal, "expand", "Expand products and integer powers of sums.\n\nExample:\n  hybrid expand \"(x + 1)^3\"",
            $"The time budget in seconds (default {Limits.ExpandTimeout.TotalSeconds:0}); past it, an error naming the limit (exit 2).", (e, timeout) => e.Expand(timeout));

    private static Command Rewrite(Terminal terminal, string name, string description, string timeoutDescription, Func<Expr, TimeSpan?, Expr> rewrite)
    {
        var expression = Options.Expression();
        var timeout = Options.Timeout(timeoutDescription);
        var format = Options.Format();
        var command = new Command(name, description) { expression, timeout, format };
        command.SetAction(parse =>
        {
            var f = Expr.Parse(parse.GetValue(expression)!);
            string style = parse.GetValue(format)!;
            var result = rewrite(f, Options.TimeoutOf(parse, timeout));
            terminal.Out.WriteLine(Options.IsJson(parse)
                ? Json.Line(new JsonObject { ["expression"] = Cli.Render(f, style), ["result"] = Cli.Render(result, style) })
                : Cli.Render(result, style));
            return Cli.Success;
        });
        return command;
    }

    /// <summary><c>hybrid tape EXPR [--wrt x ...]</c>: the lowered tape's listing, with sizes before and after sharing.</summary>
    public static Command Tape(Terminal terminal)
    {
        var expression = Options.Expression();
        var wrt = Options.Wrt("The inputs in order; default: the expression's variables in natural order.");
        var command = new Command("tape", "The expression lowered to a tape: a readable listing, and its size before (nodes as a tree) and after common-subexpression elimination and constant folding (instructions).\n\nExample:\n  hybrid tape \"sin(x*y) + x*y\"")
            { expression, wrt };
        command.SetAction(parse =>
        {
            var f = Expr.Parse(parse.GetValue(expression)!);
            var inputs = Inputs.Variables(f, parse.GetValue(wrt));
            var tape = Hybrid.Tape.Tape.Lower(f, inputs);
            var listing = tape.ToString().TrimEnd('\n');
            if (Options.IsJson(parse))
                terminal.Out.WriteLine(Json.Line(new JsonObject
                {
                    ["expression"] = f.ToString(), ["treeSize"] = f.TreeSize(),
                    ["instructions"] = tape.Length, ["inputs"] = new JsonArray(inputs.Select(v => (JsonNode?)v.ToString()).ToArray()),
                    ["listing"] = new JsonArray(listing.Split('\n').Select(l => (JsonNode?)l).ToArray()),
                }));
            else
            {
                terminal.Out.WriteLine($"before: {f.TreeSize()} nodes as a tree; after CSE and constant folding: {tape.Length} instructions");
                terminal.Out.WriteLine(listing);
            }
            return Cli.Success;
        });
        return command;
    }
}
