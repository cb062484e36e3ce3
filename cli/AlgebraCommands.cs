// The exact commands: diff, simplify, expand, the rational transforms (together, cancel, factor,
// apart, collect, fraction, gcd, lcm, div), and tape (the lowered listing).
using Hybrid.Tapes;
using System.CommandLine;
using System.Text.Json.Nodes;
using Hybrid.Symbolic;

namespace Hybrid.Cli;

/// <summary>diff, simplify, expand, the rational transforms and tape.</summary>
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
        var assume = Options.Assume();
        var command = new Command("diff", "Exact derivative(s) of an expression.\n\nExamples:\n  hybrid diff \"sin(x)*x^2\" --wrt x\n  hybrid diff \"x^2*y\" --wrt x --wrt y --format latex")
            { expression, wrt, order, simplify, timeout, format, assume };
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
                // Assumptions apply to the simplification only: the derivative is by the plain variable.
                return (Variable: v, Derivative: parse.GetValue(simplify) ? Options.Assuming(d, parse.GetValue(assume)).Simplify(timeout: Options.TimeoutOf(parse, timeout)) : d);
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
    public static Command Simplify(Terminal terminal)
    {
        var assume = Options.Assume();
        return Rewrite(terminal, "simplify", "Simplify an expression (rational functions cancelled, trigonometric and log/exp identities, the smallest equal form found).\n\nExamples:\n  hybrid simplify \"(x^2 - 1)/(x - 1)\"\n  hybrid simplify \"sqrt(x^2)\" --assume x>=0",
            $"The time budget in seconds (default {Limits.SimplifyTimeout.TotalSeconds:0}); then the smallest form found so far is printed.",
            (e, timeout, parse) => Options.Assuming(e, parse.GetValue(assume)).Simplify(timeout: timeout), assume);
    }

    /// <summary><c>hybrid expand EXPR</c>.</summary>
    public static Command Expand(Terminal terminal) =>
        Rewrite(terminal, "expand", "Expand products and integer powers of sums.\n\nExample:\n  hybrid expand \"(x + 1)^3\"",
            $"The time budget in seconds (default {Limits.ExpandTimeout.TotalSeconds:0}); past it, an error naming the limit (exit 2).", (e, timeout) => e.Expand(timeout));

    private static readonly string RationalTimeoutHelp =
        $"The time budget in seconds (default {Limits.RationalTimeout.TotalSeconds:0}); past it, an error naming the limit (exit 2).";

    /// <summary><c>hybrid together EXPR</c>.</summary>
    public static Command Together(Terminal terminal) =>
        Rewrite(terminal, "together", "Sums of fractions over their least common denominator (structural: nothing expanded; cancel finds every common factor).\n\nExample:\n  hybrid together \"1/x + 1/y\"",
            RationalTimeoutHelp, (e, timeout) => e.Together(timeout));

    /// <summary><c>hybrid cancel EXPR</c>.</summary>
    public static Command Cancel(Terminal terminal) =>
        Rewrite(terminal, "cancel", "The canonical form N/D: numerator and denominator expanded, without a common factor (functions, exp and roots are treated as variables).\n\nExample:\n  hybrid cancel \"(x^2 - y^2)/(x - y)\"",
            RationalTimeoutHelp, (e, timeout) => e.Cancel(timeout));

    /// <summary><c>hybrid factor EXPR</c>.</summary>
    public static Command Factor(Terminal terminal) =>
        Rewrite(terminal, "factor", "Factor numerator and denominator over the rationals.\n\nExample:\n  hybrid factor \"x^4 - 1\"",
            RationalTimeoutHelp, (e, timeout) => e.Factor(timeout));

    /// <summary><c>hybrid apart EXPR [--wrt x]</c>.</summary>
    public static Command Apart(Terminal terminal)
    {
        var wrt = new Option<string>("--wrt") { Description = "The variable (default: the expression's only variable)." };
        return Rewrite(terminal, "apart", "Partial fractions of a rational function of one variable.\n\nExample:\n  hybrid apart \"1/(x^2 - 1)\"",
            RationalTimeoutHelp, (e, timeout, parse) => e.Apart(parse.GetValue(wrt) is { } name ? Inputs.Variable(name) : Inputs.OnlyVariable(e, "say which with --wrt"), timeout), wrt);
    }

    /// <summary><c>hybrid collect EXPR --wrt x</c>.</summary>
    public static Command Collect(Terminal terminal)
    {
        var wrt = new Option<string>("--wrt") { Description = "What to collect powers of: a variable or any subexpression, such as sin(x).", Required = true };
        return Rewrite(terminal, "collect", "Group the terms of a sum by powers of a variable or subexpression.\n\nExample:\n  hybrid collect \"a*x + b*x + x^2\" --wrt x",
            RationalTimeoutHelp, (e, timeout, parse) => e.Collect(Expr.Parse(parse.GetValue(wrt)!), timeout), wrt);
    }

    /// <summary><c>hybrid fraction EXPR</c>: numerator and denominator.</summary>
    public static Command Fraction(Terminal terminal) =>
        Pair(terminal, "fraction", "The numerator and the denominator of the expression as one fraction.\n\nExample:\n  hybrid fraction \"1/x + 1/y\"",
            ["numerator", "denominator"], (exprs, timeout) => exprs[0].Fraction(timeout), arguments: 1);

    /// <summary><c>hybrid gcd A B</c>.</summary>
    public static Command Gcd(Terminal terminal) =>
        Pair(terminal, "gcd", "The greatest common divisor of two polynomials (functions and roots are treated as variables).\n\nExample:\n  hybrid gcd \"x^2 - 1\" \"x^2 + 2*x + 1\"",
            ["result"], (exprs, timeout) => (Expr.Gcd(exprs[0], exprs[1], timeout), null));

    /// <summary><c>hybrid lcm A B</c>.</summary>
    public static Command Lcm(Terminal terminal) =>
        Pair(terminal, "lcm", "The least common multiple of two polynomials.\n\nExample:\n  hybrid lcm \"x^2 - 1\" \"x + 1\"",
            ["result"], (exprs, timeout) => (Expr.Lcm(exprs[0], exprs[1], timeout), null));

    /// <summary><c>hybrid div A B</c>: quotient and remainder.</summary>
    public static Command Div(Terminal terminal) =>
        Pair(terminal, "div", "Polynomial division with remainder: A = quotient*B + remainder.\n\nExample:\n  hybrid div \"x^3 + 2*x + 1\" \"x^2 + 1\"",
            ["quotient", "remainder"], (exprs, timeout) => Expr.Divide(exprs[0], exprs[1], timeout));

    // A command of one or two expressions whose answer has one or two named parts: the single part is
    // printed alone, two parts as "name: value" lines.
    private static Command Pair(Terminal terminal, string name, string description, string[] parts,
        Func<Expr[], TimeSpan?, (Expr First, Expr? Second)> compute, int arguments = 2)
    {
        var expressions = Enumerable.Range(0, arguments).Select(i => new Argument<string>(arguments == 1 ? "EXPR" : i == 0 ? "A" : "B") { Description = "An expression (quote it for the shell)." }).ToArray();
        var timeout = Options.Timeout(RationalTimeoutHelp);
        var format = Options.Format();
        var command = new Command(name, description) { timeout, format };
        foreach (var argument in expressions) command.Arguments.Add(argument);
        command.SetAction(parse =>
        {
            var exprs = expressions.Select(a => Expr.Parse(parse.GetValue(a)!)).ToArray();
            string style = parse.GetValue(format)!;
            var (first, second) = compute(exprs, Options.TimeoutOf(parse, timeout));
            var values = second is null ? [first] : new[] { first, second };
            if (Options.IsJson(parse))
            {
                var json = new JsonObject();
                for (int i = 0; i < exprs.Length; i++) json[arguments == 1 ? "expression" : i == 0 ? "a" : "b"] = Cli.Render(exprs[i], style);
                for (int i = 0; i < values.Length; i++) json[parts[i]] = Cli.Render(values[i], style);
                terminal.Out.WriteLine(Json.Line(json));
            }
            else if (values.Length == 1) terminal.Out.WriteLine(Cli.Render(first, style));
            else for (int i = 0; i < values.Length; i++) terminal.Out.WriteLine($"{parts[i]}: {Cli.Render(values[i], style)}");
            return Cli.Success;
        });
        return command;
    }

    private static Command Rewrite(Terminal terminal, string name, string description, string timeoutDescription, Func<Expr, TimeSpan?, Expr> rewrite) =>
        Rewrite(terminal, name, description, timeoutDescription, (e, timeout, _) => rewrite(e, timeout));

    private static Command Rewrite(Terminal terminal, string name, string description, string timeoutDescription, Func<Expr, TimeSpan?, ParseResult, Expr> rewrite, params Option[] extra)
    {
        var expression = Options.Expression();
        var timeout = Options.Timeout(timeoutDescription);
        var format = Options.Format();
        var command = new Command(name, description) { expression, timeout, format };
        foreach (var option in extra) command.Options.Add(option);
        command.SetAction(parse =>
        {
            var f = Expr.Parse(parse.GetValue(expression)!);
            string style = parse.GetValue(format)!;
            var result = rewrite(f, Options.TimeoutOf(parse, timeout), parse);
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
            var tape = Tapes.Tape.Lower(f, inputs);
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
