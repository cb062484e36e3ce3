// `hybrid check`: a claimed gradient against the exact one (the verdict: exit code 1 on a mismatch)
// and against central differences (for information: a finite difference has its own error), at
// given or random points, with an optional plot of finite-difference error against step size.
using System.CommandLine;
using System.Text.Json.Nodes;
using Hybrid.Numerics;
using Hybrid.Symbolic;

namespace Hybrid.Cli;

/// <summary>The check command.</summary>
public static class CheckCommand
{
    /// <summary>Reports with more entries than this print a summary and the worst entries instead of every row.</summary>
    public const int FullTableLimit = 40;

    /// <summary><c>hybrid check EXPR --claimed "GRADIENT EXPRS" --at ... [--at ...] [--random N]</c>.</summary>
    public static Command Create(Terminal terminal)
    {
        var expression = Options.Expression();
        var claimed = new Option<string[]>("--claimed") { Description = "The claimed gradient: one expression per variable, separated by commas (or repeat --claimed).", Required = true };
        var at = new Option<string[]>("--at") { Description = "A point to check at (name=value,...); repeat for several." };
        var random = new Option<int>("--random") { Description = "Also check at this many random points of the box [--low, --high]." };
        var low = new Option<double>("--low") { Description = "Lower edge of the random box.", DefaultValueFactory = _ => -2 };
        var high = new Option<double>("--high") { Description = "Upper edge of the random box.", DefaultValueFactory = _ => 2 };
        var seed = new Option<int>("--seed") { Description = "Seed of the random points.", DefaultValueFactory = _ => 1 };
        var wrt = Options.Wrt("The order of the variables (all of the expression's); default: natural order.");
        var atol = new Option<double>("--atol") { Description = "Absolute tolerance.", DefaultValueFactory = _ => CheckOptions.Default.AbsoluteTolerance };
        var rtol = new Option<double>("--rtol") { Description = "Relative tolerance.", DefaultValueFactory = _ => CheckOptions.Default.RelativeTolerance };
        var plot = new Option<string>("--plot") { Description = "Write a plot of finite-difference error against step size (.png or .svg), for the first variable at the first point." };
        var command = new Command("check", "Checks a claimed gradient against the exact symbolic gradient (exit code 1 on a mismatch) and against central differences.\n\nExamples:\n  hybrid check \"sin(x^2)*y\" --claimed \"2*x*cos(x^2)*y, sin(x^2)\" --at x=0.5,y=2\n  hybrid check \"x*exp(y)\" --claimed \"exp(y), x*exp(y)\" --random 1000 --plot steps.png")
            { expression, claimed, at, random, low, high, seed, wrt, atol, rtol, plot };
        command.SetAction(parse =>
        {
            var f = Expr.Parse(parse.GetValue(expression)!);
            var variables = Inputs.Variables(f, parse.GetValue(wrt));
            var missing = f.FreeSymbols().Where(s => !variables.Contains(s)).Select(s => s.Name).ToList();
            if (missing.Count > 0) throw new UsageException($"check differentiates by every variable; {Inputs.List(missing)} missing from --wrt.");
            var gradient = parse.GetValue(claimed)!.SelectMany(Inputs.SplitTopLevel).Select(Expr.Parse).ToArray();
            if (gradient.Length != variables.Length)
                throw new UsageException($"--claimed gives {gradient.Length} expressions, but the gradient has {variables.Length} components ({string.Join(", ", variables.Select(v => v.ToString()))}).");
            var points = Points(f, variables, parse.GetValue(at) ?? [], parse.GetValue(random), parse.GetValue(low), parse.GetValue(high), parse.GetValue(seed));
            var tolerances = new CheckOptions { AbsoluteTolerance = parse.GetValue(atol), RelativeTolerance = parse.GetValue(rtol) };

            var exact = GradCheck.Run(f, gradient, variables, points.Select((p, i) => { terminal.Progress("checking point", i + 1, points.Count); return p; }),
                tolerances with { Reference = DerivativeReference.Exact });
            var numeric = GradCheck.Run(f, gradient, variables, points, tolerances with { Reference = DerivativeReference.CentralDifference });
            // The exact report also compares each claimed component with the derivative everywhere (Expr.Equivalent).
            var equivalences = exact.Equivalences.Select(e => e.Result).ToArray();
            bool passed = exact.Passed;
            string? plotted = parse.GetValue(plot) is { } file
                ? PlotCommand.SaveStudy(StepSizeStudy.Run(f, variables[0], variables.Select((v, i) => (v.ToString(), points[0][i])).ToDictionary()), variables[0].ToString(), file)
                : null;

            if (Options.IsJson(parse))
                terminal.Out.WriteLine(Json.Line(new JsonObject
                {
                    ["expression"] = f.ToString(),
                    ["variables"] = new JsonArray(variables.Select(v => (JsonNode?)v.ToString()).ToArray()),
                    ["claimed"] = new JsonArray(gradient.Select(g => (JsonNode?)g.ToString()).ToArray()),
                    ["passed"] = passed, ["exact"] = Report(exact), ["centralDifferences"] = Report(numeric), ["plot"] = plotted,
                    ["equivalence"] = new JsonArray(equivalences.Select((e, i) => (JsonNode?)EqualCommand.ToJson(e, variables[i].ToString())).ToArray()),
                }));
            else
            {
                Print(terminal.Out, exact);
                terminal.Out.WriteLine();
                Print(terminal.Out, numeric);
                terminal.Out.WriteLine();
                if (plotted is not null) terminal.Out.WriteLine($"wrote {plotted}");
                terminal.Out.WriteLine(passed
                    ? $"the claimed gradient equals the exact gradient at {points.Count} point(s)"
                    : exact.Entries.All(e => e.Passed)
                        ? "MISMATCH: the claimed gradient agrees at the points given but not everywhere (see the witness above)"
                        : $"MISMATCH: the claimed gradient differs from the exact gradient in {exact.Failures.Count()} of {exact.Entries.Count} components");
            }
            return passed ? Cli.Success : Cli.CheckFailed;
        });
        return command;
    }

    private static List<double[]> Points(Expr f, Expr[] variables, string[] at, int random, double low, double high, int seed)
    {
        var points = at.Select(text => Inputs.Bind(f, variables, Inputs.Point(text)).Point).ToList();
        if (random < 0 || random > 1_000_000) throw new UsageException($"--random {random} is out of range: give 0 to 1000000.");
        if (random > 0 && !(low < high)) throw new UsageException($"The random box [--low {low}, --high {high}] is empty.");
        var generator = new Random(seed);
        for (int k = 0; k < random; k++) points.Add(variables.Select(_ => low + (high - low) * generator.NextDouble()).ToArray());
        return points.Count > 0 ? points : throw new UsageException("Give at least one point: --at x=1,y=2 or --random 100.");
    }

    private static void Print(TextWriter output, CheckReport report)
    {
        if (report.Entries.Count <= FullTableLimit)
        {
            output.WriteLine(report);
            return;
        }
        // Many points: the summary line and the worst entries, not thousands of rows.
        output.WriteLine(report.Title);
        output.WriteLine(report.Summary);
        foreach (var e in report.Failures.Take(10))
            output.WriteLine($"  {e.Component} at ({string.Join(", ", e.Point.Select(Inputs.Number))}): claimed {Inputs.Number(e.Claimed)}, reference {Inputs.Number(e.Reference)}{(e.Problem is null ? "" : " — " + e.Problem)}");
        if (report.Worst is { } worst)
            output.WriteLine($"  largest error: {worst.Component} at ({string.Join(", ", worst.Point.Select(Inputs.Number))}), {Inputs.Number(worst.AbsoluteError)} absolute, {Inputs.Number(worst.RelativeError)} relative");
    }

    private static JsonObject Report(CheckReport report) => new()
    {
        ["reference"] = CheckReport.Name(report.Reference),
        ["passed"] = report.Passed,
        ["entries"] = new JsonArray(report.Entries.Select(e => (JsonNode?)new JsonObject
        {
            ["component"] = e.Component, ["point"] = Json.Numbers(e.Point), ["claimed"] = Json.Number(e.Claimed), ["reference"] = Json.Number(e.Reference),
            ["absoluteError"] = Json.Number(e.AbsoluteError), ["relativeError"] = Json.Number(e.RelativeError), ["passed"] = e.Passed, ["problem"] = e.Problem,
        }).ToArray()),
    };
}
