// `hybrid serve --jsonl`: one JSON request per line on stdin, one JSON response per line on stdout,
// in order, so a script in any language drives Hybrid in one process. A bad line gets an error
// object and the stream goes on; blank lines are skipped. Parsed expressions, derivatives and their
// tapes are cached by request shape, so a script evaluating one expression at many points pays once.
using Hybrid.Tapes;
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
        var timeout = Options.Timeout($"The time budget of each request in seconds (default {Server.DefaultBudget.TotalSeconds:0}); a request may also set its own \"timeout\". Over it, simplify answers the best form found and other work answers an error naming the limit.");
        var command = new Command("serve", """
            Reads one JSON request per line on stdin, writes one JSON response per line on stdout, in order.
            Requests: {"op":"diff|eval|grad|hessian|jacobian|simplify|expand|together|cancel|factor|apart|collect|fraction|gcd|lcm|div|equal","expr":"...","wrt":"x","other":"...","at":{"x":1.2},"timeout":5,"id":...}
            diff → {"derivative":"...","value":F,"derivativeValue":dF/dx} (values when "at" is given); eval → {"value":...};
            grad → {"value":...,"gradient":{"x":...}}; simplify, expand, together, cancel, factor, apart, collect, gcd, lcm
            → {"result":"..."}; fraction → {"numerator","denominator"}; div → {"quotient","remainder"};
            equal → {"verdict","reason","witness",...} ("seed" optional); simplify and equal take "assume": ["x>0"]. "id" is echoed.
            Names in "at" that the expression lacks are accepted and listed in "unused".
            A bad request → {"error":"...","column":n} (column of a parse error, else null; "limit" names a limit that was hit)
            and the stream goes on. Lines end at \n (a \r before it is dropped).

            Example:
              echo '{"op":"diff","expr":"a*x^2","wrt":"x","at":{"x":1.5,"a":2}}' | hybrid serve --jsonl
            """) { jsonl, timeout };
        command.SetAction(parse =>
        {
            if (!parse.GetValue(jsonl)) throw new UsageException("serve speaks one protocol, JSON lines: run 'hybrid serve --jsonl'.");
            var server = new Server(Options.TimeoutOf(parse, timeout) ?? Server.DefaultBudget);
            int served = 0;
            while (ReadLine(terminal.In) is { } line)
            {
                if (string.IsNullOrWhiteSpace(line)) continue;
                try
                {
                    terminal.Out.WriteLine(server.Handle(line));
                    terminal.Out.Flush();   // a script waiting for this answer gets it now
                }
                catch (IOException e)
                {
                    // The reader went away: nobody will read the rest, so stop now instead of computing until stdin ends.
                    throw new IOException($"standard output was closed after {served} answers ({e.Message}); serve stops.", e);
                }
                terminal.Progress("served", ++served, every: 1000);
            }
            if (terminal.ShowProgress && served >= 1000) terminal.Error.WriteLine();
            return Cli.Success;
        });
        return command;
    }

    // A line ends at '\n' only, with a '\r' just before it dropped: TextReader.ReadLine also ends lines at a bare
    // '\r', which would cut a valid request (a '\r' is JSON whitespace) into two bad ones.
    internal static string? ReadLine(TextReader reader)
    {
        var line = new System.Text.StringBuilder();
        int c;
        while ((c = reader.Read()) >= 0 && c != '\n') line.Append((char)c);
        if (c < 0 && line.Length == 0) return null;
        if (line.Length > 0 && line[^1] == '\r') line.Length--;
        return line.ToString();
    }

    /// <summary>Answers requests; keeps a cache of compiled request shapes.</summary>
    /// <param name="budget">The time budget of a request that does not set its own "timeout".</param>
    public sealed class Server(TimeSpan budget)
    {
        /// <summary>The time budget of a request when neither the command line nor the request sets one.</summary>
        public static readonly TimeSpan DefaultBudget = TimeSpan.FromSeconds(5);

        /// <summary>A server with the default budget.</summary>
        public Server() : this(DefaultBudget) { }

        private const int CacheLimit = 4096;
        private readonly Dictionary<string, Prepared> cache = [];
        private readonly Dictionary<Tape, SparseHessian> hessians = new(ReferenceEqualityComparer.Instance);   // pattern and coloring, once per prepared tape

        // An expression ready to answer: its derivative (diff) and one tape over every symbol.
        private sealed record Prepared(Expr F, Expr? Derivative, Expr[] Inputs, Tape Tape, Workspace Workspace);

        /// <summary>The response line for one request line.</summary>
        public string Handle(string line)
        {
            JsonNode? id = null;
            try
            {
                var request = Request(line, out id);
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
            catch (FieldParseException e)
            {
                return Error(id, $"{e.Inner.Reason} in {e.Field}", e.Inner.Column);
            }
            catch (LimitExceededException e)
            {
                return Error(id, e.Message, null, e.Limit);
            }
            catch (Exception e) when (e is UsageException or FormatException or ArgumentException or ArithmeticException or InvalidOperationException or OperationCanceledException)
            {
                return Error(id, e.Message, null);
            }
        }

        // The request object, its id read first so that every later error carries it. A key given twice is an
        // error naming the key (a JSON object's keys are unique; which value would count is anyone's guess).
        private static JsonObject Request(string line, out JsonNode? id)
        {
            id = null;
            using var document = JsonDocument.Parse(line);
            if (document.RootElement.ValueKind != JsonValueKind.Object) throw new UsageException("A request must be a JSON object.");
            var seen = new HashSet<string>();
            string? duplicate = null;
            foreach (var property in document.RootElement.EnumerateObject())
            {
                if (property.Name == "id" && id is null) id = JsonNode.Parse(property.Value.GetRawText());
                if (!seen.Add(property.Name)) duplicate ??= property.Name;
            }
            if (duplicate is not null) throw new UsageException($"The key \"{duplicate}\" is given twice in the request.");
            return JsonObject.Create(document.RootElement.Clone())!;
        }

        private static string Error(JsonNode? id, string message, long? column, string? limit = null)
        {
            var error = new JsonObject { ["error"] = message, ["column"] = column };
            if (limit is not null) error["limit"] = limit;
            if (id is not null) error["id"] = id;
            return Json.Line(error);
        }

        // An expression in a field other than "expr": its parse error names that field.
        private sealed class FieldParseException(string field, ParseException inner) : Exception(inner.Message, inner)
        {
            public string Field { get; } = field;
            public ParseException Inner { get; } = inner;
        }

        // "assume": ["x>0", "n:integer"], as --assume.
        private static Expr Assumed(JsonObject request, Expr e) =>
            request["assume"] is JsonArray list ? Options.Assuming(e, list.Select(v => v?.GetValue<string>() ?? "")) : e;

        private static Expr? ParseField(JsonObject request, string field)
        {
            if (Text(request, field) is not { } text) return null;
            try { return Expr.Parse(text); }
            catch (ParseException e) { throw new FieldParseException(field, e); }
        }

        private const string Ops = "diff, eval, grad, hessian, jacobian, simplify, expand, together, cancel, factor, apart, collect, fraction, gcd, lcm, div or equal";

        private JsonObject Answer(JsonObject request)
        {
            string op = Text(request, "op") ?? throw new UsageException($"The request has no \"op\": use {Ops}.");
            string expr = Text(request, "expr") ?? throw new UsageException("The request has no \"expr\".");
            var at = Point(request);
            // The budget covers the whole request: a transform gets what parsing left of it (at least a millisecond).
            var clock = System.Diagnostics.Stopwatch.StartNew();
            var timeout = Timeout(request) ?? budget;
            TimeSpan Remaining() => TimeSpan.FromTicks(Math.Max(TimeSpan.TicksPerMillisecond, (timeout - clock.Elapsed).Ticks));
            switch (op)
            {
                case "simplify":
                {
                    var f = Assumed(request, Expr.Parse(expr));
                    return new JsonObject { ["result"] = Cli.Render(f.Simplify(timeout: Remaining()), "infix") };
                }
                case "expand":
                {
                    var f = Expr.Parse(expr);
                    return new JsonObject { ["result"] = Cli.Render(f.Expand(Remaining()), "infix") };
                }
                case "together" or "cancel" or "factor" or "apart" or "collect":
                {
                    var f = Expr.Parse(expr);
                    var result = op switch
                    {
                        "together" => f.Together(Remaining()),
                        "cancel" => f.Cancel(Remaining()),
                        "factor" => f.Factor(Remaining()),
                        "apart" => f.Apart(Text(request, "wrt") is { } x ? Inputs.Variable(x) : Inputs.OnlyVariable(f, "say which with \"wrt\""), Remaining()),
                        _ => f.Collect(ParseField(request, "wrt") ?? throw new UsageException("\"collect\" needs \"wrt\": what to collect powers of."), Remaining()),
                    };
                    return new JsonObject { ["result"] = Cli.Render(result, "infix") };
                }
                case "fraction":
                {
                    var f = Expr.Parse(expr);
                    var (numerator, denominator) = f.Fraction(Remaining());
                    return new JsonObject { ["numerator"] = Cli.Render(numerator, "infix"), ["denominator"] = Cli.Render(denominator, "infix") };
                }
                case "equal":
                {
                    var (a, b) = (Assumed(request, Expr.Parse(expr)), Assumed(request, ParseField(request, "other") ?? throw new UsageException("\"equal\" needs \"other\": the expression to compare with.")));
                    int seed = request["seed"] is JsonValue v && v.TryGetValue<int>(out var s) ? s : 0;
                    return EqualCommand.ToJson(Expr.Equivalent(a, b, seed, timeout: Remaining()), null);
                }
                case "gcd" or "lcm" or "div":
                {
                    var (a, b) = (Expr.Parse(expr), ParseField(request, "other") ?? throw new UsageException($"\"{op}\" needs \"other\": the second polynomial."));
                    if (op == "div")
                    {
                        var (quotient, remainder) = Expr.Divide(a, b, Remaining());
                        return new JsonObject { ["quotient"] = Cli.Render(quotient, "infix"), ["remainder"] = Cli.Render(remainder, "infix") };
                    }
                    return new JsonObject { ["result"] = Cli.Render(op == "gcd" ? Expr.Gcd(a, b, Remaining()) : Expr.Lcm(a, b, Remaining()), "infix") };
                }
                case "eval":
                {
                    var p = Prepare("eval", expr, null);
                    var binding = Bind(p, at ?? throw MissingPoint("eval"));
                    return WithUnused(new JsonObject { ["value"] = Json.Number(p.Tape.Evaluate(binding.Point, p.Workspace)) }, binding);
                }
                case "diff":
                {
                    var p = Prepare("diff", expr, Text(request, "wrt"));
                    var response = new JsonObject { ["derivative"] = Cli.Render(p.Derivative!, "infix") };
                    if (at is null) return response;
                    var binding = Bind(p, at);
                    var values = new double[2];
                    p.Tape.Evaluate(binding.Point, values, p.Workspace);
                    response["value"] = Json.Number(values[0]);
                    response["derivativeValue"] = Json.Number(values[1]);
                    return WithUnused(response, binding);
                }
                case "grad":
                {
                    var p = Prepare("grad", expr, null);
                    var gradient = new double[p.Inputs.Length];
                    var binding = Bind(p, at ?? throw MissingPoint("grad"));
                    double value = p.Tape.Gradient(binding.Point, gradient, p.Workspace);
                    var wanted = request["wrt"] is null ? p.Inputs.Select(v => v.ToString()).ToArray() : Names(request["wrt"]!);
                    var components = new JsonObject();
                    foreach (var name in wanted)
                    {
                        int k = Array.FindIndex(p.Inputs, v => v.ToString() == name);
                        components[name] = Json.Number(k < 0 ? 0 : gradient[k]);   // a variable the expression lacks: derivative 0
                    }
                    return WithUnused(new JsonObject { ["value"] = Json.Number(value), ["gradient"] = components }, binding);
                }
                case "hessian":
                {
                    // The sparse Hessian: pattern (nonlinear interactions only), coloring and non-zeros as [row, column, value].
                    var p = Prepare("hessian", expr, null);
                    var binding = Bind(p, at ?? throw MissingPoint("hessian"));
                    if (!hessians.TryGetValue(p.Tape, out var hessian)) hessians[p.Tape] = hessian = new SparseHessian(p.Tape);
                    var values = new double[hessian.Pattern.NonzeroCount];
                    hessian.Evaluate(binding.Point, values);
                    return WithUnused(Sparse(hessian.Pattern, hessian.Coloring, values, p.Inputs.Select(v => v.ToString()).ToArray()), binding);
                }
                case "jacobian":
                {
                    // "expr" is a list of functions, as `hybrid jacobian` takes them: "x*y, sin(y)".
                    var (jacobian, values, _, columns, binding) = SparseCommands.JacobianAt(expr, request["wrt"] is null ? null : Names(request["wrt"]!),
                        at ?? throw MissingPoint("jacobian"), "\"at\"", allowUnused: true);
                    return WithUnused(Sparse(jacobian.Pattern, jacobian.Coloring, values, columns), binding);
                }
                default:
                    throw new UsageException($"Unknown op \"{op}\": use {Ops}.");
            }
        }

        private static JsonObject Sparse(SparsityPattern pattern, Coloring coloring, double[] values, string[] columns) => new()
        {
            ["variables"] = new JsonArray(columns.Select(n => (JsonNode?)n).ToArray()), ["rows"] = pattern.RowCount, ["nonzeros"] = pattern.NonzeroCount,
            ["colors"] = coloring.Count, ["entries"] = SparseCommands.Entries(pattern, values),
        };

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
            var tape = Tape.Lower(derivative is null ? [f] : [f, derivative], inputs);
            if (cache.Count >= CacheLimit) { cache.Clear(); hessians.Clear(); }
            return cache[key] = new Prepared(f, derivative, [.. inputs], tape, tape.CreateWorkspace());
        }

        private static Binding Bind(Prepared p, Dictionary<string, double> at) => Inputs.Bind(p.F, p.Inputs, at, "\"at\"", allowUnused: true);

        // The names of "at" that the expression lacks, listed in the answer so a misspelling is visible.
        private static JsonObject WithUnused(JsonObject response, Binding binding)
        {
            if (binding.Unused.Count > 0) response["unused"] = new JsonArray(binding.Unused.Select(n => (JsonNode?)n).ToArray());
            return response;
        }

        private static TimeSpan? Timeout(JsonObject request) => request["timeout"] switch
        {
            null => null,
            JsonValue v when v.TryGetValue(out double seconds) => Options.Seconds(seconds, "\"timeout\""),
            _ => throw new UsageException("\"timeout\" must be a number of seconds."),
        };

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
