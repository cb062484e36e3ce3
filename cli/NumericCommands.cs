// The numeric commands at one point: eval, grad (tape reverse mode beside the symbolic gradient)
// and hessian (the tape's forward-over-reverse Hessian beside the symbolic one).
using Hybrid.Tapes;
using System.CommandLine;
using System.Text.Json.Nodes;
using Hybrid.Symbolic;

namespace Hybrid.Cli;

/// <summary>eval, grad and hessian.</summary>
public static class NumericCommands
{
    /// <summary><c>hybrid eval EXPR --at x=1.5,y=2</c>.</summary>
    public static Command Eval(Terminal terminal) =>
        AtPoint("eval", "The value of an expression at a point.\n\nExample:\n  hybrid eval \"sin(x)*y\" --at x=pi/2,y=3", withWrt: false, (parse, p) =>
        {
            double value = p.Tape.Evaluate(p.Point, p.Tape.CreateWorkspace());
            terminal.Out.WriteLine(Options.IsJson(parse)
                ? Json.Line(new JsonObject { ["expression"] = p.F.ToString(), ["at"] = Json.Point(p.Variables, p.Point), ["value"] = Json.Number(value) })
                : Inputs.Number(value));
            return Cli.Success;
        });

    // An expression at a point: its variables, every symbol's value (parameters included), the variables'
    // values in order, and the tape of the expression with the parameters substituted.
    private sealed record PointProblem(Expr F, Expr[] Variables, IReadOnlyDictionary<string, double> At, double[] Point, Tape Tape);

    // A command taking EXPR --at (and --wrt when asked), handing its action the bound problem.
    private static Command AtPoint(string name, string description, bool withWrt, Func<ParseResult, PointProblem, int> action)
    {
        var expression = Options.Expression();
        var at = Options.At();
        var wrt = Options.Wrt("Differentiate by these variables only (the others in --at are parameters); default: all.");
        var command = new Command(name, description) { expression, at };
        if (withWrt) command.Options.Add(wrt);
        command.SetAction(parse =>
        {
            var f = Expr.Parse(parse.GetValue(expression)!);
            var variables = Inputs.Variables(f, withWrt ? parse.GetValue(wrt) : null);
            var point = Inputs.Point(parse.GetValue(at)!);
            var binding = Inputs.Bind(f, variables, point);
            return action(parse, new PointProblem(f, variables, point, binding.Point, Tape.Lower(binding.Apply(f), variables)));
        });
        return command;
    }

    /// <summary><c>hybrid grad EXPR --at ... [--wrt x ...]</c>.</summary>
    public static Command Grad(Terminal terminal) =>
        AtPoint("grad", "Value and gradient at a point by reverse mode on the tape, with the exact symbolic gradient beside it and their difference.\n\nExample:\n  hybrid grad \"x^2*y + sin(y)\" --at x=1.5,y=2", withWrt: true, (parse, p) =>
        {
            var (f, variables, at, point, tape) = p;
            var gradient = new double[variables.Length];
            double value = tape.Gradient(point, gradient, tape.CreateWorkspace());
            var symbolic = f.Gradient(variables);
            var exact = symbolic.Select(d => d.Evaluate(at, EvaluationOptions.Derivative)).ToArray();
            if (Options.IsJson(parse))
            {
                var rows = new JsonArray();
                for (int i = 0; i < variables.Length; i++)
                    rows.Add(new JsonObject
                    {
                        ["variable"] = variables[i].ToString(), ["tape"] = Json.Number(gradient[i]), ["symbolic"] = Json.Number(exact[i]),
                        ["difference"] = Json.Number(gradient[i] - exact[i]), ["derivative"] = Cli.Summary(symbolic[i]),
                    });
                terminal.Out.WriteLine(Json.Line(new JsonObject { ["expression"] = f.ToString(), ["at"] = Json.Point(variables, point), ["value"] = Json.Number(value), ["gradient"] = rows }));
                return Cli.Success;
            }
            terminal.Out.WriteLine($"f = {Inputs.Number(value)} at {Inputs.Describe(variables, point)}");
            terminal.Out.Write(Table.Render(["", "tape (reverse mode)", "symbolic", "difference", "symbolic derivative"],
                variables.Select((v, i) => new[] { $"∂f/∂{v}", Inputs.Number(gradient[i]), Inputs.Number(exact[i]), Inputs.Number(gradient[i] - exact[i]), Cli.Summary(symbolic[i]) })));
            return Cli.Success;
        });

    /// <summary><c>hybrid hessian EXPR --at ... [--wrt x ...] [--sparse [-o H.mtx]]</c>.</summary>
    public static Command Hessian(Terminal terminal)
    {
        var sparse = new Option<bool>("--sparse") { Description = "The sparse Hessian: its structural pattern (nonlinear interactions only), the coloring that compresses it, and its non-zeros." };
        var output = SparseCommands.Output();
        var command = AtPoint("hessian", "The Hessian at a point by forward over reverse mode on the tape, and its largest difference from the exact symbolic Hessian; with --sparse, its pattern and non-zeros.\n\nExample:\n  hybrid hessian \"exp(x)*sin(y)\" --at x=0,y=1", withWrt: true, (parse, p) =>
        {
            var (f, variables, at, point, tape) = p;
            if (parse.GetValue(sparse) || parse.GetValue(output) is not null)
            {
                var hessianOf = new SparseHessian(tape);
                var nonzeros = new double[hessianOf.Pattern.NonzeroCount];
                hessianOf.Evaluate(point, nonzeros);
                var names = variables.Select(v => v.ToString()).ToArray();
                return SparseCommands.Write(terminal, parse, parse.GetValue(output), "Hessian", hessianOf.Pattern, hessianOf.Coloring, nonzeros, names, names);
            }
            int n = variables.Length;
            var hessian = new double[n * n];
            tape.Hessian(point, hessian, tape.CreateWorkspace());
            var symbolic = f.Hessian(variables);
            double difference = Enumerable.Range(0, n * n).Select(k => Math.Abs(hessian[k] - symbolic[k / n, k % n].Evaluate(at))).DefaultIfEmpty(0).Max();
            if (Options.IsJson(parse))
            {
                var rows = new JsonArray(Enumerable.Range(0, n).Select(i => (JsonNode?)Json.Numbers(hessian.Skip(i * n).Take(n))).ToArray());
                terminal.Out.WriteLine(Json.Line(new JsonObject
                {
                    ["expression"] = f.ToString(), ["at"] = Json.Point(variables, point),
                    ["variables"] = new JsonArray(variables.Select(v => (JsonNode?)v.ToString()).ToArray()),
                    ["hessian"] = rows, ["maxDifferenceFromSymbolic"] = Json.Number(difference),
                }));
                return Cli.Success;
            }
            terminal.Out.WriteLine($"Hessian at {Inputs.Describe(variables, point)} (tape, forward over reverse):");
            terminal.Out.Write(Table.Render([.. variables.Select(v => v.ToString()).Prepend("")],
                Enumerable.Range(0, n).Select(i => hessian.Skip(i * n).Take(n).Select(Inputs.Number).Prepend(variables[i].ToString()).ToArray())));
            terminal.Out.WriteLine($"largest difference from the symbolic Hessian: {Inputs.Number(difference)}");
            return Cli.Success;
        });
        command.Options.Add(sparse);
        command.Options.Add(output);
        return command;
    }
}
