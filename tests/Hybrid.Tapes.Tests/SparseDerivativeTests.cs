// Sparse Jacobians and Hessians: exact structural patterns (hand-checked, and every entry outside the pattern
// of a dense derivative is exactly zero on generated expressions), colorings that never mix two non-zeros,
// compressed values equal to the dense ones, and hostile sizes refused by name.
using MathNet.Numerics.LinearAlgebra;

namespace Hybrid.Tapes.Tests;

public class SparseDerivativeTests
{
    private static readonly Expr x = Symbol("x"), y = Symbol("y"), z = Symbol("z"), w = Symbol("w");

    private static (int, int)[] Entries(SparsityPattern p) =>
        Enumerable.Range(0, p.RowCount).SelectMany(i => p.Row(i).ToArray().Select(j => (i, j))).ToArray();

    [Fact]
    public void PatternsCountOnlyWhatADerivativeCanSee()
    {
        var tape = Tape.Lower(new[] { x * y, z + 1, Where(Greater(x, 0), y, w), Floor(x) + Sign(y) + Less(z, w) }, [x, y, z, w]);
        var jacobian = tape.JacobianPattern();
        Assert.Equal([(0, 0), (0, 1), (1, 2), (2, 1), (2, 3)], Entries(jacobian));   // where: both branches, not its condition; steps: nothing
        Assert.Equal("4×4, 5 non-zeros (31.2 %)", jacobian.ToString());

        // Only nonlinear interactions: x·y couples x and y, sin(z) couples z with itself, w (linear) nothing; relu(x)·y
        // couples x and y through the product although relu'' = 0, atan2 couples its arguments.
        var hessian = Tape.Lower(x * y + Sin(z) + 3 * w, x, y, z, w).HessianPattern();
        Assert.Equal([(0, 1), (1, 0), (2, 2)], Entries(hessian));
        Assert.Equal([(0, 1), (1, 0)], Entries(Tape.Lower(Relu(x) * y + Abs(z) + Max(z, w), x, y, z, w).HessianPattern()));
        Assert.Equal([(0, 0), (0, 1), (1, 0), (1, 1)], Entries(Tape.Lower(Atan2(y, x) + z, x, y, z).HessianPattern()));
        Assert.Equal([(0, 0), (0, 1), (1, 0), (1, 1)], Entries(Tape.Lower(Pow(x - 2 * y, 2) + z, x, y, z).HessianPattern()));   // squared residual
    }

    // The exact sparse derivatives as expressions: one per structural non-zero, in the pattern's order.
    [Fact]
    public void SymbolicSparseDerivativesAreOneExpressionPerNonzero()
    {
        var (hessianPattern, second) = SymbolicSparse.Hessian(x * y + Sin(z) + 3 * w, [x, y, z, w]);
        Assert.Equal([(0, 1), (1, 0), (2, 2)], Entries(hessianPattern));
        Assert.Equal([Number(1), Number(1), -Sin(z)], second);
        Assert.Equal(second, SymbolicSparse.Hessian(x * y + Sin(z) + 3 * w, [x, y, z, w], hessianPattern));   // a pattern already found
        Assert.Contains("there are 3 variables", Assert.Throws<ArgumentException>(() => SymbolicSparse.Hessian(x * y, [x, y, z], hessianPattern)).Message);
        var (jacobianPattern, first) = SymbolicSparse.Jacobian(new[] { x * y, y + Exp(z) }, [x, y, z]);
        Assert.Equal([(0, 0), (0, 1), (1, 1), (1, 2)], Entries(jacobianPattern));
        Assert.Equal([y, x, Number(1), Exp(z)], first);
    }

    // A pattern is exact where it matters: every entry of the dense derivative outside it is exactly zero, and the
    // compressed evaluation equals the dense one inside it.
    [Property(MaxTest = 60, Replay = "(20261129,1000003)")]
    public Property CompressedDerivativesEqualTheDenseOnesAndVanishOutsideThePattern() =>
        Prop.ForAll(Generators.ArbitraryExpressions(new ExpressionShape { Variables = ["x", "y", "z", "w"], Primitives = ExpressionShape.Everything, MaxDepth = 3 }),
            Generators.ArbitraryExpressions(new ExpressionShape { Variables = ["x", "y", "z", "w"], MaxDepth = 3 }), (f, g) =>
        {
            Expr[] inputs = [x, y, z, w];
            double[] point = [0.7, -1.3, 0.4, 1.9];
            var scalar = Tape.Lower(f * g + Sin(f), inputs);
            var dense = new double[16];
            scalar.Hessian(point, dense, scalar.CreateWorkspace());
            var sparse = new SparseHessian(scalar);
            var h = sparse.Evaluate(point);
            bool ok = true;
            for (int i = 0; i < 4; i++)
                for (int j = 0; j < 4; j++)
                {
                    double d = dense[4 * i + j];
                    ok &= sparse.Pattern.Contains(i, j) ? Close(h[i, j], d) : d == 0 || double.IsNaN(d);
                }
            var vector = Tape.Lower(new[] { f, g, f * g }, inputs);
            var denseJ = new double[12];
            vector.Jacobian(point, denseJ, vector.CreateWorkspace());
            var jacobian = new SparseJacobian(vector);
            var j3 = jacobian.Evaluate(point);
            for (int i = 0; i < 3; i++)
                for (int k = 0; k < 4; k++)
                    ok &= jacobian.Pattern.Contains(i, k) ? Close(j3[i, k], denseJ[4 * i + k]) : denseJ[4 * i + k] == 0 || double.IsNaN(denseJ[4 * i + k]);
            return ok.Label($"f = {f}, g = {g}: Hessian pattern {sparse.Pattern}, Jacobian pattern {jacobian.Pattern}");
        });

    private static bool Close(double a, double b) => a.Equals(b) || Math.Abs(a - b) <= 1e-11 * (1 + Math.Abs(b));

    // A chain of springs: a tridiagonal Hessian whatever its length, recovered from 3 Hessian-vector sweeps.
    [Fact]
    public void ABandedHessianTakesAFewColorsAtAnySize()
    {
        const int n = 2000;
        var (tape, _) = SpringChain(n);
        var sparse = new SparseHessian(tape);
        Assert.Equal(3 * n - 2, sparse.Pattern.NonzeroCount);
        Assert.Equal(3, sparse.Coloring.Count);
        var point = Enumerable.Range(0, n).Select(i => 0.01 * i + 0.1 * Math.Sin(i)).ToArray();
        var h = sparse.Evaluate(point);
        Assert.IsType<MathNet.Numerics.LinearAlgebra.Double.SparseMatrix>(h);
        // Against the exact symbolic Hessian at a few entries, and against Hessian-vector products on the whole.
        var v = Enumerable.Range(0, n).Select(i => Math.Cos(i)).ToArray();
        var hv = new double[n];
        tape.HessianVectorProduct(point, v, hv, tape.CreateWorkspace());
        var product = h * Vector<double>.Build.DenseOfArray(v);
        for (int i = 0; i < n; i++) Assert.Equal(hv[i], product[i], 1e-9);
    }

    // An arrowhead Hessian (x0 couples with every other variable): a distance-2 coloring needs a color per column,
    // a star coloring two; both recover the same values.
    [Fact]
    public void StarColoringsRecoverSymmetricMatricesWithFewerColors()
    {
        var inputs = Enumerable.Range(0, 40).Select(i => Symbol("x" + i)).ToArray();
        var tape = Tape.Lower(inputs[0] * Sum(inputs.Skip(1).Select(v => Sin(v))), inputs);
        var hessian = new SparseHessian(tape);
        Assert.True(hessian.Coloring.IsSymmetric);
        Assert.Equal(2, hessian.Coloring.Count);
        Assert.Equal(40, Coloring.Columns(hessian.Pattern).Count);
        var point = Enumerable.Range(0, 40).Select(i => 0.1 * i - 1).ToArray();
        var dense = new double[1600];
        tape.Hessian(point, dense, tape.CreateWorkspace());
        var h = hessian.Evaluate(point);
        for (int i = 0; i < 40; i++)
            for (int j = 0; j < 40; j++) Assert.Equal(dense[40 * i + j], h[i, j], 1e-12);
        // A grid (a triangular lattice of couplings): the greedy star coloring is no better than distance-2 (9 colors
        // each), so distance-2 it is; x·y (no diagonal) takes one distance-2 color where a star coloring needs two.
        var (energy, inputs30) = Workloads.MinimalSurface(30);
        var grid = new SparseHessian(Tape.Lower(energy, inputs30));
        Assert.Equal(Coloring.Columns(grid.Pattern).Count, grid.Coloring.Count);
        Assert.Equal(1, new SparseHessian(Tape.Lower(x * y, x, y)).Coloring.Count);
    }

    [Fact]
    public void JacobiansPickTheCheaperDirection()
    {
        // A column of all inputs and a diagonal: rows need 2 colors ((Σx) and the diagonal), columns need n.
        var inputs = Enumerable.Range(0, 50).Select(i => Symbol("x" + i)).ToArray();
        var outputs = inputs.Select(v => Sin(v)).Prepend(Sum(inputs)).ToArray();
        var jacobian = new SparseJacobian(Tape.Lower(outputs, inputs));
        Assert.True(jacobian.Coloring.OfRows);
        Assert.Equal(2, jacobian.Coloring.Count);
        // A row of all inputs only: columns share it, so rows (1 color) win over columns (50).
        var diagonal = new SparseJacobian(Tape.Lower(inputs.Select(v => Exp(v)).ToArray(), inputs));
        Assert.Equal(1, diagonal.Coloring.Count);
        var point = Enumerable.Range(0, 50).Select(i => 0.02 * i).ToArray();
        var d = diagonal.Evaluate(point);
        for (int i = 0; i < 50; i++) Assert.Equal(Math.Exp(point[i]), d[i, i]);
    }

    [Fact]
    public void ADensePatternIsRefusedByNameAndCancellationIsHonoured()
    {
        var inputs = Enumerable.Range(0, 12_000).Select(i => Symbol("x" + i)).ToArray();
        var dense = Tape.Lower(Pow(Sum(inputs), 2) + Sin(Sum(inputs)), inputs);   // 1.44·10^8 pairs > 2^27
        var error = Assert.Throws<LimitExceededException>(() => dense.HessianPattern());
        Assert.Equal("MaxPatternNonzeros", error.Limit);
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        Assert.ThrowsAny<OperationCanceledException>(() => new SparseHessian(SpringChain(5000).Tape, cancelled.Token));
    }

    // s_k = sin(s_{k−1} + x_k): each set is one larger than the last, so the pool of sets fills with dropped ones and is
    // compacted many times over; the patterns must come out whole (every s_k couples all the x it has seen).
    [Fact]
    public void GrowingDependencySetsSurviveCompaction()
    {
        const int n = 300;
        var inputs = Enumerable.Range(0, n).Select(i => Symbol("x" + i)).ToArray();
        var s = Number(0);
        var partial = new List<Expr>();
        foreach (var x in inputs)
        {
            s = Sin(s + x);
            partial.Add(s);
        }
        var hessian = Tape.Lower(s, inputs).HessianPattern();
        Assert.Equal((long)n * n, hessian.NonzeroCount);
        var jacobian = Tape.Lower(partial.Where((_, k) => k % 25 == 24).ToArray(), inputs).JacobianPattern();
        for (int k = 0; k < jacobian.RowCount; k++) Assert.Equal(Enumerable.Range(0, 25 * (k + 1)), jacobian.Row(k).ToArray());
    }

    // Σ (x_{i+1} − x_i − 1)² / 2 + Σ cos(x_i): springs of rest length 1 and a nonlinear potential on each node.
    internal static (Tape Tape, Expr[] Inputs) SpringChain(int n)
    {
        var inputs = Enumerable.Range(0, n).Select(i => Symbol("x" + i)).ToArray();
        var terms = Enumerable.Range(0, n - 1).Select(i => Rational(1, 2) * Pow(inputs[i + 1] - inputs[i] - 1, 2))
            .Concat(inputs.Select(v => Cos(v)));
        return (Tape.Lower(Sum(terms), inputs), inputs);
    }
}
