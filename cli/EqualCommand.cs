// `hybrid equal A B`: Expr.Equivalent with its certificate. Exit codes: 0 equal (Proven or
// ProbablyEqual), 1 not equal (with a witness point), 3 undecided.
using System.CommandLine;
using System.Text.Json.Nodes;
using Hybrid.Symbolic;

namespace Hybrid.Cli;

/// <summary>The <c>equal</c> command.</summary>
public static class EqualCommand
{
    /// <summary>Exit code of an undecided comparison.</summary>
    public const int Undecided = 3;

    /// <summary><c>hybrid equal A B [--seed N] [--points N]</c>.</summary>
    public static Command Create(Terminal terminal)
    {
        var a = new Argument<string>("A") { Description = "An expression (quote it for the shell)." };
        var b = new Argument<string>("B") { Description = "The expression to compare it with." };
        var seed = new Option<int>("--seed") { Description = "Seeds the sample points (default 0); the same seed gives the same answer." };
        var points = new Option<int>("--points") { Description = "How many points to sample when there is no proof (default 24).", DefaultValueFactory = _ => 24 };
        var timeout = Options.Timeout($"The time for the proof attempts in seconds (default {Limits.SimplifyTimeout.TotalSeconds:0}); then sampling decides.");
        var assume = Options.Assume();
        var command = new Command("equal", "Are A and B equal wherever both are defined? Proven (and how), NotEqual (with a witness point), ProbablyEqual (with the evidence) or Undecided; exit 0 equal, 1 not equal, 3 undecided.\n\nExamples:\n  hybrid equal \"sin(x)^2\" \"1 - cos(x)^2\"\n  hybrid equal \"atan(x) + atan(1/x)\" \"pi/2\"\n  hybrid equal \"log(x*y)\" \"log(x) + log(y)\" --assume x>0 --assume y>0")
            { a, b, seed, points, timeout, assume };
        command.SetAction(parse =>
        {
            var (left, right) = (Options.Assuming(Expr.Parse(parse.GetValue(a)!), parse.GetValue(assume)), Options.Assuming(Expr.Parse(parse.GetValue(b)!), parse.GetValue(assume)));
            int n = parse.GetValue(points);
            if (n is < 1 or > 1_000_000) throw new UsageException($"--points {n} is out of range: give 1 to 1000000.");
            var result = Expr.Equivalent(left, right, parse.GetValue(seed), n, Options.TimeoutOf(parse, timeout));
            if (Options.IsJson(parse)) terminal.Out.WriteLine(Json.Line(ToJson(result, null)));
            else terminal.Out.WriteLine($"{result.Verdict}: {result.Reason}{WitnessText(result)}");
            return result.Verdict switch
            {
                EquivalenceVerdict.Proven or EquivalenceVerdict.ProbablyEqual => Cli.Success,
                EquivalenceVerdict.NotEqual => Cli.CheckFailed,
                _ => Undecided,
            };
        });
        return command;
    }

    /// <summary>The verdict as JSON: verdict, reason, and for NotEqual the witness and both values.</summary>
    public static JsonObject ToJson(Equivalence result, string? component)
    {
        var json = new JsonObject();
        if (component is not null) json["component"] = component;
        json["verdict"] = result.Verdict.ToString();
        json["reason"] = result.Reason;
        json["pointsCompared"] = result.PointsCompared;
        if (result.Witness is { } witness)
        {
            json["witness"] = new JsonObject(witness.Select(p => KeyValuePair.Create(p.Key, (JsonNode?)Json.Number(p.Value))));
            json["left"] = Json.Number(result.Left!.Value);
            json["right"] = Json.Number(result.Right!.Value);
        }
        return json;
    }

    /// <summary>" at x = 1.5: 0.99 vs 1.2" for a NotEqual verdict, else empty.</summary>
    public static string WitnessText(Equivalence result) => result.Witness is { } witness
        ? $" at {string.Join(", ", witness.Select(p => $"{p.Key} = {Inputs.Number(p.Value)}"))}: {Inputs.Number(result.Left!.Value)} vs {Inputs.Number(result.Right!.Value)}"
        : "";
}
