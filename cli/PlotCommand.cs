// `hybrid plot`: a function and its exact derivative on one plot, and (for `check --plot`) the
// finite-difference error against step size on log-log axes. ScottPlot renders PNG or SVG.
using Hybrid.Tapes;
using System.CommandLine;
using System.Text.Json.Nodes;
using Hybrid.Numerics;
using Hybrid.Symbolic;

namespace Hybrid.Cli;

/// <summary>The plot command and the step-size plot.</summary>
public static class PlotCommand
{
    /// <summary>The most samples a plot takes.</summary>
    public const int MaxSamples = 100_000;

    /// <summary><c>hybrid plot EXPR --wrt x --from a --to b -o file.png|svg</c>.</summary>
    public static Command Create(Terminal terminal)
    {
        var expression = Options.Expression();
        var wrt = new Option<string>("--wrt") { Description = "The variable on the horizontal axis; default: the expression's only variable." };
        var from = new Option<double>("--from") { Description = "Left end of the interval.", Required = true };
        var to = new Option<double>("--to") { Description = "Right end of the interval.", Required = true };
        var output = new Option<string>("--output", "-o") { Description = "The image to write: a .png or .svg file.", Required = true };
        var at = new Option<string>("--at") { Description = "Values of the other symbols (parameters), name=value,..." };
        var samples = new Option<int>("--samples") { Description = "Points along the interval.", DefaultValueFactory = _ => 400 };
        var command = new Command("plot", "Plots a function and its exact derivative on one chart (ScottPlot).\n\nExample:\n  hybrid plot \"sin(x)*exp(-x/4)\" --wrt x --from 0 --to 10 -o f.png")
            { expression, wrt, from, to, output, at, samples };
        command.SetAction(parse =>
        {
            var f = Expr.Parse(parse.GetValue(expression)!);
            var x = parse.GetValue(wrt) is { } name ? Inputs.Variable(name) : Inputs.OnlyVariable(f, "say which variable goes on the horizontal axis with --wrt");
            var (a, b, n) = (parse.GetValue(from), parse.GetValue(to), parse.GetValue(samples));
            if (!(a < b) || !double.IsFinite(a) || !double.IsFinite(b)) throw new UsageException($"--from {a} --to {b} is not an interval: --from must be below --to.");
            if (n is < 2 or > MaxSamples) throw new UsageException($"--samples {n} is out of range: give 2 to {MaxSamples}.");
            var parameters = parse.GetValue(at) is { } text ? Inputs.Point(text) : [];
            parameters[x.ToString()] = a;   // bound below, sample by sample
            var binding = Inputs.Bind(f, [x], parameters);
            var bound = binding.Apply(f);
            var tape = Tape.Lower(bound, x);
            var workspace = tape.CreateWorkspace();
            var xs = Enumerable.Range(0, n).Select(i => a + (b - a) * i / (n - 1)).ToArray();
            var (ys, dys) = (new double[n], new double[n]);
            var gradient = new double[1];
            for (int i = 0; i < n; i++)
            {
                ys[i] = tape.Gradient([xs[i]], gradient, workspace);
                dys[i] = gradient[0];
            }
            if (!ys.Any(double.IsFinite))
                throw new UsageException($"f is not finite anywhere on [{Inputs.Number(a)}, {Inputs.Number(b)}]: nothing to plot.");
            string file = parse.GetValue(output)!;
            var plot = new ScottPlot.Plot();
            AddLine(plot, xs, ys, $"f = {Short(f)}");
            AddLine(plot, xs, dys, $"df/d{x} = {Short(f.Differentiate(x))}");
            plot.ShowLegend();
            plot.XLabel(x.ToString());
            Save(plot, file);
            terminal.Out.WriteLine(Options.IsJson(parse)
                ? Json.Line(new JsonObject { ["expression"] = f.ToString(), ["derivative"] = Cli.Summary(f.Differentiate(x)), ["file"] = file, ["samples"] = n })
                : $"wrote {file}: f and df/d{x} on [{Inputs.Number(a)}, {Inputs.Number(b)}], {n} samples");
            return Cli.Success;
        });
        return command;
    }

    /// <summary>Plots a step-size study (log10 of the error against log10 of the step, forward and central) to <paramref name="file"/>; returns the file.</summary>
    public static string SaveStudy(StepSizeStudy study, string variable, string file)
    {
        var plot = new ScottPlot.Plot();
        var steps = study.Samples.Select(s => Math.Log10(s.Step)).ToArray();
        // A zero error has no logarithm: it is drawn at the floor of the rounding error, 1e-17.
        double Log(double error) => Math.Log10(Math.Max(error, 1e-17));
        AddLine(plot, steps, study.Samples.Select(s => Log(s.ForwardError)).ToArray(), "forward difference");
        AddLine(plot, steps, study.Samples.Select(s => Log(s.CentralError)).ToArray(), "central difference");
        plot.ShowLegend();
        plot.Title($"finite-difference error of d/d{variable} at {variable} = {study.Point:G6}");
        plot.XLabel("log10(step)");
        plot.YLabel("log10(|error|)");
        Save(plot, file);
        return file;
    }

    private static void AddLine(ScottPlot.Plot plot, double[] xs, double[] ys, string label)
    {
        // Non-finite samples (outside the domain) are left out rather than drawn as spikes.
        var keep = Enumerable.Range(0, xs.Length).Where(i => double.IsFinite(ys[i])).ToArray();
        var line = plot.Add.ScatterLine(keep.Select(i => xs[i]).ToArray(), keep.Select(i => ys[i]).ToArray());
        line.LegendText = label;
        line.LineWidth = 2;
    }

    private static void Save(ScottPlot.Plot plot, string file)
    {
        switch (Path.GetExtension(file).ToLowerInvariant())
        {
            case ".png": plot.SavePng(file, 900, 560); break;
            case ".svg": plot.SaveSvg(file, 900, 560); break;
            default: throw new UsageException($"Cannot write '{file}': give a .png or .svg file name.");
        }
    }

    private static string Short(Expr e)
    {
        string text = Cli.Summary(e);
        return text.Length <= 50 ? text : text[..47] + "...";
    }
}
