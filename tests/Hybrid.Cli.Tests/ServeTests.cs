// serve --jsonl: one response per request line, in order, errors included; ids echoed.
using System.Text.Json.Nodes;

namespace Hybrid.Cli.Tests;

public class ServeTests
{
    [Fact]
    public void AnswersEachOpAndEchoesIds()
    {
        string input = string.Join('\n',
            """{"op":"diff","expr":"a*x^2","wrt":"x","at":{"x":1.5,"a":2},"id":1}""",
            """{"op":"diff","expr":"sin(x)"}""",
            """{"op":"eval","expr":"x/y","at":{"x":1,"y":4},"id":"e"}""",
            """{"op":"grad","expr":"x*y^2","at":{"x":2,"y":3},"id":[7]}""",
            """{"op":"simplify","expr":"sin(x)^2 + cos(x)^2"}""",
            """{"op":"expand","expr":"(x+1)^2"}""");
        var (code, output, error) = Run.With(input, false, "serve", "--jsonl");
        Assert.Equal((0, ""), (code, error));
        Assert.Equal([
            """{"derivative":"2*a*x","value":4.5,"derivativeValue":6,"id":1}""",
            """{"derivative":"cos(x)"}""",
            """{"value":0.25,"id":"e"}""",
            """{"value":18,"gradient":{"x":9,"y":12},"id":[7]}""",
            """{"result":"1"}""",
            """{"result":"x^2 + 2*x + 1"}""",
        ], output.TrimEnd('\n').Split('\n'));
    }

    [Fact]
    public void AnswersTheRationalOps()
    {
        string input = string.Join('\n',
            """{"op":"together","expr":"1/x + 1/y","id":1}""",
            """{"op":"cancel","expr":"(x^2 - 1)/(x - 1)"}""",
            """{"op":"factor","expr":"x^4 - 1"}""",
            """{"op":"apart","expr":"1/(x^2 - 1)","wrt":"x"}""",
            """{"op":"collect","expr":"a*x + b*x","wrt":"x"}""",
            """{"op":"fraction","expr":"1/x + 1/y"}""",
            """{"op":"gcd","expr":"x^2 - 1","other":"x^2 + 2*x + 1"}""",
            """{"op":"lcm","expr":"x^2 - 1","other":"x + 1"}""",
            """{"op":"div","expr":"x^3 + 2*x + 1","other":"x^2 + 1"}""",
            """{"op":"gcd","expr":"x","other":"x + (1"}""",
            """{"op":"collect","expr":"x"}""",
            """{"op":"equal","expr":"sin(x)^2","other":"1 - cos(x)^2"}""",
            """{"op":"simplify","expr":"abs(x) + sqrt(y^2)","assume":["x>=0","y:positive"]}""",
            """{"op":"factor","expr":"(x + y + z + 1)^30 - 1","timeout":0.05}""");
        var (code, output, error) = Run.With(input, false, "serve", "--jsonl");
        Assert.Equal((0, ""), (code, error));
        var lines = output.TrimEnd('\n').Split('\n');
        Assert.Equal([
            """{"result":"(x + y)/(x*y)","id":1}""",
            """{"result":"x + 1"}""",
            """{"result":"(x - 1)*(x + 1)*(x^2 + 1)"}""",
            """{"result":"1/2/(x - 1) - 1/2/(x + 1)"}""",
            """{"result":"x*(a + b)"}""",
            """{"numerator":"x + y","denominator":"x*y"}""",
            """{"result":"x + 1"}""",
            """{"result":"x^2 - 1"}""",
            """{"quotient":"x","remainder":"x + 1"}""",
            """{"error":"unbalanced '(': no matching ')' in other","column":5}""",
            """{"error":"\"collect\" needs \"wrt\": what to collect powers of.","column":null}""",
            """{"verdict":"Proven","reason":"Simplify (the rational and transcendental normal forms) reduces a - b to 0","pointsCompared":0}""",
            """{"result":"x + y"}""",
        ], lines[..^1]);
        Assert.Contains("\"limit\":\"Timeout\"", lines[^1]);
    }

    [Fact]
    public void BadRequestsGetAnErrorLineAndTheStreamGoesOn()
    {
        string input = string.Join('\n',
            """{"op":"eval","expr":"x + * 2","at":{"x":1},"id":3}""",
            "not json",
            "",
            """{"op":"integrate","expr":"x"}""",
            """{"op":"eval","expr":"x + y","at":{"x":1}}""",
            """{"op":"eval","expr":"x","at":{"x":"one"}}""",
            "[1, 2]",
            """{"op":"eval","expr":"x","at":{"x":2}}""");
        var (code, output, _) = Run.With(input, false, "serve", "--jsonl");
        Assert.Equal(0, code);
        var lines = output.TrimEnd('\n').Split('\n').Select(l => JsonNode.Parse(l)!).ToList();
        Assert.Equal(7, lines.Count);   // the blank line is skipped, every other line answered
        Assert.Equal(5, (int)lines[0]["column"]!);
        Assert.Equal(3, (int)lines[0]["id"]!);
        Assert.StartsWith("invalid JSON", (string)lines[1]["error"]!);
        Assert.Equal(2, (int)lines[1]["column"]!);
        Assert.Contains("Unknown op \"integrate\"", (string)lines[2]["error"]!);
        Assert.Null(lines[2]["column"]);
        Assert.Equal("y has no value: add it to \"at\".", (string)lines[3]["error"]!);
        Assert.Equal("\"at\".x must be a number.", (string)lines[4]["error"]!);
        Assert.Equal("A request must be a JSON object.", (string)lines[5]["error"]!);
        Assert.Equal(2, (double)lines[6]["value"]!);
    }

    [Fact]
    public void TenThousandMixedLinesComeBackInOrder()
    {
        var requests = Enumerable.Range(0, 10_000).Select(i => (i % 10) switch
        {
            3 => $$"""{"op":"eval","expr":"x +","id":{{i}}}""",
            7 => "garbage " + i,
            _ => $$"""{"op":"diff","expr":"sin(x)*a","wrt":"x","at":{"x":{{i * 0.001}},"a":2},"id":{{i}}}""",
        }).ToList();
        var (code, output, error) = Run.With(string.Join('\n', requests), true, "serve", "--jsonl");
        Assert.Equal(0, code);
        var lines = output.TrimEnd('\n').Split('\n');
        Assert.Equal(10_000, lines.Length);
        for (int i = 0; i < lines.Length; i++)
        {
            var response = JsonNode.Parse(lines[i])!;
            switch (i % 10)
            {
                case 7:
                    Assert.StartsWith("invalid JSON", (string)response["error"]!);
                    break;
                case 3:
                    Assert.Equal(i, (int)response["id"]!);
                    Assert.NotNull(response["error"]);
                    break;
                default:
                    Assert.Equal(i, (int)response["id"]!);
                    Assert.Equal(2 * Math.Cos(i * 0.001), (double)response["derivativeValue"]!, 12);
                    break;
            }
        }
        Assert.Contains("\rserved 10000", error);   // progress, as stderr is "a terminal" here
    }

    [Fact]
    public void DiffWithoutWrtNeedsASingleVariable()
    {
        string input = "{\"op\":\"diff\",\"expr\":\"x*y\"}\n{\"op\":\"diff\",\"expr\":\"x*y\"}\n{\"op\":\"diff\",\"expr\":\"y^2\",\"at\":{\"y\":3}}";
        var lines = Run.With(input, false, "serve", "--jsonl").Out.TrimEnd('\n').Split('\n');
        Assert.Equal(2, lines.Count(l => l == "{\"error\":\"The expression has several variables (x, y); say which with \\\"wrt\\\".\",\"column\":null}"));
        Assert.Equal("{\"derivative\":\"2*y\",\"value\":9,\"derivativeValue\":6}", lines[2]);
    }

    [Fact]
    public void ServeWithoutJsonlIsAUsageError()
    {
        var (code, _, error) = Run.Hybrid("serve");
        Assert.Equal(2, code);
        Assert.Contains("hybrid serve --jsonl", error);
    }
}
