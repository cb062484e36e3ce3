// Newton's method for systems F(x) = 0 with the exact Jacobian from the tape. Each step solves
// J·δ = −F by QR (least squares when there are more equations than unknowns: Gauss–Newton) and
// backtracks on ‖F‖ so a far start does not diverge.
using Hybrid.Tapes;
using Hybrid.Symbolic;
using MathNet.Numerics;
using MathNet.Numerics.LinearAlgebra;

namespace Hybrid.Numerics;

/// <summary>The outcome of <see cref="Newton.FindRoot(Tape, double[], double, int)"/>.</summary>
/// <param name="Root">The point found.</param>
/// <param name="Residual">max |Fᵢ| at the root.</param>
/// <param name="Iterations">Newton steps taken.</param>
/// <param name="Evaluations">Evaluations of F (each with its Jacobian or during backtracking).</param>
public sealed record RootResult(double[] Root, double Residual, int Iterations, int Evaluations);

/// <summary>Newton root finding for systems of equations with exact Jacobians.</summary>
public static partial class Newton
{
    /// <summary>Solves <paramref name="equations"/> = 0 for <paramref name="variables"/>, starting at <paramref name="guess"/>.</summary>
    public static RootResult FindRoot(IReadOnlyList<Expr> equations, IReadOnlyList<Expr> variables, double[] guess, double accuracy = 1e-10, int maxIterations = 100)
    {
        ArgumentNullException.ThrowIfNull(equations);
        CheckRun.RequireSymbols(variables);
        return FindRoot(Tape.Lower(equations, variables), guess, accuracy, maxIterations);
    }

    /// <summary>
    /// Solves tape outputs = 0 (at least as many outputs as inputs) from <paramref name="guess"/> until
    /// max |Fᵢ| ≤ <paramref name="accuracy"/>. Throws <see cref="NonConvergenceException"/> naming the residual
    /// when <paramref name="maxIterations"/> steps do not get there or the Jacobian is singular.
    /// </summary>
    public static RootResult FindRoot(Tape system, double[] guess, double accuracy = 1e-10, int maxIterations = 100)
    {
        ArgumentNullException.ThrowIfNull(system);
        ArgumentNullException.ThrowIfNull(guess);
        int n = system.InputCount, m = system.OutputCount;
        if (guess.Length != n) throw new ArgumentException($"The guess has {guess.Length} coordinates, but the system has {n} unknowns ({string.Join(", ", system.InputNames)}).", nameof(guess));
        if (m < n) throw new ArgumentException($"The system has {m} equations for {n} unknowns; Newton needs at least as many equations as unknowns.", nameof(system));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(accuracy);
        Limits.RequireMatrix(m, n, "Jacobian", "Newton needs the dense Jacobian; use a smaller system or L-BFGS on the sum of squares");
        var workspace = system.CreateWorkspace();
        var x = (double[])guess.Clone();
        var jacobian = new double[m * n];
        var residuals = new Residuals(system, workspace);
        double residual = residuals.Norm(x);
        for (int iteration = 0; ; iteration++)
        {
            if (residual <= accuracy) return new RootResult(x, residual, iteration, residuals.Evaluations);
            if (iteration == maxIterations || !double.IsFinite(residual))
                throw new NonConvergenceException($"Newton did not converge: max |F| = {residual:G3} at {CheckReport.Format(x)} after {iteration} steps (accuracy {accuracy:G3}). Try another guess or more iterations.");
            system.Jacobian(x, jacobian, workspace);
            var J = Matrix<double>.Build.DenseOfRowMajor(m, n, jacobian);
            var qr = J.QR();
            // Rank-deficient when a diagonal entry of R vanishes relative to the largest one.
            var r = qr.R;
            var diagonal = Enumerable.Range(0, n).Select(i => Math.Abs(r[i, i])).ToArray();
            var step = qr.Solve(Vector<double>.Build.Dense(residuals.Values).Negate());
            if (!(diagonal.Min() > 1e-13 * diagonal.Max()) || step.Any(v => !double.IsFinite(v)))
                throw new NonConvergenceException($"Newton stopped: the Jacobian is singular at {CheckReport.Format(x)} (max |F| = {residual:G3}). Try another guess.");
            (x, residual) = Backtrack(x, step, residual, residuals.Norm);
        }
    }

    // Backtracking: halve the step until the residual decreases (Armijo-like on max |F|); the last try is taken either way.
    private static (double[] Point, double Residual) Backtrack(double[] x, Vector<double> step, double residual, Func<double[], double> norm)
    {
        double lambda = 1, next;
        double[] candidate;
        do
        {
            candidate = x.Select((xi, i) => xi + lambda * step[i]).ToArray();
            next = norm(candidate);
            lambda /= 2;
        } while (!(next < residual) && lambda > 1e-10);
        return (candidate, next);
    }

    // F at a point through one workspace: max |Fᵢ|, the values of the last evaluation, and how many there were.
    private sealed class Residuals(Tape system, Workspace workspace)
    {
        public double[] Values { get; } = new double[system.OutputCount];
        public int Evaluations { get; private set; }

        public double Norm(double[] point)
        {
            Evaluations++;
            system.Evaluate(point, Values, workspace);
            return Values.Max(Math.Abs);
        }
    }
}
