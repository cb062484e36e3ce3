// Solvers fed by sparse derivatives: the trust-region Newton–CG minimizer (dense and sparse Hessians, where
// plain Newton fails, at thousands of variables) and the sparse Newton root finder, with MathNet's reports
// and the same errors as the dense solvers.
using Hybrid.Tapes;
using Hybrid.Testing;
using static Hybrid.Symbolic.Expr;
using MathNet.Numerics;
using MathNet.Numerics.LinearAlgebra;
using MathNet.Numerics.Optimization;

namespace Hybrid.Numerics.Tests;

public class SparseSolverTests
{
    [Fact]
    public void TrustRegionNewtonCGSolvesTheClassicProblemsIncludingTheOnePlainNewtonFails()
    {
        // Dense Hessians (diagonal preconditioner) and sparse ones (incomplete Cholesky, shifted where the Hessian is
        // indefinite, as Beale's is on the way), and no preconditioner at all.
        foreach (var problem in new[] { TestProblem.Rosenbrock(2), TestProblem.Beale(), TestProblem.HelicalValley() })
            foreach (var (objective, preconditioning) in new[]
            {
                (TapeObjective.Of(problem.Function, problem.Variables), CGPreconditioner.IncompleteCholesky),
                (TapeObjective.OfSparse(Tape.Lower([problem.Function], problem.Variables)), CGPreconditioner.IncompleteCholesky),
                (TapeObjective.OfSparse(Tape.Lower([problem.Function], problem.Variables)), CGPreconditioner.None),
            })
            {
                var result = new TrustRegionNewtonCG { Preconditioning = preconditioning }.FindMinimum(objective, Vector<double>.Build.Dense(problem.Start));
                Assert.Equal(ExitCondition.AbsoluteGradient, result.ReasonForExit);
                for (int i = 0; i < problem.Minimizer.Length; i++)
                    Assert.True(Math.Abs(result.MinimizingPoint[i] - problem.Minimizer[i]) < 1e-6, $"{problem.Name}, {preconditioning}: {result.MinimizingPoint} after {result.Iterations} iterations");
            }
    }

    // A convex quadratic with a tridiagonal Hessian (a chain of 500 springs): IC(0) of a tridiagonal matrix has no fill
    // to drop, so it is the exact Cholesky factor and each step's conjugate gradients end after one product, where
    // plain ones take hundreds; a wrong factor, or a trust region measured in the wrong norm, would not.
    [Fact]
    public void IncompleteCholeskyIsExactWithoutFillAndSavesTheProducts()
    {
        const int n = 500;
        var u = Enumerable.Range(0, n).Select(i => Symbol($"u{i}")).ToArray();
        var energy = Sum(Enumerable.Range(0, n - 1).Select(i => Pow(u[i + 1] - u[i], 2)).Append(Pow(u[0], 2)).Append(Sum(u.Select((v, i) => (1 + 0.01 * i) * v))));
        var tape = Tape.Lower([energy], u);
        int Products(CGPreconditioner preconditioning)
        {
            var minimizer = new TrustRegionNewtonCG { Preconditioning = preconditioning };
            var result = minimizer.FindMinimum(TapeObjective.OfSparse(tape), Vector<double>.Build.Dense(n));
            Assert.Equal(ExitCondition.AbsoluteGradient, result.ReasonForExit);
            return minimizer.ConjugateGradientIterations - result.Iterations;   // products beyond one per step
        }
        Assert.Equal(0, Products(CGPreconditioner.IncompleteCholesky));
        Assert.True(Products(CGPreconditioner.None) > 100);
    }

    [Fact]
    public void WithASparseHessianItMinimizesThousandsOfVariables()
    {
        // A minimal surface over a 40×40 grid (1600 variables) pulled by a small load: the area of the graph of u.
        const int n = 40;
        var (energy, inputs) = Workloads.MinimalSurface(n, load: 1e-3);
        var objective = TapeObjective.OfSparse(Tape.Lower([energy], inputs));
        var minimizer = new TrustRegionNewtonCG();
        var result = minimizer.FindMinimum(objective, Vector<double>.Build.Dense(n * n));
        Assert.Equal(ExitCondition.AbsoluteGradient, result.ReasonForExit);
        Assert.True(result.Iterations < 50, $"{result.Iterations} iterations, {minimizer.ConjugateGradientIterations} CG iterations");
        Assert.IsType<MathNet.Numerics.LinearAlgebra.Double.SparseMatrix>(objective.Hessian);
        Assert.True(result.MinimizingPoint.Minimum() > 0, "the load lifts the whole surface");

        // The chained Rosenbrock from its standard start: plain conjugate gradients reach the global minimum in hundreds
        // of steps; preconditioned ones (the default) take bigger early steps and reach its other local minimum, f ≈ 3.98662
        // at x ≈ (−0.9933, 0.9967, 0.9983, ..., 1), a stationary point all the same.
        var chain = TestProblem.Rosenbrock(100);
        var plain = new TrustRegionNewtonCG(maxIterations: 5000) { Preconditioning = CGPreconditioner.None }
            .FindMinimum(TapeObjective.OfSparse(Tape.Lower([chain.Function], chain.Variables)), Vector<double>.Build.Dense(chain.Start));
        Assert.True(plain.MinimizingPoint.Subtract(1).AbsoluteMaximum() < 1e-6, $"{plain.Iterations} iterations");
        var preconditioned = new TrustRegionNewtonCG(maxIterations: 5000)
            .FindMinimum(TapeObjective.OfSparse(Tape.Lower([chain.Function], chain.Variables)), Vector<double>.Build.Dense(chain.Start));
        Assert.Equal(ExitCondition.AbsoluteGradient, preconditioned.ReasonForExit);
        Assert.Equal(3.98662, preconditioned.FunctionInfoAtMinimum.Value, 5);
        Assert.Equal(-0.9933, preconditioned.MinimizingPoint[0], 4);
    }

    [Fact]
    public void ItReportsAsMathNetsMinimizersDo()
    {
        var problem = TestProblem.Rosenbrock(2);
        Assert.Throws<MaximumIterationsException>(() => new TrustRegionNewtonCG(maxIterations: 3).FindMinimum(TapeObjective.Of(problem.Function, problem.Variables), Vector<double>.Build.Dense(problem.Start)));
        var noHessian = ObjectiveFunction.Gradient(v => (v.DotProduct(v), 2 * v));
        Assert.Throws<ArgumentException>(() => new TrustRegionNewtonCG().FindMinimum(noHessian, Vector<double>.Build.Dense(2, 1)));
    }

    // The Broyden tridiagonal system (Moré, Garbow and Hillstrom): (3 − 2xᵢ)xᵢ − xᵢ₋₁ − 2xᵢ₊₁ + 1 = 0, x₀ = xₙ₊₁ = 0.
    private static Tape BroydenTridiagonal(int n)
    {
        var x = Enumerable.Range(0, n).Select(i => Symbol("x" + i)).ToArray();
        Expr At(int i) => i < 0 || i >= n ? 0 : x[i];
        var equations = Enumerable.Range(0, n).Select(i => (3 - 2 * x[i]) * x[i] - At(i - 1) - 2 * At(i + 1) + 1).ToArray();
        return Tape.Lower(equations, x);
    }

    [Fact]
    public void SparseNewtonSolvesALargeSystemAndAgreesWithTheDenseOne()
    {
        var small = BroydenTridiagonal(40);
        var guess = Enumerable.Repeat(-1.0, 40).ToArray();
        var dense = Newton.FindRoot(small, guess);
        var sparse = Newton.FindRootSparse(small, guess);
        for (int i = 0; i < 40; i++) Assert.Equal(dense.Root[i], sparse.Root[i], 1e-9);

        var large = Newton.FindRootSparse(BroydenTridiagonal(2000), Enumerable.Repeat(-1.0, 2000).ToArray());   // 5000 passed too (8 s here)
        Assert.True(large.Residual <= 1e-10);
        Assert.True(large.Iterations < 20, $"{large.Iterations} iterations");
    }

    [Fact]
    public void SparseNewtonNamesWhatIsWrong()
    {
        var (x, y) = (Symbol("x"), Symbol("y"));
        Assert.Throws<ArgumentException>(() => Newton.FindRootSparse(Tape.Lower([x + y], [x, y]), [0, 0]));   // one equation, two unknowns
        var singular = Tape.Lower(new[] { x + y - 1, 2 * x + 2 * y - 3 }, [x, y]);   // parallel lines: no root, J singular everywhere
        var error = Assert.Throws<NonConvergenceException>(() => Newton.FindRootSparse(singular, [0, 0]));
        Assert.Contains("singular", error.Message);
    }

    // Sparse checks: compressed central differences (2 × colors evaluations) or the exact derivative of each non-zero;
    // a wrong value, and a non-zero outside the structural pattern, fail.
    [Fact]
    public void SparseChecksPassForTheTapesOwnDerivativesAndCatchWrongOnes()
    {
        var system = BroydenTridiagonal(300);
        var point = Enumerable.Range(0, 300).Select(i => Math.Sin(i)).ToArray();
        var jacobian = SparseCheck.Jacobian(system, [point]);
        Assert.True(jacobian.Passed, jacobian.ToString());
        Assert.Equal(3 * 300 - 2, jacobian.Entries.Count);
        var own = new SparseJacobian(system);
        var wrong = SparseCheck.Jacobian(system, [point], x => { var m = own.Evaluate(x); m[5, 6] *= 1.01; return m; });
        Assert.False(wrong.Passed);
        Assert.Equal("∂F5/∂x6", Assert.Single(wrong.Failures).Component);
        var outside = SparseCheck.Jacobian(system, [point], x => { var m = own.Evaluate(x); m[0, 200] = 1; return m; });
        Assert.Equal("a non-zero outside the structural pattern", Assert.Single(outside.Failures).Problem);

        var inputs = Enumerable.Range(0, 200).Select(i => Symbol("x" + i)).ToArray();
        var energy = Sum(Enumerable.Range(0, 199).Select(i => Sqrt(1 + Pow(inputs[i + 1] - inputs[i], 2)) + Exp(inputs[i] * inputs[i + 1] / 10)));
        var at = Enumerable.Range(0, 200).Select(i => 0.01 * i).ToArray();
        var exact = SparseCheck.Hessian(energy, inputs, [at]);
        Assert.Equal(DerivativeReference.Exact, exact.Reference);
        Assert.True(exact.Passed, exact.ToString());
        var differences = SparseCheck.Hessian(Tape.Lower([energy], inputs), [at]);
        Assert.True(differences.Passed, differences.ToString());
        Assert.False(SparseCheck.Hessian(energy, inputs, [at], x => 2 * new SparseHessian(Tape.Lower([energy], inputs)).Evaluate(x)).Passed);
    }

    // IC(0) costs Σ over the lower entries of the two rows' lengths: linear for a sparse Hessian, n³/3 for a dense one stored
    // sparse. Over its work budget the factorization is not tried and the diagonal scaling is used (no hour-long factor).
    [Fact]
    public void IncompleteCholeskyOverItsWorkBudgetFallsBackToTheDiagonal()
    {
        const int n = 120;
        var dense = Matrix<double>.Build.Dense(n, n, (i, j) => i == j ? n + 1.0 : 1.0 / (1 + Math.Abs(i - j)));
        var csr = (MathNet.Numerics.LinearAlgebra.Storage.SparseCompressedRowMatrixStorage<double>)Matrix<double>.Build.SparseOfMatrix(dense).Storage;
        Assert.IsType<IncompleteCholesky>(IncompleteCholesky.Factor(csr));
        Assert.IsType<DiagonalScaling>(IncompleteCholesky.Factor(csr, maxWork: n * n * n / 10));
    }
}
