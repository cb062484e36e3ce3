// Generators of hostile parser input, shared by the fuzz property (a few hundred cases in CI) and the
// soak command (a million and more): random token strings, random bytes, and corpus expressions
// mutated by deletions, insertions, swaps and duplications. ParseTotal is the property they feed.
using System.Text;
using FsCheck;
using FsCheck.Fluent;
using Hybrid.Symbolic;

namespace Hybrid.Testing;

/// <summary>Hostile text for <see cref="Expr.Parse"/>, and the property every such text must satisfy.</summary>
public static class HostileText
{
    // Pieces of expressions, the ones that stress the parser's corners: huge and non-finite numbers, reserved
    // names, non-ASCII digits and letters, control characters, unbalanced brackets, every operator.
    private static readonly string[] Vocabulary =
    [
        "x", "y", "z", "a1", "_t", "é", "π", "x٣", "0", "1", "2", "7", "10", "0.5", ".5", "1e308", "1e-320", "1e999", "2e", "1E+5",
        "99999999999999999999", "0000", "٣", "६", "inf", "nan", "Infinity", "NaN", "pi", "e", "+", "-", "*", "/", "^", "**",
        "<", "<=", ">", ">=", "=", "(", ")", ",", " ", "\t", "\r", "\n", "\0", "sin", "cos", "exp", "log", "sqrt", "atan2", "where",
        "abs", "relu", "max", "sinn", "(1/0)", "0/0", "^(1/494913671)", "^(10^9)", "!", "#", "$", "'", "\"", "[", "]", "{", "}",
    ];

    /// <summary>Strings of 0 to 40 pieces from a vocabulary of numbers, names, operators and odd characters.</summary>
    public static Gen<string> Tokens() =>
        Gen.Elements(Vocabulary).ListOf().Select(pieces => string.Concat(pieces.Take(40)));

    /// <summary>Random bytes (up to 64), read as UTF-8 and as Latin-1.</summary>
    public static Gen<string> Bytes() =>
        Gen.Choose(0, 255).Select(b => (byte)b).ArrayOf().SelectMany(bytes => Gen.Elements(
            Encoding.UTF8.GetString(bytes.Take(64).ToArray()), Encoding.Latin1.GetString(bytes.Take(64).ToArray())));

    /// <summary>One of <paramref name="expressions"/> with one to three random edits.</summary>
    public static Gen<string> Mutations(IReadOnlyList<string> expressions) =>
        from text in Gen.Elements(expressions.ToArray())
        from edits in Gen.Choose(1, 3)
        from seed in Gen.Choose(0, int.MaxValue)
        select Mutate(text, edits, new Random(seed));

    private static string Mutate(string text, int edits, Random random)
    {
        var s = new StringBuilder(text);
        for (int k = 0; k < edits; k++)
        {
            int at = random.Next(s.Length + 1), length = Math.Min(random.Next(1, 6), s.Length - at);
            switch (random.Next(4))
            {
                case 0 when length > 0: s.Remove(at, length); break;
                case 1: s.Insert(at, Vocabulary[random.Next(Vocabulary.Length)]); break;
                case 2 when at + 1 < s.Length: (s[at], s[at + 1]) = (s[at + 1], s[at]); break;
                default: if (length > 0) s.Insert(at, s.ToString(at, length)); break;
            }
        }
        return s.ToString();
    }

    /// <summary>All three kinds, mixed: tokens, bytes, and mutations of <paramref name="expressions"/>.</summary>
    public static Gen<string> Any(IReadOnlyList<string> expressions) => Gen.OneOf(Tokens(), Bytes(), Mutations(expressions));

    /// <summary>
    /// The parser's contract on <paramref name="text"/>: it returns an expression or throws a <see cref="ParseException"/>
    /// whose column lies within the text (or just past it), and what it returns prints to text that parses back equal.
    /// Returns null when it holds, else what broke it.
    /// </summary>
    public static string? ParseTotal(string text) => ParseTotal(text, out _);

    /// <summary>As <see cref="ParseTotal(string)"/>; <paramref name="parsed"/> says whether the text parsed (rather than being refused).</summary>
    public static string? ParseTotal(string text, out bool parsed)
    {
        parsed = false;
        Expr expression;
        try { expression = Expr.Parse(text); }
        catch (ParseException e)
        {
            return e.Column >= 1 && e.Column <= text.Length + 1 ? null : $"ParseException column {e.Column} outside 1..{text.Length + 1}";
        }
        catch (Exception e) { return $"{e.GetType().Name} escaped Parse: {e.Message}"; }
        parsed = true;
        string printed;
        try { printed = expression.ToString(); }
        catch (Exception e) { return $"{e.GetType().Name} from printing: {e.Message}"; }
        try { return Expr.Parse(printed).Equals(expression) ? null : $"prints as {printed}, which parses to {Expr.Parse(printed)}"; }
        catch (Exception e) { return $"the printed text {printed} does not parse: {e.GetType().Name}: {e.Message}"; }
    }
}
