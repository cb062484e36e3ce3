// The iterative driver shared by the renderers: a renderer turns one visual node into pieces
// (text, or a child visual to render in turn); the driver expands them with an explicit stack of
// enumerators, so printing a 10^5-deep expression needs no deep recursion.
using System.Text;

namespace Hybrid.Symbolic.Printing;

internal abstract class Renderer
{
    protected abstract IEnumerable<object> Pieces(Visual visual);
    protected abstract string Open { get; }
    protected abstract string Close { get; }

    public string Render(Expr expr)
    {
        var text = new StringBuilder();
        var stack = new Stack<IEnumerator<object>>();
        stack.Push(Pieces(Layout.Of(expr)).GetEnumerator());
        while (stack.Count > 0)
        {
            var top = stack.Peek();
            if (!top.MoveNext()) { stack.Pop(); continue; }
            if (top.Current is string s) text.Append(s);
            else stack.Push(Pieces((Visual)top.Current).GetEnumerator());
        }
        return text.ToString();
    }

    /// <summary>How tightly a visual binds in this notation; LaTeX's brackets make comparisons atoms.</summary>
    protected virtual Precedence Binding(Visual visual) => visual.Precedence;

    /// <summary>The child, in parentheses when it binds more weakly than <paramref name="minimum"/>.</summary>
    protected IEnumerable<object> Wrap(Visual child, Precedence minimum)
    {
        if (Binding(child) >= minimum) { yield return child; yield break; }
        yield return Open;
        yield return child;
        yield return Close;
    }

    /// <summary>
    /// Terms joined by " + " and " - "; a leading minus is followed by a term that binds at least as
    /// tightly as <paramref name="afterLeadingMinus"/> (C# needs more than infix: <c>-(2.0 * x)</c>).
    /// </summary>
    protected IEnumerable<object> Terms(SumVisual sum, Precedence afterLeadingMinus = Precedence.Product) =>
        sum.Terms.SelectMany((t, k) => k == 0
            ? (t.Negative ? ["-", .. Wrap(t.Term, afterLeadingMinus)] : Wrap(t.Term, Precedence.Product))
            : [t.Negative ? " - " : " + ", .. Wrap(t.Term, Precedence.Product)]);

    /// <summary>Numerator factors, then the divide sign and the denominator (in parentheses when it has several factors).</summary>
    protected IEnumerable<object> Quotient(ProductVisual p, string one, string times, string divide, Precedence factorMinimum)
    {
        IEnumerable<object> numerator = p.Numerator.Count == 0 ? [one] : Join(p.Numerator.Select(f => Wrap(f, factorMinimum)), times);
        if (p.Denominator.Count == 0) return numerator;
        // A number times one sum distributes on construction, so (81*(x + y)) would read back as
        // 81*x + 81*y: that denominator is written as two divisions, which stay one product.
        if (p.Denominator is [IntegerVisual number, SumVisual sum])
            return [.. numerator, divide, number, divide, .. Wrap(sum, factorMinimum)];
        IEnumerable<object> denominator = p.Denominator.Count == 1
            ? Wrap(p.Denominator[0], factorMinimum)
            : ["(", .. Join(p.Denominator.Select(f => Wrap(f, factorMinimum)), times), ")"];
        return [.. numerator, divide, .. denominator];
    }

    protected static IEnumerable<object> Join(IEnumerable<IEnumerable<object>> parts, string separator)
    {
        bool first = true;
        foreach (var part in parts)
        {
            if (!first) yield return separator;
            first = false;
            foreach (var piece in part) yield return piece;
        }
    }

    /// <summary>
    /// Expands a template such as <c>Math.Atan(1.0 / {0})</c>: <c>{digit}</c> is an argument, every other
    /// character is literal. With <paramref name="guard"/>, an argument whose slot is not already delimited
    /// by parentheses, braces or commas is parenthesized unless it is an atom.
    /// </summary>
    protected IEnumerable<object> Format(string template, IReadOnlyList<Visual> args, bool guard)
    {
        int start = 0;
        for (int i = 0; i + 2 < template.Length; i++)
        {
            if (template[i] != '{' || !char.IsAsciiDigit(template[i + 1]) || template[i + 2] != '}') continue;
            var arg = args[template[i + 1] - '0'];
            char before = i > 0 ? template[i - 1] : ' ', after = i + 3 < template.Length ? template[i + 3] : ' ';
            bool delimited = !guard || (before is '(' or '{' || template.AsSpan(0, i).EndsWith(", ")) && after is ')' or '}' or ',';
            yield return template[start..i];
            foreach (var piece in delimited ? [arg] : Wrap(arg, Precedence.Atom)) yield return piece;
            start = i + 3;
        }
        yield return template[start..];
    }
}
