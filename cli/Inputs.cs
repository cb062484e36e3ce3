// Reading the command line's values: expressions, points (`x=1.5,y=pi/2`), variable lists and lists
// of expressions separated by top-level commas (commas inside parentheses belong to a call: atan2(y, x)).
using System.Globalization;
using Hybrid.Symbolic;

namespace Hybrid.Cli;

/// <summary>A point bound to an expression: parameter values to substitute, the variables' values in order,
/// and the names given that the expression does not have (accepted only where the caller allows them).</summary>
public sealed record Binding(IReadOnlyDictionary<Expr, Expr> Parameters, double[] Point, IReadOnlyList<string> Unused)
{
    /// <summary><paramref name="e"/> with the parameters replaced by their values.</summary>
    public Expr Apply(Expr e) => Parameters.Count == 0 ? e : e.Substitute(Parameters);
}

/// <summary>Parsers for the values commands take.</summary>
public static class Inputs
{
    /// <summary>
    /// Parses "x=1.5,y=2" into name → value. A value may be a constant expression (pi/4, sqrt(2));
    /// a name given twice, a missing '=' or a non-constant value is a <see cref="UsageException"/>.
    /// </summary>
    public static Dictionary<string, double> Point(string text)
    {
        var point = new Dictionary<string, double>();
        foreach (var part in SplitTopLevel(text))
        {
            int eq = part.IndexOf('=');
            if (eq <= 0) throw new UsageException($"'{part}' in --at \"{text}\" is not name=value (example: --at x=1.5,y=2).");
            string name = part[..eq].Trim();
            Validate(name);
            if (!point.TryAdd(name, Constant(part[(eq + 1)..], name)))
                throw new UsageException($"{name} is given twice in --at \"{text}\".");
        }
        return point;
    }

    private static double Constant(string text, string name)
    {
        var value = Expr.Parse(text);
        var free = value.FreeSymbols();
        if (free.Count > 0) throw new UsageException($"The value of {name}, '{text.Trim()}', must be a number or a constant expression, but it uses {free[0].Name}.");
        return value.Evaluate(new Dictionary<string, double>());
    }

    /// <summary>A variable name, checked to be one the parser reads as a symbol.</summary>
    public static Expr Variable(string name)
    {
        Validate(name);
        return Expr.Symbol(name);
    }

    private static void Validate(string name)
    {
        bool isName;
        try { isName = Expr.Parse(name) is Symbol symbol && symbol.Name == name; }
        catch (ParseException) { isName = false; }
        if (!isName) throw new UsageException($"'{name}' is not a variable name (a letter or '_', then letters, digits or '_').");
    }

    /// <summary>
    /// The expression's only variable, for commands where it may go unnamed; with none or several, a
    /// <see cref="UsageException"/> naming them and ending with <paramref name="remedy"/>.
    /// </summary>
    public static Expr OnlyVariable(Expr f, string remedy)
    {
        var free = f.FreeSymbols();
        if (free.Count == 1) return free[0];
        string found = free.Count == 0 ? "no variables" : $"several variables ({List(free.Select(s => s.Name))})";
        throw new UsageException($"The expression has {found}; {remedy}.");
    }

    /// <summary>
    /// A comma-separated list of functions, and an expression holding every function's symbols (Π(1 + gₖ²), which loses
    /// none, where a sum could cancel one: "x, -x"), for the variables and the binding.
    /// </summary>
    public static (Expr[] Functions, Expr AllSymbols) Functions(string list)
    {
        var functions = SplitTopLevel(list).Select(Expr.Parse).ToArray();
        return (functions, Expr.Product(functions.Select(g => 1 + Expr.Pow(g, 2))));
    }

    /// <summary>The variables to differentiate by: the ones given, else the expression's free symbols in natural order.</summary>
    public static Expr[] Variables(Expr f, IReadOnlyList<string>? wrt) =>
        wrt is { Count: > 0 } ? wrt.Select(Variable).ToArray() : f.FreeSymbols().Cast<Expr>().ToArray();

    /// <summary>
    /// Binds a point to an expression's variables: every variable and every other symbol of
    /// <paramref name="f"/> needs a value, and every value a symbol. Values of symbols outside
    /// <paramref name="variables"/> are parameters: the result substitutes them as constants.
    /// </summary>
    /// <param name="f">The expression.</param>
    /// <param name="variables">The variables, in the order of the point.</param>
    /// <param name="at">The values by name.</param>
    /// <param name="source">Where the values came from, for messages (<c>--at</c>).</param>
    /// <param name="allowUnused">Accept values for names the expression lacks and list them in <see cref="Binding.Unused"/>
    /// (serve: a script sends one point for a whole problem); otherwise such a name is an error with a "did you mean".</param>
    public static Binding Bind(Expr f, IReadOnlyList<Expr> variables, IReadOnlyDictionary<string, double> at, string source = "--at", bool allowUnused = false)
    {
        var names = variables.Select(v => v.ToString()).ToHashSet();
        var free = f.FreeSymbols().Select(s => s.Name).ToHashSet();
        var unused = at.Keys.Where(name => !free.Contains(name) && !names.Contains(name)).Order(StringComparer.Ordinal).ToList();
        if (!allowUnused && unused.Count > 0)
            throw new UsageException($"{source} gives {unused[0]}, but the expression has no {unused[0]} (its variables: {List(free)}).{DidYouMean(unused[0], free.Concat(names).Where(n => !at.ContainsKey(n)))}");
        foreach (var name in free.Concat(names))
            if (!at.ContainsKey(name)) throw new UsageException($"{name} has no value: add it to {source}.");
        var parameters = at.Where(p => !names.Contains(p.Key) && free.Contains(p.Key)).ToDictionary(p => Expr.Symbol(p.Key), p => Expr.Float(p.Value));
        return new Binding(parameters, variables.Select(v => at[v.ToString()]).ToArray(), unused);
    }

    /// <summary>" Did you mean y?" when one of <paramref name="candidates"/> is within two edits of <paramref name="name"/>, else "".</summary>
    public static string DidYouMean(string name, IEnumerable<string> candidates) => Spelling.DidYouMean(name, candidates);

    /// <summary>Splits at commas outside parentheses: "2*x, atan2(y, x)" → ["2*x", "atan2(y, x)"].</summary>
    public static List<string> SplitTopLevel(string text)
    {
        var parts = new List<string>();
        int depth = 0, start = 0;
        for (int i = 0; i <= text.Length; i++)
        {
            char c = i < text.Length ? text[i] : ',';
            if (c == '(') depth++;
            else if (c == ')') depth--;
            else if (c == ',' && depth <= 0)
            {
                string part = text[start..i].Trim();
                if (part.Length > 0) parts.Add(part);
                start = i + 1;
            }
        }
        return parts;
    }

    /// <summary>Names as "x, y" (or "none").</summary>
    public static string List(IEnumerable<string> names) => names.Any() ? string.Join(", ", names.Order(StringComparer.Ordinal)) : "none";

    /// <summary>A double as printed by every command: round-trip precision, invariant culture.</summary>
    public static string Number(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>"x = 1.5, y = 2".</summary>
    public static string Describe(IReadOnlyList<Expr> variables, double[] point) =>
        string.Join(", ", variables.Select((v, i) => $"{v} = {Number(point[i])}"));
}
