// The facet test of the instruction set: for every opcode, an expression that lowers to it, checked on
// every layer that has a rule per opcode (interpreter, compiled code in locals and in chunks, batched
// blocks, forward mode, second order, Lift, the listing) against the exact symbolic derivatives.
// Exercising is a switch expression with no discard: a new opcode does not build until it has a case
// here, and then this test fails on every layer that lacks its rule.
using MathNet.Numerics.LinearAlgebra;

namespace Hybrid.Tapes.Tests;

public class OpCodeFacetTests
{
    private static readonly Expr x = Symbol("x"), y = Symbol("y");

    internal static Expr Exercising(OpCode op) => op switch
    {
        OpCode.Input => x * y,
        OpCode.Constant => Atan2(Pi, x) + y,
        OpCode.Linear => 2 * Sin(x) - 3 * Cos(y),
        OpCode.SquaredLinear => Pow(x - 2 * y, 2),
        OpCode.Multiply => x * y * Sin(x),
        OpCode.Square => Pow(Sin(x), 2) + y,
        OpCode.Reciprocal => 1 / (Pow(x, 2) + y),
        OpCode.Sqrt => Sqrt(Pow(x, 2) + y),
        OpCode.PowConstant => Pow(Pow(x, 2) + y, Rational(5, 3)),
        OpCode.Pow => Pow(Pow(x, 2) + 1, y),
        OpCode.Call => Atan2(y, x) * Erf(x),
    };

    public static TheoryData<OpCode> OpCodes() => new(Enum.GetValues<OpCode>());

    [Theory]
    [MemberData(nameof(OpCodes))]
    public void EveryLayerAgreesWithTheExactDerivatives(OpCode op)
    {
        var f = Exercising(op);
        var tape = Tape.Lower(f, x, y);
        Assert.Contains(op, tape.Instructions.Ops);
        Assert.Equal(tape.Length + 1, tape.ToString().Split('\n').Length);   // the listing: a line per instruction, then the outputs
        var exact = f.Gradient(x, y);
        var hessian = f.Hessian(x, y);
        var ws = tape.CreateWorkspace();
        double[] direction = [0.75, -1.25];
        foreach (double[] point in new[] { new[] { 0.7, 1.3 }, new[] { 1.9, 0.4 } })
        {
            var bindings = new Dictionary<string, double> { ["x"] = point[0], ["y"] = point[1] };
            double[] expected = [exact[0].Evaluate(bindings), exact[1].Evaluate(bindings)];
            var gradient = new double[2];
            double value = tape.Gradient(point, gradient, ws);
            Assert.Equal(f.Evaluate(bindings), value, 1e-12);
            for (int k = 0; k < 2; k++) Assert.True(FiniteDifference.Close(gradient[k], expected[k], 1e-12, 1e-12), $"{op}: interpreted ∂{k} {gradient[k]}, exact {expected[k]}");

            foreach (var compiled in new[] { new CompiledTape(tape), new CompiledTape(tape, localsLimit: 0, chunkLength: 2) })
            {
                var g = new double[2];
                Assert.Equal(value, compiled.Gradient(point, g, tape.CreateWorkspace()));
                Assert.Equal(gradient, g);
            }
            var (values, gradients) = tape.Batched(blockSize: 2).Gradient(Matrix<double>.Build.DenseOfRowArrays(point, point, point));
            Assert.Equal(value, values[2]);
            Assert.Equal(gradient, gradients.Row(2).ToArray());

            var jvp = new double[1];
            tape.JacobianVectorProduct(point, direction, jvp, ws);
            Assert.Equal(expected[0] * direction[0] + expected[1] * direction[1], jvp[0], 1e-12);

            var hv = new double[2];
            tape.HessianVectorProduct(point, direction, hv, ws);
            for (int k = 0; k < 2; k++)
            {
                double h = hessian[k, 0].Evaluate(bindings) * direction[0] + hessian[k, 1].Evaluate(bindings) * direction[1];
                Assert.True(FiniteDifference.Close(hv[k], h, 1e-10, 1e-10), $"{op}: (H·v)[{k}] {hv[k]}, exact {h}");
            }
            Assert.Equal(value, tape.Lift()[0].Evaluate(bindings), 1e-12);
        }
    }
}
