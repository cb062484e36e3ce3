// Sparse derivatives from the command line: `hybrid jacobian` for a list of expressions and `hybrid hessian
// --sparse` print the pattern's summary (size, non-zeros, colors) and the non-zeros, or write the matrix in
// MatrixMarket coordinate format (1-based, the format MATLAB, SciPy and Julia read) with -o.
using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using Hybrid.Symbolic;
using Hybrid.Tapes;

namespace Hybrid.Cli;

/// <summary>The sparse-derivative commands and their output.</summary>
public static class SparseCommands
{
    /// <summary><c>hybrid jacobian "F1, F2, ..." --at ... [--wrt x ...] [-o J.mtx]</c>.</summary>
    public static Command Jacobian(Terminal terminal)
    {
        var expressions = new Argument<string>("expressions") { Description = "The functions, separated by commas outside parentheses: \"x*y, sin(y) + z\"." };
        var at = Options.At();
        var wrt = Options.Wrt("Differentiate by these variables only (the others in --at are parameters); default: all.");
        var output = Output();
        var command = new Command("jacobian", "The sparse Jacobian of several functions at a point: its structural pattern, the coloring that compresses it, and its non-zeros (or a MatrixMarket file).\n\nExample:\n  hybrid jacobian \"x*y, y + z, sin(z)\" --at x=1,y=2,z=3")
            { expressions, at, wrt, output };
        command.SetAction(parse =>
        {
            var (jacobian, values, rows, columns, _) = JacobianAt(parse.GetValue(expressions)!, parse.GetValue(wrt), Inputs.Point(parse.GetValue(at)!), "--at", allowUnused: false);
            return Write(terminal, parse, parse.GetValue(output), "Jacobian", jacobian.Pattern, jacobian.Coloring, values, rows, columns);
        });
        return command;
    }

    /// <summary>The sparse Jacobian of a comma-separated list of functions at a point: F0, F1, ... by the variables (wrt, or all).</summary>
    public static (SparseJacobian Jacobian, double[] Values, string[] Rows, string[] Columns, Binding Binding) JacobianAt(
        string list, IReadOnlyList<string>? wrt, IReadOnlyDictionary<string, double> at, string source, bool allowUnused)
    {
        var (functions, all) = Inputs.Functions(list);
        var variables = Inputs.Variables(all, wrt);
        var binding = Inputs.Bind(all, variables, at, source, allowUnused);
        var jacobian = new SparseJacobian(Tape.Lower(functions.Select(binding.Apply).ToArray(), variables));
        var values = new double[jacobian.Pattern.NonzeroCount];
        jacobian.Evaluate(binding.Point, values);
        return (jacobian, values, Enumerable.Range(0, functions.Length).Select(k => $"F{k}").ToArray(), variables.Select(v => v.ToString()).ToArray(), binding);
    }

    /// <summary>The -o option: where to write the matrix in MatrixMarket format.</summary>
    public static Option<string> Output() => new("--output", "-o") { Description = "Write the matrix to this file in MatrixMarket coordinate format (.mtx) instead of listing its non-zeros." };

    /// <summary>Prints the pattern summary and the non-zeros (text or JSON), or writes a MatrixMarket file; returns the exit code.</summary>
    public static int Write(Terminal terminal, ParseResult parse, string? file, string what, SparsityPattern pattern, Coloring coloring, double[] values, string[] rowNames, string[] columnNames)
    {
        string summary = $"{what}: {pattern}, {coloring} ({coloring.Count} {(coloring.OfRows ? "reverse sweep" : "product")}{(coloring.Count == 1 ? "" : "s")} per evaluation)";
        if (file is not null)
        {
            using var writer = new StreamWriter(file);
            WriteMatrixMarket(writer, pattern, values, $"{what} by Hybrid: rows {string.Join(" ", rowNames)}; columns {string.Join(" ", columnNames)}");
        }
        if (Options.IsJson(parse))
        {
            var json = new JsonObject
            {
                ["rows"] = pattern.RowCount, ["columns"] = pattern.ColumnCount, ["nonzeros"] = pattern.NonzeroCount, ["colors"] = coloring.Count,
                ["coloredBy"] = coloring.OfRows ? "rows" : "columns",
                ["rowNames"] = new JsonArray(rowNames.Select(n => (JsonNode?)n).ToArray()), ["columnNames"] = new JsonArray(columnNames.Select(n => (JsonNode?)n).ToArray()),
            };
            if (file is null) json["entries"] = Entries(pattern, values);
            else json["file"] = file;
            terminal.Out.WriteLine(Json.Line(json));
            return Cli.Success;
        }
        terminal.Out.WriteLine(summary);
        if (file is not null) { terminal.Out.WriteLine($"written to {file} (MatrixMarket)"); return Cli.Success; }
        for (int i = 0, p = 0; i < pattern.RowCount; i++)
            foreach (int j in pattern.Row(i)) terminal.Out.WriteLine($"  ({rowNames[i]}, {columnNames[j]})  {Inputs.Number(values[p++])}");
        return Cli.Success;
    }

    /// <summary>The non-zeros as [row, column, value] triples (0-based), in row order.</summary>
    public static JsonArray Entries(SparsityPattern pattern, double[] values)
    {
        var entries = new JsonArray();
        for (int i = 0, p = 0; i < pattern.RowCount; i++)
            foreach (int j in pattern.Row(i)) entries.Add(new JsonArray(i, j, Json.Number(values[p++])));
        return entries;
    }

    /// <summary>MatrixMarket coordinate format: a header, a comment, "rows columns non-zeros", then 1-based "i j value" lines.</summary>
    public static void WriteMatrixMarket(TextWriter writer, SparsityPattern pattern, double[] values, string comment)
    {
        writer.WriteLine("%%MatrixMarket matrix coordinate real general");
        writer.WriteLine("% " + comment.ReplaceLineEndings(" "));
        writer.WriteLine($"{pattern.RowCount} {pattern.ColumnCount} {pattern.NonzeroCount}");
        for (int i = 0, p = 0; i < pattern.RowCount; i++)
            foreach (int j in pattern.Row(i)) writer.WriteLine($"{i + 1} {j + 1} {values[p++].ToString("R", CultureInfo.InvariantCulture)}");
    }
}
