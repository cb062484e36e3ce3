// The batched tape agrees with the interpreter bit for bit, at many points on all cores.

namespace Hybrid.Tapes.Tests;

public class BatchedTapeTests
{
    private static readonly Expr x = Symbol("x"), y = Symbol("y");
    private static readonly ExpressionShape everything = new() { Primitives = ExpressionShape.Everything, DomainSafe = false };

    [Property(MaxTest = 100)]
    public Property BatchedEqualsInterpretedAtEveryPoint() =>
        Prop.ForAll(Generators.ArbitraryExpressions(everything), Generators.ArbitraryExpressions(everything), (f, g) =>
        {
            var tape = Tape.Lower(f * g + Sin(f), x, y);
            var points = MathNet.Numerics.LinearAlgebra.Matrix<double>.Build.Dense(37, 2, (i, j) => Math.Sin(3 * i + 7 * j) * 2.5);
            var (values, gradients) = tape.Batched(blockSize: 8).Gradient(points);
            var evaluated = tape.Batched(blockSize: 5).Evaluate(points);
            var ws = tape.CreateWorkspace();
            var expected = new double[2];
            var wrong = Enumerable.Range(0, points.RowCount).FirstOrDefault(i =>
            {
                double value = tape.Gradient([points[i, 0], points[i, 1]], expected, ws);
                return !(value.Equals(values[i]) && value.Equals(evaluated[i]) && expected[0].Equals(gradients[i, 0]) && expected[1].Equals(gradients[i, 1]));
            }, -1);
            return (wrong < 0).Label($"{f * g + Sin(f)} differs at point {wrong}");
        });

    [Fact]
    public void SizesAreChecked()
    {
        var batch = Tape.Lower(x * y, x, y).Batched();
        var build = MathNet.Numerics.LinearAlgebra.Matrix<double>.Build;
        Assert.StartsWith("The points matrix has 3 columns; the tape has 2 inputs (one column each, one row per point).",
            Assert.Throws<ArgumentException>(() => batch.Evaluate(build.Dense(4, 3))).Message);
        Assert.StartsWith("The gradients matrix is 4×3; 4 points of 2 inputs need 4×2.",
            Assert.Throws<ArgumentException>(() => batch.Gradient(build.Dense(4, 2), MathNet.Numerics.LinearAlgebra.Vector<double>.Build.Dense(4), build.Dense(4, 3))).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => Tape.Lower(x, x).Batched(blockSize: 0));
    }

    [Fact]
    public void ManyPointsOnAllCores()
    {
        var tape = Tape.Lower(Exp(-Pow(x, 2)) * Cos(3 * y) + x * y, x, y);
        var points = MathNet.Numerics.LinearAlgebra.Matrix<double>.Build.Dense(100_000, 2, (i, j) => (i % 1000) * 0.001 + j);
        var (values, gradients) = tape.Batched().Gradient(points);
        for (int i = 0; i < points.RowCount; i += 997)
        {
            double px = points[i, 0], py = points[i, 1];
            Assert.Equal(Math.Exp(-px * px) * Math.Cos(3 * py) + px * py, values[i], 1e-14);
            Assert.Equal(-2 * px * Math.Exp(-px * px) * Math.Cos(3 * py) + py, gradients[i, 0], 1e-13);
        }
    }
}
