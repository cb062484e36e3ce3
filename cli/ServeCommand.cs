// `hybrid serve --jsonl`: one JSON request per line on stdin, one JSON response per line on stdout,
// in order, so a script in any language drives Hybrid in one process. A bad line gets an error
// object and the stream goes on; blank lines are skipped. Parsed expressions, derivatives and their
// tapes are cached by request shape, so a script evaluating one expression at many points pays once.
using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Nodes;
using Hybrid.Symbolic;

namespace Hybrid.Cli;

/// <summary>The serve command and its request handler.</summary>
public static class ServeCommand
{
    /// <summary><c>hybrid serve --jsonl</c>.</summary>
    public static Command Create(Terminal terminal)
    {
        var jsonl = new Option<bool>("--jsonl") { Description = "Speak JSON lines (the only protocol, and required so a bare 'serve' is never mistaken for something else)." };
        var command = new Command("serve", """
            Reads one JSON request per line on stdin, writes one JSON response per line on stdout, in order.
            Requests: {"op":"diff|eval|grad|simplify|expand","expr":"...","wrt":"x","at":{"x":1.2},"id":...}
            diff → {"derivative":"...","value":F,"derivativeValue":dF/dx} (values when "at" is given); eval → {"value":...};
            grad → {"value":...,"gradient":{"x":...}}; simplify, expand → {"result":"..."}. "id" is echoed.
            A bad request → {"error":"...","column":n} (column of a parse error, else null) and the stream goes on.

            Example:
              echo '{"op":"diff","expr":"a*x^2","wrt":"x","at":{"x":1.5,"a":2}}' | hybrid serve --jsonl
            """) { jsonl };
        command.SetAction(parse =>
        {
            if (!parse.GetValue(jsonl)) throw new UsageException("serve speaks one protocol, JSON lines: run 'hybrid serve --jsonl'.");
            var server = new Server();
            int served = 0;
            while (terminal.In.ReadLine() is { } line)
            {
                if (string.IsNullOrWhiteSpace(line)) continue;
                terminal.Out.WriteLine(server.Handle(line));
                terminal.Out.Flush();   // a script waiting for this answer gets it now
                terminal.Progress("served", ++served, every: 1000);
            }
            if (terminal.ShowProgress && served >= 1000) terminal.Error.WriteLine();
            return Cli.Success;
        });
        return command;
    }

    /// <summary>Answers requests; keeps a cache of compiled request shapes.</summary>
    public sealed class Server
    {
        private const int CacheLimit = 4096;
        private readonly Dictionary<string, Prepared> cache = [];

        // An expression ready to answer: its derivative (diff) and one tape over every symbol.
        private sealed record Prepared(Expr F, Expr? Derivative, Expr[] Inputs, Hybrid.Tape.Tape Tape, Hybrid.Tape.Workspace Workspace);

        /// <summary>The response line for one request line.</summary>
        public string Handle(string line)
        {
            JsonNode? id = null;
            try
            {
                var request = JsonNode.Parse(line) as JsonObject ?? throw new UsageException("A request must be a JSON object.");
                id = request["id"]?.DeepClone();
                var response = Answer(request);
                if (id is not null) response["id"] = id;
                return Json.Line(response);
            }
            catch (JsonException e)
            {
                return Error(null, $"invalid JSON: {e.Message}", e.BytePositionInLine + 1);
            }
            catch (ParseException e)
            {
                return Error(id, $"{e.Reason} in expr", e.Column);
            }
            catch (Exception e) when (e is UsageException or FormatException or ArgumentException or ArithmeticException or InvalidOperationException)
            {
                return Error(id, e.Message, null);
            }
        }

        private static string Error(JsonNode? id, string message, long? column)
        {
            var error = new JsonObject { ["error"] = message, ["column"] = column };
            if (id is not null) error["id"] = id;
            return Json.Line(error);
        }

        private JsonObject Answer(JsonObject request)
        {
            string op = Text(request, "op") ?? throw new UsageException("The request has no \"op\": use diff, eval, grad, simplify or expand.");
            string expr = Text(request, "expr") ?? throw new UsageException("The request has no \"expr\".");
            var at = Point(request);
            switch (op)
            {
                case "simplify":
                    return new JsonObject { ["result"] = Cli.Render(Expr.Parse(expr).Simplify(), "infix") };
                case "expand":
                    return new JsonObject { ["result"] = Cli.Render(Expr.Parse(expr).Expand(), "infix") };
                case "eval":
                {
                    var p = Prepare("eval", expr, null);
                    return new JsonObject { ["value"] = Json.Number(p.Tape.Evaluate(Values(p, at ?? throw MissingPoint("eval")), p.Workspace)) };
                }
                case "diff":
                {
                    var p = Prepare("diff", expr, Text(request, "wrt"));
                    var response = new JsonObject { ["derivative"] = Cli.Render(p.Derivative!, "infix") };
                    if (at is null) return response;
                    var values = new double[2];
                    p.Tape.Evaluate(Values(p, at), values, p.Workspace);
                    response["value"] = Json.Number(values[0]);
                    response["derivativeValue"] = Json.Number(values[1]);
                    return response;
                }
                case "grad":
                {
                    var p = Prepare("grad", expr, null);
                    var gradient = new double[p.Inputs.Length];
                    double value = p.Tape.Gradient(Values(p, at ?? throw MissingPoint("grad")), gradient, p.Workspace);
                    var wanted = request["wrt"] is null ? p.Inputs.Select(v => v.ToString()).ToArray() : Names(request["wrt"]!);
                    var components = new JsonObject();
                    foreach (var name in wanted)
                    {
                        int k = Array.FindIndex(p.Inputs, v => v.ToString() == name);
                        components[name] = Json.Number(k < 0 ? 0 : gradient[k]);   // a variable the expression lacks: derivative 0
                    }
                    return new JsonObject { ["value"] = Json.Number(value), ["gradient"] = components };
                }
                default:
                    throw new UsageException($"Unknown op \"{op}\": use diff, eval, grad, simplify or expand.");
            }
        }

        private static UsageException MissingPoint(string op) => new($"\"{op}\" needs \"at\": the point, e.g. {{\"x\": 1.5}}.");

        // For "diff", wrt may be null: the expression's only variable, found once and cached with the rest.
        private Prepared Prepare(string op, string expr, string? wrt)
        {
            string key = $"{op}\n{wrt}\n{expr}";
            if (cache.TryGetValue(key, out var prepared)) return prepared;
            var f = Expr.Parse(expr);
            var inputs = f.FreeSymbols().Cast<Expr>().ToList();
            Expr? derivative = null;
            if (op == "diff")
            {
                var x = wrt is null ? Inputs.OnlyVariable(f, "say which with \"wrt\"") : Inputs.Variable(wrt);
                derivative = f.Differentiate(x);
                if (!inputs.Contains(x)) inputs.Add(x);
            }
            var tape = Hybrid.Tape.Tape.Lower(derivative is null ? [f] : [f, derivative], inputs);
            if (cache.Count >= CacheLimit) cache.Clear();
            return cache[key] = new Prepared(f, derivative, [.. inputs], tape, tape.CreateWorkspace());
        }

        private static double[] Values(Prepared p, Dictionary<string, double> at) => Inputs.Bind(p.F, p.Inputs, at, "\"at\"").Point;

        private static Dictionary<string, double>? Point(JsonObject request)
        {
            if (request["at"] is not { } node) return null;
            if (node is not JsonObject at) throw new UsageException("\"at\" must be an object of numbers, e.g. {\"x\": 1.5}.");
            return at.ToDictionary(p => p.Key, p => p.Value is JsonValue v && v.TryGetValue(out double d) ? d
                : throw new UsageException($"\"at\".{p.Key} must be a number."));
        }

        private static string[] Names(JsonNode node) => node switch
        {
            JsonValue v when v.TryGetValue(out string? s) => [s],
            JsonArray a => a.Select(n => n is JsonValue e && e.TryGetValue(out string? s) ? s : throw new UsageException("\"wrt\" must be a name or a list of names.")).ToArray(),
            _ => throw new UsageException("\"wrt\" must be a name or a list of names."),
        };

        private static string? Text(JsonObject request, string field) => request[field] switch
        {
            null => null,
            JsonValue v when v.TryGetValue(out string? s) => s,
            _ => throw new UsageException($"\"{field}\" must be a string."),
        };
    }
}
