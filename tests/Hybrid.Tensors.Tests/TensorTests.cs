// Tensor beyond the chapter: every row elementwise, agreement with the lifted expression, matrices, shapes, misuse, printing, anomalies, depth.

namespace Hybrid.Tensors.Tests;

public class TensorTests
{
    [Fact]
    public void HessianVectorProductsOfASmallNetworkMatchTheSymbolicHessian()
    {
        // A 2-3-1 tanh network as a function of its 13 parameters, at one input.
        var theta = Tensor.Random(11, 13) - 0.5;
        var v = Tensor.Random(12, 13) - 0.5;
        static Tensor Loss(Tensor p)
        {
            var w1 = Tensor.FromArray(new double[,] { { 1, 0 }, { 0, 1 }, { 1, 1 } });   // fixed structure, scaled by parameters below
            var x = Tensor.FromArray(0.5, -1.5);
            var hidden = Enumerable.Range(0, 3).Select(i => Tensor.Tanh(p[2 * i] * x[0] + p[2 * i + 1] * x[1] + p[6 + i])).ToArray();
            var output = hidden.Select((h, i) => p[9 + i] * h).Aggregate((a, b) => a + b) + p[12];
            return Tensor.Pow(output - 0.25, 2);
        }
        var leaf = theta.Detach().RequiresGrad();
        var gradient = Autograd.Grad([Loss(leaf)], [leaf], createGraph: true)[0];
        var hv = Autograd.Grad([Tensor.Dot(gradient, v)], [leaf])[0];

        var trace = Trace.Record(Loss, "p", theta);
        var hessian = trace.Output.Hessian([.. trace.Symbols]);
        var point = trace.Symbols.Select((s, i) => (s.ToString(), theta.ToArray()[i])).ToDictionary(p => p.Item1, p => p.Item2);
        for (int i = 0; i < 13; i++)
        {
            double expected = Enumerable.Range(0, 13).Sum(j => hessian[i, j].Evaluate(point) * v.ToArray()[j]);
            Assert.Equal(expected, hv.ToArray()[i], 1e-12);
        }
    }

    private static readonly ExpressionShape smooth = new() { Variables = ["x", "y"] };

    [Property(MaxTest = 100)]
    public Property EveryPrimitiveWorksElementwiseWithExactDerivatives() =>
        Prop.ForAll(Gen.Elements(Primitives.All.ToArray()).ToArbitrary(), Gen.Choose(0, 1000).ToArbitrary(), (row, seed) =>
        {
            var random = new Random(seed);
            var samples = Enumerable.Range(0, 3).Select(_ => row.Sample(random)).ToArray();
            var args = Enumerable.Range(0, row.Arity).Select(k => Tensor.FromArray(samples.Select(s => s[k]).ToArray()).RequiresGrad()).ToArray();
            var y = Tensor.Apply(row, args);
            y.Sum().Backward();
            bool ok = true;
            for (int i = 0; i < 3; i++)
            {
                ok &= FiniteDifference.Close(y.ToArray()[i], row.Evaluate(samples[i]), 1e-15, 1e-15);
                for (int k = 0; k < row.Arity; k++) ok &= FiniteDifference.Close(args[k].Grad!.ToArray()[i], row.NumericPartials[k](samples[i]), 1e-12, 1e-12);
            }
            return ok.Label($"{row.Name} at {string.Join("; ", samples.Select(s => string.Join(", ", s)))}");
        });

    [Property(MaxTest = 100)]
    public Property TensorGradientsAgreeWithTheLiftedExpression() =>
        Prop.ForAll(Generators.ExpressionsAtPoints(smooth), pair =>
        {
            // Evaluate a generated expression on tensors (every primitive through Apply, arithmetic through operators).
            var (f, point) = pair;
            var x = Tensor.Scalar(point["x"]).RequiresGrad();
            var y = Tensor.Scalar(point["y"]).RequiresGrad();
            var value = OnTensors(f, x, y);
            if (!value.RequiresGradient || !double.IsFinite(value.Item()) || Math.Abs(value.Item()) > 1e6) return Prop.When(false, () => true);
            value.Backward();
            var trace = Trace.Record(t => OnTensors(f, t[0], t[1]), ["x", "y"], Tensor.Scalar(point["x"]), Tensor.Scalar(point["y"]));
            var exact = trace.Output.Gradient([.. trace.Symbols]).Select(d => d.Evaluate(point)).ToArray();
            if (!exact.All(double.IsFinite)) return Prop.When(false, () => true);
            return Prop.When(true, () =>
                FiniteDifference.Close(x.Grad?.Item() ?? 0, exact[0], 1e-9, 1e-9) && FiniteDifference.Close(y.Grad?.Item() ?? 0, exact[1], 1e-9, 1e-9)
                && FiniteDifference.Close(trace.Output.Evaluate(point), f.Evaluate(point), 1e-12, 1e-12))
                .Label($"{f}: tensors {x.Grad}, {y.Grad}; lifted {trace.Output}: {exact[0]}, {exact[1]}");
        });

    private static Tensor OnTensors(Expr f, Tensor x, Tensor y) => Gradients.OnTensors(f, ["x", "y"], [x, y]);

    [Fact]
    public void MatricesVectorsAndTheirGradients()
    {
        var w = Tensor.FromArray(new double[,] { { 1, 2, 3 }, { 4, 5, 6 } }).RequiresGrad();
        var x = Tensor.FromArray(1, -1, 2).RequiresGrad();
        var y = Tensor.MatMul(w, x);
        Assert.Equal([5, 11], y.ToArray());
        var loss = Tensor.Sigmoid(y).Mean() + Tensor.MatMul(w, w.Transpose())[0, 1] + Tensor.Relu(x).Sum() + Tensor.Abs(x)[1];
        loss.Backward();
        var trace = Trace.Record(t =>
        {
            var yy = Tensor.MatMul(t[0], t[1]);
            return Tensor.Sigmoid(yy).Mean() + Tensor.MatMul(t[0], t[0].Transpose())[0, 1] + Tensor.Relu(t[1]).Sum() + Tensor.Abs(t[1])[1];
        }, ["w", "x"], w, x);
        var point = trace.Symbols.Zip(w.ToArray().Concat(x.ToArray())).ToDictionary(p => p.First.ToString(), p => p.Second);
        var exact = trace.Output.Gradient([.. trace.Symbols]).Select(d => d.Evaluate(point)).ToArray();
        Assert.Equal(exact.Take(6), w.Grad!.ToArray(), (a, b) => Math.Abs(a - b) < 1e-12);
        Assert.Equal(exact.Skip(6), x.Grad!.ToArray(), (a, b) => Math.Abs(a - b) < 1e-12);
        Assert.Equal(w.ToMatrix() * x.ToVector(), y.ToVector());
    }

    [Fact]
    public void BadShapesAndMisuseAreNamed()
    {
        var v = Tensor.Ones(3);
        Assert.StartsWith("Add: shapes [3] and [4] do not match", Assert.Throws<ArgumentException>(() => v + Tensor.Ones(4)).Message);
        Assert.StartsWith("MatMul: shapes [2, 3] and [2] do not fit", Assert.Throws<ArgumentException>(() => Tensor.MatMul(Tensor.Ones(2, 3), Tensor.Ones(2))).Message);
        Assert.StartsWith("Dot: needs two vectors of equal length; got shapes [3] and [2, 3].", Assert.Throws<ArgumentException>(() => Tensor.Dot(v, Tensor.Ones(2, 3))).Message);
        Assert.StartsWith("Item() needs a tensor with one element; this one has shape [3].", Assert.Throws<InvalidOperationException>(() => v.Item()).Message);
        Assert.StartsWith("The index 3 is outside [-3, 3) for shape [3].", Assert.Throws<ArgumentOutOfRangeException>(() => v[3]).Message);
        Assert.Equal(2, v[-1].Item() + 1);
        Assert.StartsWith("Shape [65536, 65536] has more than 268435456 elements", Assert.Throws<ArgumentException>(() => Tensor.Zeros(65536, 65536)).Message);
        Assert.StartsWith("Tensors have at most 64 dimensions; this shape has 65.", Assert.Throws<ArgumentException>(() => Tensor.Zeros(Enumerable.Repeat(1, 65).ToArray())).Message);
        var x = Tensor.Arange(2).RequiresGrad();
        Assert.StartsWith("RequiresGrad applies to leaf tensors only", Assert.Throws<InvalidOperationException>(() => (x * 2).RequiresGrad()).Message);
        Assert.StartsWith("An input of shape [3] was not used", Assert.Throws<InvalidOperationException>(() => Autograd.Grad([x.Sum()], [v.RequiresGrad()])).Message);
    }

    [Fact]
    public void PrintingShapesValuesAndSummarizesLargeTensors()
    {
        Assert.Equal("tensor(2.5)", Tensor.Scalar(2.5).ToString());
        Assert.Equal("tensor([[1, 2], [3, 4]])", Tensor.FromArray(new double[,] { { 1, 2 }, { 3, 4 } }).ToString());
        Assert.Equal("tensor([0, 1, 2, ..., 9997, 9998, 9999])", Tensor.Arange(10_000).ToString());
        Assert.Equal("tensor([[0, 0, 0, ..., 0, 0, 0], [0, 0, 0, ..., 0, 0, 0], [0, 0, 0, ..., 0, 0, 0], ..., [0, 0, 0, ..., 0, 0, 0], "
            + "[0, 0, 0, ..., 0, 0, 0], [0, 0, 0, ..., 0, 0, 0]])", Tensor.Zeros(100, 100).ToString());
    }

    [Fact]
    public void NonLeafGradientsAreKeptOnlyWhenRetained()
    {
        var x = Tensor.Arange(3).RequiresGrad();
        var y = x * 3;
        var z = (y * y).RetainGrad();
        (z.Sum() + y.Sum()).Backward();
        Assert.Null(y.Grad);
        Assert.Equal([1, 1, 1], z.Grad!.ToArray());
        Assert.Equal([3, 21, 39], x.Grad!.ToArray());
    }

    [Fact]
    public void AnomalyDetectionNamesTheOperationThatMadeNaN()
    {
        var x = Tensor.FromArray(-1, 2).RequiresGrad();
        var y = Tensor.Sqrt(Tensor.Log(x) + 3);
        using (Autograd.DetectAnomaly())
        {
            var error = Assert.Throws<ArithmeticException>(() => y.Sum().Backward(retainGraph: true));
            Assert.StartsWith("Backward of Sqrt produced NaN in the gradient of its input 0 (shape [2])", error.Message);
        }
        y.Sum().Backward();
        Assert.True(double.IsNaN(x.Grad!.ToArray()[0]));
    }

    [Fact]
    public void ADeepChainBackpropagatesWithoutRecursion()
    {
        var x = Tensor.Scalar(0.5).RequiresGrad();
        var y = x;
        for (int i = 0; i < 200_000; i++) y = y * 1.0 + 0.0;
        y.Backward();
        Assert.Equal(1, x.Grad!.Item());
    }
}
