// `hybrid codegen "F1, F2, ..."`: the functions lowered to a tape and written out as a self-contained C# class or C
// file (value and reverse-mode gradient; see Tape.ToSource), to stdout or a file.
using System.CommandLine;
using System.Text.Json.Nodes;
using Hybrid.Symbolic;
using Hybrid.Tapes;

namespace Hybrid.Cli;

/// <summary>The <c>codegen</c> command.</summary>
public static class CodegenCommand
{
    /// <summary><c>hybrid codegen "F1, F2, ..." [--lang csharp|c] [--name NAME] [--wrt x ...] [-o FILE]</c>.</summary>
    public static Command Create(Terminal terminal)
    {
        var expressions = new Argument<string>("expressions") { Description = "The functions, separated by commas outside parentheses: \"x*y, sin(y) + z\"." };
        var language = new Option<string>("--lang") { Description = "csharp (a static class) or c (C99 functions).", DefaultValueFactory = _ => "csharp" };
        language.AcceptOnlyFromAmong("csharp", "c");
        var name = new Option<string>("--name") { Description = "The class name (C#) or the prefix of the functions (C).", DefaultValueFactory = _ => "Generated" };
        var wrt = Options.Wrt("The inputs in order; default: the functions' variables in natural order.");
        var output = new Option<string>("--output", "-o") { Description = "Write the code to this file instead of printing it." };
        var command = new Command("codegen", "The functions as source code with no dependency on Hybrid: a C# class or C functions computing the values and the reverse-mode gradient (or vector-Jacobian product), with the tape's numbers.\n\nExamples:\n  hybrid codegen \"sin(x*y) + x^2\" --name Energy\n  hybrid codegen \"x*y, y + z\" --lang c -o model.h")
            { expressions, language, name, wrt, output };
        command.SetAction(parse =>
        {
            var (functions, all) = Inputs.Functions(parse.GetValue(expressions)!);
            var tape = Tape.Lower(functions, Inputs.Variables(all, parse.GetValue(wrt)));
            var lang = parse.GetValue(language) == "c" ? SourceLanguage.C : SourceLanguage.CSharp;
            string source;
            try { source = tape.ToSource(lang, parse.GetValue(name)!); }
            catch (ArgumentException error) { throw new UsageException(error.Message.Replace($" (Parameter '{error.ParamName}')", "")); }
            catch (NotSupportedException error) { throw new UsageException(error.Message); }
            string? file = parse.GetValue(output);
            if (file is not null) File.WriteAllText(file, source);
            if (Options.IsJson(parse))
            {
                var json = new JsonObject { ["language"] = lang == SourceLanguage.C ? "c" : "csharp", ["instructions"] = tape.Length, ["inputs"] = new JsonArray(tape.InputNames.Select(n => (JsonNode?)n).ToArray()) };
                if (file is null) json["source"] = source; else json["file"] = file;
                terminal.Out.WriteLine(Json.Line(json));
            }
            else if (file is null) terminal.Out.Write(source);
            else terminal.Out.WriteLine($"{tape.Length} instructions over ({string.Join(", ", tape.InputNames)}) written to {file}");
            return Cli.Success;
        });
        return command;
    }
}
