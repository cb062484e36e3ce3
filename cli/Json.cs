// JSON output: one object per result. Non-finite doubles, which JSON cannot carry as numbers,
// are written as the strings "NaN", "Infinity" and "-Infinity".
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Hybrid.Symbolic;

namespace Hybrid.Cli;

/// <summary>Helpers for <c>--json</c> output and <c>serve</c>.</summary>
public static class Json
{
    private static readonly JsonSerializerOptions Compact = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>A double as a JSON number, or a string for NaN and infinities.</summary>
    public static JsonNode Number(double value) =>
        double.IsFinite(value) ? JsonValue.Create(value) : JsonValue.Create(Inputs.Number(value));   // invariant culture: "NaN", "Infinity", "-Infinity"

    /// <summary>An array of numbers.</summary>
    public static JsonArray Numbers(IEnumerable<double> values) => new(values.Select(v => (JsonNode?)Number(v)).ToArray());

    /// <summary>name → value as a JSON object, in the variables' order.</summary>
    public static JsonObject Point(IReadOnlyList<Expr> variables, double[] point)
    {
        var o = new JsonObject();
        for (int i = 0; i < variables.Count; i++) o[variables[i].ToString()] = Number(point[i]);
        return o;
    }

    /// <summary>The node on one line, without escaping non-ASCII (∂, ², …).</summary>
    public static string Line(JsonNode node) => node.ToJsonString(Compact);
}
