// `soak [N]` and `text`: the hostile-input checks that are too long for CI. soak feeds N (default a
// million) generated hostile texts to the parser — random tokens, random bytes, mutated corpus
// expressions — and counts how each ended; text times the linear-text cases of issue 11.
using Hybrid.Tapes;
using System.Diagnostics;
using FsCheck.Fluent;
using Hybrid.Symbolic;
using Hybrid.Testing;

namespace Hybrid.Bench;

public static class Soak
{
    public static int Run(TextWriter output, int count)
    {
        var texts = RubiCorpus.Load(Corpus.Path).SelectMany(p => new[] { p.F, p.f }).ToArray();
        var generator = HostileText.Any(texts);
        int parsed = 0, refused = 0, broken = 0;
        var clock = Stopwatch.StartNew();
        const int batch = 10_000;
        for (int done = 0; done < count; done += batch)
        {
            foreach (var text in generator.Sample(Math.Min(batch, count - done), 50))
            {
                if (HostileText.ParseTotal(text, out bool accepted) is { } failure)
                {
                    if (++broken <= 10) output.WriteLine($"  broken: {failure} for {System.Text.Json.JsonSerializer.Serialize(text)}");
                }
                else if (accepted) parsed++;
                else refused++;
            }
        }
        output.WriteLine($"soak: {count} hostile texts in {clock.Elapsed.TotalSeconds:0.0} s: {parsed} parsed and printed back equal, {refused} ParseException, {broken} broken");
        return broken == 0 ? 0 : 1;
    }

    public static void Text(TextWriter output)
    {
        void Time(string what, Func<object> work)
        {
            work();   // warm
            var clock = Stopwatch.StartNew();
            var result = work();
            output.WriteLine($"  {what,-58} {clock.Elapsed.TotalSeconds,6:0.00} s  {result}");
        }
        const int n = 1_000_000;
        var rnd = new Random(1);
        var shapes = new (string Name, string Text)[]
        {
            ("sum of 10^6 symbols x0 + x1 + ...", string.Join(" + ", Enumerable.Range(0, n).Select(i => $"x{i}"))),
            ("polynomial of 10^6 terms k*x^i", string.Join(" + ", Enumerable.Range(0, n).Select(i => $"{i % 97 + 2}*x^{i}"))),
            ("10^6 mixed terms k*sin(xi)*yj^p", string.Join(" - ", Enumerable.Range(0, n).Select(_ => $"{rnd.Next(1, 9)}*sin(x{rnd.Next(1000)})*y{rnd.Next(1000)}^{rnd.Next(1, 5)}"))),
            ("sin(sin(...(x))) 10^6 deep", string.Concat(Enumerable.Repeat("sin(", n)) + "x" + new string(')', n)),
        };
        output.WriteLine("text (seconds, after one warm-up run):");
        foreach (var (name, text) in shapes)
        {
            var e = Expr.Parse(text);
            Time("parse: " + name, () => Expr.Parse(text).DagSize() + " nodes");
            Time("print: " + name, () => e.ToString().Length + " chars");
        }
        var literal = new string('7', n);
        Time("parse: a 10^6-digit integer literal (refused: MaxLiteralDigits)", () =>
        {
            try { return Expr.Parse(literal); } catch (ParseException ex) { return ex.Reason[..40] + "..."; }
        });
        foreach (int depth in new[] { 20_000, 100_000 })
        {
            var x = Expr.Symbol("x");
            var f = x;
            for (int i = 0; i < depth; i++) f = i % 2 == 0 ? Expr.Sin(f) : Expr.Exp(f) - 1;
            var tape = Tape.Lower(f, x);
            Time($"Tape.ToString of a {depth}-deep chain", () => tape.ToString().Length + " chars");
        }
    }
}
