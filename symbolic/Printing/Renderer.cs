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

    /// <summary>The child, in parentheses when it binds more weakly than <paramref name="minimum"/>.</summary>
    protected IEnumerable<object> Wrap(Visual child, Precedence minimum)
    {
        if (child.Precedence >= minimum) { yield return child; yield break; }
        yield return Open;
        yield return child;
        yield return Close;
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
    /// Expands a format such as <c>Math.Atan(1.0 / {0})</c>. With <paramref name="guard"/>, an argument whose
    /// slot is not already delimited by parentheses, braces or commas is parenthesized unless it is an atom.
    /// </summary>
    protected IEnumerable<object> Format(string format, IReadOnlyList<Visual> args, bool guard)
    {
        int i = 0;
        var literal = new StringBuilder();
        while (i < format.Length)
        {
            char c = format[i];
            if ((c == '{' || c == '}') && i + 1 < format.Length && format[i + 1] == c) { literal.Append(c); i += 2; continue; }
            if (c != '{') { literal.Append(c); i++; continue; }
            int end = format.IndexOf('}', i);
            int index = int.Parse(format.AsSpan(i + 1, end - i - 1));
            char before = i > 0 ? format[i - 1] : ' ', after = end + 1 < format.Length ? format[end + 1] : ' ';
            bool delimited = !guard || (before is '(' or '{' || format.AsSpan(0, i).EndsWith(", ")) && after is ')' or '}' or ',';
            yield return literal.ToString();
            literal.Clear();
            foreach (var piece in delimited ? [args[index]] : Wrap(args[index], Precedence.Atom)) yield return piece;
            i = end + 1;
        }
        yield return literal.ToString();
    }
}
