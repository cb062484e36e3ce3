// The facet check of one row of the function table: every facet it declares, and every layer that
// reads it, at points from the row's own sampler. The table's own test runs it on every row (with an
// independent value oracle on top); a user runs it on a function added with Primitives.Register.
using System.Globalization;
using Hybrid.Numerics;
using Hybrid.Symbolic;
using Hybrid.Tapes;
using Hybrid.Tensors;
using MathNet.Numerics.LinearAlgebra;

namespace Hybrid.Testing;

/// <summary>
/// Checks one primitive (declared or registered) facet by facet and layer by layer: exact partials against numeric
/// partials and central finite differences, exact second partials, the vector kernels, text round trip, the tape
/// (interpreted, compiled, batched, Hessian-vector product), Tensor (first and second order) and Trace.
/// </summary>
public static class PrimitiveCheck
{
    /// <summary>Every disagreement found at <paramref name="trials"/> sampled points; empty when the row is consistent.</summary>
    /// <param name="row">The row to check.</param>
    /// <param name="trials">Points drawn from the row's <see cref="Primitive.Sample"/>.</param>
    /// <param name="seed">The seed of the draws, so a failure replays.</param>
    public static IReadOnlyList<string> Failures(Primitive row, int trials = 10, int seed = 1)
    {
        ArgumentNullException.ThrowIfNull(row);
        var failures = new List<string>();
        void Expect(bool ok, string what) { if (!ok) failures.Add($"{row.Name}: {what}"); }
        var random = new Random(seed);
        var symbols = row.Parameters.Select(p => Expr.Symbol(p + "_")).ToArray();
        var applied = row.Apply(symbols);
        Expect(applied.Equals(Expr.Parse(applied.ToString())), $"{applied} does not read back from its text");
        Expect(!applied.ToLatex().Contains("{0}", StringComparison.Ordinal), $"LaTeX {applied.ToLatex()} has an unfilled argument");
        var points = Enumerable.Range(0, trials).Select(_ => row.Sample(random)).ToArray();
        foreach (var point in points)
        {
            Expect(point.Length == row.Arity && row.Domain(point), $"the sampler gave ({Show(point)}), outside the domain");
            CheckPartials(row, symbols, applied, point, Expect);
        }
        CheckTape(row, symbols, applied, points, Expect);
        CheckTensor(row, symbols, applied, points, Expect);
        CheckTrace(row, points[0], Expect);
        return failures;
    }

    /// <summary>Throws with every disagreement listed when <see cref="Failures"/> finds any (for a test).</summary>
    /// <exception cref="InvalidOperationException">The row disagrees with itself somewhere; the message lists where.</exception>
    public static void Verify(Primitive row, int trials = 10, int seed = 1)
    {
        var failures = Failures(row, trials, seed);
        if (failures.Count > 0) throw new InvalidOperationException($"{failures.Count} facet check(s) failed:\n" + string.Join("\n", failures.Take(20)));
    }

    // Where's condition is a selector, not a variable: no derivative is checked along it.
    private static bool Differentiable(Primitive row, int k) => !(row.Chain is not null && k == 0);

    private static Dictionary<string, double> Bindings(Expr[] symbols, double[] point) =>
        symbols.Select((s, i) => (s.ToString(), point[i])).ToDictionary(p => p.Item1, p => p.Item2);

    private static void CheckPartials(Primitive row, Expr[] symbols, Expr applied, double[] point, Action<bool, string> expect)
    {
        var bindings = Bindings(symbols, point);
        double value = row.Evaluate(point);
        expect(Same(applied.Evaluate(bindings), value), $"Evaluate({Show(point)}) is {value}, the expression evaluates to {applied.Evaluate(bindings)}");
        if (row.VectorEvaluate is { } vector)
        {
            var y = new double[1];
            vector(point, y);
            expect(FiniteDifference.Close(y[0], value, 1e-14, 1e-300) || Same(y[0], value), $"vector kernel at {Show(point)} gives {y[0]}, Evaluate {value}");
            if (row.VectorPartial is { } vectorPartial)
            {
                var d = new double[1];
                vectorPartial(point, [value], d);
                double numeric = row.NumericPartials[0](point);
                expect(FiniteDifference.Close(d[0], numeric, 1e-13, 1e-300) || Same(d[0], numeric), $"vector partial at {Show(point)} gives {d[0]}, the numeric partial {numeric}");
            }
        }
        for (int k = 0; k < row.Arity; k++)
        {
            if (!Differentiable(row, k)) continue;
            var partial = applied.Differentiate(symbols[k]);
            double exact = partial.Evaluate(bindings, EvaluationOptions.Derivative), numeric = row.NumericPartials[k](point);
            expect(FiniteDifference.Close(exact, numeric, 1e-12, 1e-14), $"∂/∂{row.Parameters[k]} at ({Show(point)}): exact {exact}, numeric partial {numeric}");
            int kk = k;
            double fd = FiniteDifference.Derivative(t => row.Evaluate(With(point, kk, t)), point[k]);
            expect(FiniteDifference.Close(exact, fd, 1e-7, 1e-8), $"∂/∂{row.Parameters[k]} at ({Show(point)}): exact {exact}, finite difference {fd}");
            double second = partial.Differentiate(symbols[k]).Evaluate(bindings, EvaluationOptions.Derivative);
            var (fd2, error) = FiniteDifference.DerivativeWithError(t => row.NumericPartials[kk](With(point, kk, t)), point[k]);
            expect(error > 1e-6 * (1 + Math.Abs(fd2)) || FiniteDifference.Close(second, fd2, 1e-6, 1e-7), $"∂²/∂{row.Parameters[k]}² at ({Show(point)}): exact {second}, finite difference {fd2}");
        }
    }

    // The row lowered alone: the interpreted, compiled and batched tapes agree bit for bit on values and
    // gradients (they call the same row functions), the gradient is the numeric partials, and H·v is the
    // exact Hessian times v.
    private static void CheckTape(Primitive row, Expr[] symbols, Expr applied, double[][] points, Action<bool, string> expect)
    {
        var tape = Tape.Lower(applied, symbols);
        var compiled = tape.Compile();
        var workspace = tape.CreateWorkspace();
        int n = row.Arity;
        var hessian = applied.Hessian(symbols);
        var direction = Enumerable.Range(0, n).Select(k => Differentiable(row, k) ? 0.5 + k : 0).ToArray();
        foreach (var point in points)
        {
            var (gradient, compiledGradient, hv) = (new double[n], new double[n], new double[n]);
            double value = tape.Gradient(point, gradient, workspace);
            double compiledValue = compiled.Gradient(point, compiledGradient, compiled.CreateWorkspace());
            expect(Same(value, row.Evaluate(point)) && Same(compiledValue, value), $"tape value at ({Show(point)}): interpreted {value}, compiled {compiledValue}, row {row.Evaluate(point)}");
            for (int k = 0; k < n; k++)
            {
                expect(Same(compiledGradient[k], gradient[k]), $"compiled ∂/∂{row.Parameters[k]} {compiledGradient[k]}, interpreted {gradient[k]}");
                if (Differentiable(row, k))
                    expect(Same(gradient[k], row.NumericPartials[k](point)), $"tape ∂/∂{row.Parameters[k]} at ({Show(point)}) is {gradient[k]}, the numeric partial {row.NumericPartials[k](point)}");
            }
            tape.HessianVectorProduct(point, direction, hv, workspace);
            var bindings = Bindings(symbols, point);
            for (int k = 0; k < n; k++)
            {
                if (!Differentiable(row, k)) continue;
                double expected = Enumerable.Range(0, n).Sum(l => direction[l] == 0 ? 0 : hessian[k, l].Evaluate(bindings, EvaluationOptions.Derivative) * direction[l]);
                expect(FiniteDifference.Close(hv[k], expected, 1e-9, 1e-9), $"tape (H·v)[{k}] at ({Show(point)}) is {hv[k]}, exact {expected}");
            }
        }
        var matrix = Matrix<double>.Build.DenseOfRowArrays(points);
        var (values, gradients) = tape.Batched(blockSize: 4).Gradient(matrix);
        for (int p = 0; p < points.Length; p++)
        {
            var interpreted = new double[n];
            double v = tape.Gradient(points[p], interpreted, workspace);
            expect(Same(values[p], v) && Enumerable.Range(0, n).All(k => Same(gradients[p, k], interpreted[k])),
                $"batched value/gradient at ({Show(points[p])}) differ from the interpreter's");
        }
    }

    // The row elementwise on tensors, on a few elements (scalar path) and on more than 16 (vector kernels).
    private static void CheckTensor(Primitive row, Expr[] symbols, Expr applied, double[][] points, Action<bool, string> expect)
    {
        int n = row.Arity;
        // Second order through createGraph is checked along the first differentiable parameter: its diagonal second partial.
        int first = Enumerable.Range(0, n).First(k => Differentiable(row, k));
        var second = applied.Differentiate(symbols[first]).Differentiate(symbols[first]);
        foreach (int count in new[] { 3, 40 })
        {
            var rows = Enumerable.Range(0, count).Select(i => points[i % points.Length]).ToArray();
            var inputs = Enumerable.Range(0, n).Select(k => Tensor.FromArray(rows.Select(r => r[k]).ToArray()).RequiresGrad(Differentiable(row, k))).ToArray();
            var y = Tensor.Apply(row, inputs);
            var values = y.ToArray();
            for (int i = 0; i < count; i++)
                expect(FiniteDifference.Close(values[i], row.Evaluate(rows[i]), 1e-14, 1e-300) || Same(values[i], row.Evaluate(rows[i])),
                    $"Tensor value at ({Show(rows[i])}) is {values[i]}, the row's {row.Evaluate(rows[i])}");
            if (!inputs.Any(t => t.RequiresGradient)) continue;
            y.Sum().Backward();
            for (int k = 0; k < n; k++)
            {
                if (!Differentiable(row, k)) continue;
                var grad = inputs[k].Grad!.ToArray();
                for (int i = 0; i < count; i++)
                {
                    double expected = row.NumericPartials[k](rows[i]);
                    expect(FiniteDifference.Close(grad[i], expected, 1e-13, 1e-300) || Same(grad[i], expected), $"Tensor ∂/∂{row.Parameters[k]} at ({Show(rows[i])}) is {grad[i]}, the numeric partial {expected}");
                }
            }
            var fresh = Enumerable.Range(0, n).Select(k => Tensor.FromArray(rows.Select(r => r[k]).ToArray()).RequiresGrad(k == first)).ToArray();
            var firstGrad = Autograd.Grad([Tensor.Apply(row, fresh).Sum()], [fresh[first]], createGraph: true)[0];
            var secondGrad = firstGrad.RequiresGradient ? Autograd.Grad([firstGrad.Sum()], [fresh[first]])[0].ToArray() : new double[count];
            for (int i = 0; i < count; i++)
            {
                double expected = second.Evaluate(Bindings(symbols, rows[i]), EvaluationOptions.Derivative);
                expect(FiniteDifference.Close(secondGrad[i], expected, 1e-9, 1e-9), $"Tensor second partial at ({Show(rows[i])}) is {secondGrad[i]}, exact {expected}");
            }
        }
    }

    // A traced call lifts back to the row applied to the trace's symbols, and replays to the row's value.
    private static void CheckTrace(Primitive row, double[] point, Action<bool, string> expect)
    {
        var names = row.Parameters.Select(p => p + "_").ToArray();
        var trace = Trace.Record(t => Tensor.Apply(row, t), names, point.Select(Tensor.Scalar).ToArray());
        var expected = row.Apply(names.Select(Expr.Symbol).ToArray());
        expect(trace.Output.Equals(expected), $"Trace lifts to {trace.Output}, not {expected}");
        expect(Same(trace.Evaluate(point), row.Evaluate(point)), $"Trace replays to {trace.Evaluate(point)} at ({Show(point)}), the row gives {row.Evaluate(point)}");
    }

    private static bool Same(double a, double b) => a.Equals(b);   // bit for bit, NaN equal to NaN

    private static double[] With(double[] point, int i, double value)
    {
        var copy = (double[])point.Clone();
        copy[i] = value;
        return copy;
    }

    private static string Show(double[] point) => string.Join(", ", point.Select(v => v.ToString("R", CultureInfo.InvariantCulture)));
}
