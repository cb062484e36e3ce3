// The automatic-differentiation chapter of Dive into Deep Learning, step by step, in C#. `hybrid
// demo` prints it, and docs/autograd.md shows this code with the output it prints: a test checks
// that every code line of the guide is here and that the guide's outputs are exactly what this prints.
using System.Runtime.CompilerServices;
using Hybrid.Symbolic;
using Hybrid.Tapes;
using Hybrid.Tensors;

namespace Hybrid.Cli;

/// <summary>The autograd walkthrough of <c>docs/autograd.md</c>.</summary>
public static class Walkthrough
{
    /// <summary>The chapter's function with control flow: doubling until the norm passes 1000, then a branch on the sign.</summary>
    public static Tensor F(Tensor a)
    {
        var b = a * 2;
        while (b.Norm() < 1000) b = b * 2;
        var c = b.Sum() > 0 ? b : 100 * b;
        return c;
    }

    /// <summary>
    /// Runs every step, writing each step's output (steps separated by a blank line). With
    /// <paramref name="annotate"/>, each step gets its title and each value the code that printed it
    /// (what <c>hybrid demo</c> shows); without, the bare values (what docs/autograd.md shows).
    /// </summary>
    public static void Run(TextWriter output, bool annotate = false)
    {
        void Print(object? value, [CallerArgumentExpression(nameof(value))] string code = "")
        {
            if (!annotate)
            {
                output.WriteLine(value);
                return;
            }
            // The code on the left, its value on the right; a long or multi-line value goes below.
            string text = value?.ToString() ?? "null";
            if (code.Length <= 36 && !text.Contains('\n')) output.WriteLine($"  {code,-36}  {text}");
            else output.WriteLine($"  {code}{Environment.NewLine}      {text.Replace("\n", "\n      ")}");
        }
        void Title(string title)
        {
            if (annotate) output.WriteLine(title);
        }
        void Step() => output.WriteLine();

        Title("1. A simple function");
        var x = Tensor.Arange(4);
        Print(x);
        x.RequiresGrad();
        Print(x.Grad is null);
        var y = 2 * Tensor.Dot(x, x);
        Print(y);
        y.Backward();
        Print(x.Grad);
        Step();

        Title("2. Gradients accumulate in one reused buffer until zeroed");
        var buffer = x.Grad;
        x.ZeroGrad();
        y = x.Sum();
        y.Backward();
        Print(x.Grad);
        Print(ReferenceEquals(buffer, x.Grad));
        Step();

        Title("3. A non-scalar output needs a gradient (or a sum)");
        x.ZeroGrad();
        y = x * x;
        try { y.Backward(); }
        catch (InvalidOperationException e) { Print(e.Message); }
        y.Backward(gradient: Tensor.OnesLike(y));
        Print(x.Grad);
        Step();

        Title("4. Detaching computation");
        x.ZeroGrad();
        y = x * x;
        var u = y.Detach();
        var z = u * x;
        z.Sum().Backward();
        Print(x.Grad);
        Print(u.RequiresGradient);
        x.ZeroGrad();
        y.Sum().Backward();
        Print(x.Grad);
        Step();

        Title("5. Gradients and Python (here: C#) control flow");
        var a = Tensor.Scalar(0.37).RequiresGrad();
        var d = F(a);
        d.Backward();
        Print(d);
        Print(a.Grad);
        Print(a.Grad!.Item() == d.Item() / a.Item());
        Step();

        Title("5. The exercise: a vector and a matrix a (F(a) is no longer a scalar: sum it)");
        var av = Tensor.FromArray(0.37, -0.2, 1.5).RequiresGrad();
        var dv = F(av);
        dv.Sum().Backward();
        Print(av.Grad);
        Print(Tensor.AllClose(av.Grad!, dv / av));
        var am = Tensor.FromArray(new double[,] { { 0.37, -0.2 }, { 1.5, 0.1 } }).RequiresGrad();
        F(am).Sum().Backward();
        Print(am.Grad);
        Step();

        Title("6. Backward twice: the graph is freed unless retained");
        try { d.Backward(); }
        catch (InvalidOperationException e) { Print(e.Message); }
        a.ZeroGrad();
        var e2 = F(a);
        e2.Backward(retainGraph: true);
        e2.Backward();
        Print(a.Grad);
        Step();

        Title("7. Second derivatives: keep the graph of the gradient");
        var t = Tensor.Scalar(1.0).RequiresGrad();
        var s = Tensor.Sin(t);
        var ds = Autograd.Grad([s], [t], createGraph: true)[0];
        var dds = Autograd.Grad([ds], [t])[0];
        Print(ds);
        Print(dds);
        Step();

        Title("8. No grad");
        using (Autograd.NoGrad())
        {
            var w = x * 2;
            Print(w.RequiresGradient);
        }
        Step();

        Title("9. The same path, exactly: trace it to an expression");
        var trace = Trace.Record(F, "a", Tensor.Scalar(0.37));
        Print(trace.Output);
        Print(trace.Output.Differentiate(trace.Symbols[0]));
        Print(trace.Guards[^1].Condition);
        try { trace.Gradient([-0.37], new double[1]); }
        catch (InvalidOperationException e) { Print(e.Message); }
        Step();

        Title("10. The seed done symbolically and on a compiled tape");
        var xs = Expr.Symbols("x0", "x1", "x2", "x3");
        var seed = 2 * Expr.Sum(xs.Select(v => Expr.Pow(v, 2)));
        var symbolicGradient = string.Join(", ", seed.Gradient(xs).Select(g => g.ToString()));
        Print(symbolicGradient);
        var compiled = Tape.Lower(seed, xs).Compile();
        var gradient = new double[4];
        var value = compiled.Gradient([0.0, 1, 2, 3], gradient, compiled.CreateWorkspace());
        Print(value);
        var tapeGradient = string.Join(", ", gradient);
        Print(tapeGradient);
        Step();

        Title("11. N dimensions and broadcasting");
        var m = Tensor.Arange(6.0).Reshape(2, 3).RequiresGrad();
        var bias = Tensor.FromArray(10, 20).Reshape(2, 1).RequiresGrad();
        var shifted = m + bias;
        Print(shifted);
        (shifted * shifted).Sum().Backward();
        Print(bias.Grad);
        Print(m.Sum(1, keepDim: true));
        Print(m[.., 1..]);
        var batch = Tensor.MatMul(Tensor.Ones(2, 1, 3), m.Transpose(0, 1));
        Print(batch);
        Print(Autograd.GradGradCheck(p => Tensor.Tanh(Tensor.MatMul(p[0], p[1])).Prod(1), [Tensor.Randn(2, 3, 4), Tensor.Randn(4, 2)]));
    }
}
