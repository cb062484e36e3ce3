// Newton's method for large square systems with a sparse Jacobian: the Jacobian's pattern and coloring are
// found once (SparseJacobian), each step evaluates it by compressed products and solves J·δ = −F with
// MathNet's BiCGStab preconditioned by an incomplete LU factorization (ILU(0)) — no dense matrix, no dense
// factorization (no sparse direct solver is served here that is maintained: CSparse.NET is not, and MathNet's
// own sparse LU densifies), then backtracks on max |F| as the dense Newton does.
using Hybrid.Tapes;
using MathNet.Numerics;
using MathNet.Numerics.LinearAlgebra;
using MathNet.Numerics.LinearAlgebra.Double.Solvers;
using MathNet.Numerics.LinearAlgebra.Solvers;

namespace Hybrid.Numerics;

public static partial class Newton
{
    /// <summary>
    /// Solves the square system <paramref name="system"/> = 0 from <paramref name="guess"/> with sparse Jacobians and an
    /// iterative linear solver, for systems too large for <see cref="FindRoot(Tape, double[], double, int)"/>'s dense QR.
    /// </summary>
    /// <exception cref="ArgumentException">The system is not square, or the guess has the wrong length.</exception>
    /// <exception cref="NonConvergenceException">Newton did not converge, or a linear solve failed (a singular or badly conditioned Jacobian).</exception>
    public static RootResult FindRootSparse(Tape system, double[] guess, double accuracy = 1e-10, int maxIterations = 100, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(system);
        ArgumentNullException.ThrowIfNull(guess);
        int n = system.InputCount;
        if (guess.Length != n) throw new ArgumentException($"The guess has {guess.Length} coordinates, but the system has {n} unknowns.", nameof(guess));
        if (system.OutputCount != n) throw new ArgumentException($"The sparse Newton solves square systems; this one has {system.OutputCount} equations for {n} unknowns (use FindRoot for least squares).", nameof(system));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(accuracy);
        var jacobian = new SparseJacobian(system, cancellationToken);
        var workspace = system.CreateWorkspace();
        var x = (double[])guess.Clone();
        var jacobianValues = new double[jacobian.Pattern.NonzeroCount];
        var residuals = new Residuals(system, workspace);
        double residual = residuals.Norm(x);
        for (int iteration = 0; ; iteration++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (residual <= accuracy) return new RootResult(x, residual, iteration, residuals.Evaluations);
            if (iteration == maxIterations || !double.IsFinite(residual))
                throw new NonConvergenceException($"Sparse Newton did not converge: max |F| = {residual:G3} after {iteration} steps (accuracy {accuracy:G3}). Try another guess or more iterations.");
            jacobian.Evaluate(x, jacobianValues);
            var J = jacobian.Pattern.ToSparseMatrix(jacobianValues);
            var rhs = Vector<double>.Build.Dense(residuals.Values).Negate();
            var step = Vector<double>.Build.Dense(n);
            var iterator = new Iterator<double>(new IterationCountStopCriterion<double>(Math.Max(1000, 2 * n)),
                new ResidualStopCriterion<double>(1e-12), new DivergenceStopCriterion<double>(), new FailureStopCriterion<double>(),
                new CancellationStopCriterion<double>(cancellationToken));
            try { new BiCgStab().Solve(J, rhs, step, iterator, new ILU0Preconditioner()); }
            catch (Exception e) when (e is ArgumentException or ArithmeticException or InvalidOperationException)
            {
                throw new NonConvergenceException($"Sparse Newton stopped: the linear solve failed ({e.Message}); the Jacobian may be singular at this point (max |F| = {residual:G3}). Try another guess.");
            }
            cancellationToken.ThrowIfCancellationRequested();
            if (iterator.Status != IterationStatus.Converged || step.Any(v => !double.IsFinite(v)))
                throw new NonConvergenceException($"Sparse Newton stopped: BiCGStab did not solve J·δ = −F ({iterator.Status}); the Jacobian is singular or badly conditioned here (max |F| = {residual:G3}). Try another guess.");
            (x, residual) = Backtrack(x, step, residual, residuals.Norm);
        }
    }
}
