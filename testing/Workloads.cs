// The define-by-run workloads of WORKLOADS.md (W1 vectorized, W2, W3, W4) written once with tensors,
// next to their hand-written C# baselines, so the tests check their figures and the benchmarks time
// the same code.
using Hybrid.Symbolic;
using Hybrid.Tapes;
using Hybrid.Tensors;

namespace Hybrid.Testing;

/// <summary>The tensor workloads and their hand-written baselines.</summary>
public static class Workloads
{
    /// <summary>
    /// A minimal surface on an N×N grid (N² unknowns, zero on the far edges): Σ over cells of
    /// √(1 + (u_{i+1,j} − u_{i,j})² + (u_{i,j+1} − u_{i,j})²) minus <paramref name="load"/>·Σu — the sparse-Hessian workload
    /// (each cell couples three neighbours). A load above about 1/N has no minimum: the area cannot balance it.
    /// </summary>
    public static (Expr Energy, Expr[] Inputs) MinimalSurface(int n, double load = 0)
    {
        var u = new Expr[n + 1, n + 1];
        var inputs = new Expr[n * n];
        for (int i = 0; i <= n; i++)
            for (int j = 0; j <= n; j++)
                u[i, j] = i < n && j < n ? inputs[i * n + j] = Expr.Symbol($"u{i}_{j}") : Expr.Number(0);
        var terms = new List<Expr>(n * n + 1);
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
                terms.Add(Expr.Sqrt(1 + Expr.Pow(u[i + 1, j] - u[i, j], 2) + Expr.Pow(u[i, j + 1] - u[i, j], 2)));
        if (load != 0) terms.Add(-load * Expr.Sum(inputs));
        return (Expr.Sum(terms), inputs);
    }

    /// <summary>W1 starting point: x_i = 0.5 + 0.01·(i mod 7).</summary>
    public static double[] RosenbrockPoint(int n) => Enumerable.Range(0, n).Select(i => 0.5 + 0.01 * (i % 7)).ToArray();

    /// <summary>W1, scalar form: Σ 100 (x_{i+1} − x_i²)² + (1 − x_i)² built term by term as one sum, what a lowered expression is.</summary>
    public static Expr Rosenbrock(Expr[] x) =>
        Expr.Sum(Enumerable.Range(0, x.Length - 1).SelectMany(i => new[] { 100 * Expr.Pow(x[i + 1] - Expr.Pow(x[i], 2), 2), Expr.Pow(1 - x[i], 2) }));

    /// <summary>W1, vectorized: Σ 100 (x[1:] − x[:-1]²)² + (1 − x[:-1])² in a dozen whole-vector operations.</summary>
    public static Tensor Rosenbrock(Tensor x)
    {
        int n = x.Count;
        var (head, tail) = (x.Slice(0, n - 1), x.Slice(1, n - 1));
        var t = tail - head * head;
        var u = 1 - head;
        return 100 * (t * t).Sum() + (u * u).Sum();
    }

    /// <summary>W1 by hand: value, and the gradient written to <paramref name="gradient"/>.</summary>
    public static double RosenbrockByHand(double[] x, double[] gradient)
    {
        double f = 0;
        Array.Clear(gradient);
        for (int i = 0; i < x.Length - 1; i++)
        {
            double t = x[i + 1] - x[i] * x[i], u = 1 - x[i];
            f += 100 * t * t + u * u;
            gradient[i] += -400 * t * x[i] - 2 * u;
            gradient[i + 1] += 200 * t;
        }
        return f;
    }

    /// <summary>W2 by hand: y = 2·xᵀx and its gradient 4x.</summary>
    public static double SeedByHand(double[] x, double[] gradient)
    {
        double y = 0;
        for (int i = 0; i < x.Length; i++) { y += x[i] * x[i]; gradient[i] = 4 * x[i]; }
        return 2 * y;
    }

    /// <summary>W3's parameters and input: W1 (256×784), b1, W2 (10×256), b2, x (784), as WORKLOADS.md defines them.</summary>
    public static (double[,] W1, double[] B1, double[,] W2, double[] B2, double[] X) MlpData()
    {
        var w1 = new double[256, 784];
        var w2 = new double[10, 256];
        for (int i = 0; i < 256; i++) for (int j = 0; j < 784; j++) w1[i, j] = 0.05 * Math.Sin(7 * i + 3 * j);
        for (int k = 0; k < 10; k++) for (int i = 0; i < 256; i++) w2[k, i] = 0.05 * Math.Sin(7 * k + 3 * i);
        return (w1, Enumerable.Range(0, 256).Select(i => 0.01 * Math.Cos(i)).ToArray(), w2,
            Enumerable.Range(0, 10).Select(k => 0.01 * Math.Cos(k)).ToArray(), Enumerable.Range(0, 784).Select(j => Math.Cos(0.1 * j)).ToArray());
    }

    /// <summary>W3: loss = Σ tanh(W2·tanh(W1·x + b1) + b2).</summary>
    public static Tensor Mlp(Tensor w1, Tensor b1, Tensor w2, Tensor b2, Tensor x) =>
        Tensor.Tanh(Tensor.MatMul(w2, Tensor.Tanh(Tensor.MatMul(w1, x) + b1)) + b2).Sum();

    /// <summary>W3 by hand: the loss, and the gradients written to the four buffers (row-major matrices).</summary>
    public static double MlpByHand(double[] w1, double[] b1, double[] w2, double[] b2, double[] x, double[] dw1, double[] db1, double[] dw2, double[] db2)
    {
        int inputs = x.Length, hidden = b1.Length, outputs = b2.Length;
        Span<double> h = stackalloc double[hidden], delta = stackalloc double[hidden];
        for (int i = 0; i < hidden; i++)
        {
            double z = b1[i];
            for (int j = 0; j < inputs; j++) z += w1[i * inputs + j] * x[j];
            h[i] = Math.Tanh(z);
        }
        double loss = 0;
        delta.Clear();
        for (int k = 0; k < outputs; k++)
        {
            double z = b2[k];
            for (int i = 0; i < hidden; i++) z += w2[k * hidden + i] * h[i];
            double o = Math.Tanh(z), d = 1 - o * o;
            loss += o;
            db2[k] = d;
            for (int i = 0; i < hidden; i++) { dw2[k * hidden + i] = d * h[i]; delta[i] += d * w2[k * hidden + i]; }
        }
        for (int i = 0; i < hidden; i++)
        {
            double d = delta[i] * (1 - h[i] * h[i]);
            db1[i] = d;
            for (int j = 0; j < inputs; j++) dw1[i * inputs + j] = d * x[j];
        }
        return loss;
    }

    /// <summary>W4, the chapter's control flow: b = 2a; while ‖b‖ &lt; 1000: b = 2b; c = Σb &gt; 0 ? b : 100b.</summary>
    public static Tensor ControlFlow(Tensor a)
    {
        var b = a * 2;
        while (b.Norm() < 1000) b = b * 2;
        return b.Sum() > 0 ? b : 100 * b;
    }

    /// <summary>W4 by hand: c and dc/da for a scalar a.</summary>
    public static double ControlFlowByHand(double a, out double gradient)
    {
        double b = 2 * a, slope = 2;
        while (Math.Abs(b) < 1000) { b *= 2; slope *= 2; }
        if (b > 0) { gradient = slope; return b; }
        gradient = 100 * slope;
        return 100 * b;
    }
}
