// Hessian-vector products and Hessians agree with the exact symbolic Hessian and with finite differences of the tape's own gradient.

namespace Hybrid.Tapes.Tests;

public class SecondOrderTests
{
    private static readonly Expr x = Symbol("x"), y = Symbol("y");
    private static readonly ExpressionShape smooth = new();

    [Property(MaxTest = 150)]
    public Property HessianVectorProductIsTheSymbolicHessianTimesV() =>
        Prop.ForAll(Generators.ExpressionsAtPoints(smooth), pair =>
        {
            var (f, point) = pair;
            var tape = Tape.Lower(f, x, y);
            var ws = tape.CreateWorkspace();
            double[] at = [point["x"], point["y"]], v = [0.75, -1.25];
            var (hv, hessian) = (new double[2], new double[4]);
            tape.HessianVectorProduct(at, v, hv, ws);
            tape.Hessian(at, hessian, ws);
            var exact = f.Hessian(x, y);
            var h = new double[4];
            for (int i = 0; i < 2; i++) for (int j = 0; j < 2; j++) h[2 * i + j] = exact[i, j].Evaluate(point);
            if (!h.All(e => double.IsFinite(e) && Math.Abs(e) < 1e6)) return Prop.When(false, () => true);
            bool ok = Enumerable.Range(0, 4).All(k => FiniteDifference.Close(hessian[k], h[k], 1e-8, 1e-8))
                      && Enumerable.Range(0, 2).All(i => FiniteDifference.Close(hv[i], h[2 * i] * v[0] + h[2 * i + 1] * v[1], 1e-8, 1e-8));
            return Prop.When(true, () => ok).Label($"{f} at {at[0]}, {at[1]}: tape H = {string.Join(", ", hessian)}, Hv = {string.Join(", ", hv)}; exact H = {string.Join(", ", h)}");
        });

    // Several directions go through one second-order sweep as SIMD lanes (a dense Hessian's blocks of unit vectors, a
    // sparse Hessian's colors); one direction runs on plain doubles. Each lane must compute exactly what it would alone:
    // six variables make blocks of six directions in two vectors, the last one padded.
    [Property(MaxTest = 40, Replay = "(20261129,1000005)")]
    public Property EveryDirectionOfABlockIsBitForBitTheSingleDirectionProduct() =>
        Prop.ForAll(Generators.ArbitraryExpressions(new ExpressionShape { Variables = ["a", "b", "c", "d", "g", "h"], Primitives = ExpressionShape.Everything, MaxDepth = 4 }), f =>
        {
            var inputs = new[] { "a", "b", "c", "d", "g", "h" }.Select(Symbol).ToArray();
            var tape = Tape.Lower(f * Sin(f) + inputs[0] * f, inputs);
            var ws = tape.CreateWorkspace();
            double[] point = [0.7, -1.3, 0.4, 1.9, -0.2, 2.5];
            var hessian = new double[36];
            tape.Hessian(point, hessian, ws);
            bool ok = true;
            for (int j = 0; j < 6; j++)
            {
                var (unit, column) = (new double[6], new double[6]);
                unit[j] = 1;
                tape.HessianVectorProduct(point, unit, column, ws);
                for (int i = 0; i < 6; i++) ok &= BitConverter.DoubleToInt64Bits(column[i]) == BitConverter.DoubleToInt64Bits(hessian[j * 6 + i]) || (double.IsNaN(column[i]) && double.IsNaN(hessian[j * 6 + i]));
            }
            return ok.Label($"f = {f}: H = {string.Join(", ", hessian)}");
        });

    [Fact]
    public void EveryPrimitiveHasSecondPartialsThatMatchFiniteDifferences()
    {
        var random = new Random(7);
        foreach (var row in Primitives.All)
        {
            var second = Tape.SecondPartialsOf(row);
            var ws = second.CreateWorkspace();
            for (int trial = 0; trial < 5; trial++)
            {
                var args = row.Sample(random);
                var h = new double[row.Arity * row.Arity];
                second.Evaluate(args, h, ws);
                for (int k = 0; k < row.Arity; k++)
                    for (int l = 0; l < row.Arity; l++)
                    {
                        var (kk, ll) = (k, l);
                        var (fd, error) = FiniteDifference.DerivativeWithError(t => { var a = (double[])args.Clone(); a[ll] = t; return row.NumericPartials[kk](a); }, args[l]);
                        Assert.True(error > 1e-6 * (1 + Math.Abs(fd)) || FiniteDifference.Close(h[k * row.Arity + l], fd, 1e-6, 1e-6),
                            $"{row.Name}: d²/d{row.Parameters[k]}d{row.Parameters[l]} at ({string.Join(", ", args)}) is {h[k * row.Arity + l]}, finite differences {fd}");
                    }
            }
        }
    }

    [Fact]
    public void SquaredResidualsAreOneInstructionOnEveryPath()
    {
        var symbols = Enumerable.Range(0, 6).Select(i => Symbol("x" + i)).ToArray();
        var f = Workloads.Rosenbrock(symbols);
        var tape = Tape.Lower(f, symbols);
        Assert.Contains("squared linear -%", tape.ToString());
        Assert.Equal(6 + 1 + 5 * 3 + 1, tape.Length);   // inputs, the constant 1, three instructions per term, the sum
        Assert.Equal(f, tape.Lift()[0]);
        var point = Workloads.RosenbrockPoint(6);
        var dictionary = symbols.Select((s, i) => (s.ToString(), point[i])).ToDictionary(p => p.Item1, p => p.Item2);
        var (hessian, exact) = (new double[36], f.Hessian(symbols));
        tape.Hessian(point, hessian, tape.CreateWorkspace());
        for (int i = 0; i < 6; i++)
            for (int j = 0; j < 6; j++)
                Assert.Equal(exact[i, j].Evaluate(dictionary), hessian[6 * i + j], 1e-12);
        var (interpreted, compiled) = (new double[6], new double[6]);
        tape.Gradient(point, interpreted, tape.CreateWorkspace());
        new CompiledTape(tape, localsLimit: 0, chunkLength: 3).Gradient(point, compiled, tape.CreateWorkspace());
        Assert.Equal(interpreted, compiled);
        var (_, batched) = tape.Batched(blockSize: 2).Gradient(MathNet.Numerics.LinearAlgebra.Matrix<double>.Build.Dense(3, 6, (r, c) => point[c]));
        Assert.Equal(interpreted, batched.Row(2).ToArray());
        // A sum used elsewhere too keeps its own instruction, squared by a plain square.
        Assert.DoesNotContain("squared", Tape.Lower(Pow(x + y, 2) + Sin(x + y), x, y).ToString());
    }

    [Fact]
    public void HessianOfAProductOfManyFactorsAndOfPowers()
    {
        var z = Symbol("z");
        var f = x * y * z * Sin(x) + Pow(x, y) + Pow(y, Rational(3, 2)) / z;
        var tape = Tape.Lower(f, x, y, z);
        double[] at = [1.3, 0.8, 2.1];
        var hessian = new double[9];
        tape.Hessian(at, hessian, tape.CreateWorkspace());
        var exact = f.Hessian(x, y, z);
        var point = new Dictionary<string, double> { ["x"] = at[0], ["y"] = at[1], ["z"] = at[2] };
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 3; j++)
                Assert.Equal(exact[i, j].Evaluate(point), hessian[3 * i + j], 1e-12);
    }

    [Fact]
    public void SecondOrderOfWhereIgnoresTheUntakenBranch()
    {
        var tape = Tape.Lower(Where(Greater(x, 0), Log(x), Pow(x, 2)), x);
        var h = new double[1];
        tape.Hessian([-2.0], h, tape.CreateWorkspace());
        Assert.Equal(2, h[0]);
        tape.Hessian([2.0], h, tape.CreateWorkspace());
        Assert.Equal(-0.25, h[0], 15);
    }
}
