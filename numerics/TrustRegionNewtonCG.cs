// Trust-region Newton–CG (Steihaug–Toint; Nocedal and Wright, Numerical Optimization, algorithms 4.1 and 7.2)
// for many variables: each step minimizes the quadratic model g·p + ½ p·H·p inside a ball by conjugate
// gradients, which only multiply by the Hessian (a MathNet sparse matrix from TapeObjective.OfSparse, or
// any matrix) and apply a preconditioner (Preconditioners.cs: incomplete Cholesky by default, the ball then
// measured in its norm), stop at the ball's edge or on a direction of negative curvature, and stop early
// when the residual is small relative to the gradient (superlinear convergence near the minimum). The ball grows
// when the model predicts well and shrinks when it does not. It speaks MathNet's minimizer language:
// IUnconstrainedMinimizer, MinimizationResult with its ExitCondition, MaximumIterationsException.
using MathNet.Numerics.LinearAlgebra;
using MathNet.Numerics.Optimization;

namespace Hybrid.Numerics;

/// <summary>One step of <see cref="TrustRegionNewtonCG"/>, for a convergence table.</summary>
/// <param name="Iteration">The step's number, from 0.</param>
/// <param name="Value">f at the point the step started from.</param>
/// <param name="GradientNorm">max |∇f| there.</param>
/// <param name="Radius">The trust region's radius the step was taken in.</param>
/// <param name="ConjugateGradientIterations">Hessian products the step took.</param>
/// <param name="Ratio">Actual over predicted decrease (the step is accepted above 10⁻⁴).</param>
public sealed record TrustRegionStep(int Iteration, double Value, double GradientNorm, double Radius, int ConjugateGradientIterations, double Ratio);

/// <summary>
/// A trust-region Newton–conjugate-gradient minimizer (Steihaug) for large problems with exact Hessians, dense or sparse;
/// converges where a plain Newton step would not (indefinite Hessians) and never forms a factorization.
/// </summary>
/// <param name="gradientTolerance">Stop when max |∇f| is at most this (<see cref="ExitCondition.AbsoluteGradient"/>).</param>
/// <param name="parameterTolerance">Stop when an accepted step moves no coordinate by more than this relative to the point (<see cref="ExitCondition.RelativePoints"/>).</param>
/// <param name="functionProgressTolerance">Stop when an accepted step lowers f by at most this relative to |f| (<see cref="ExitCondition.LackOfProgress"/>).</param>
/// <param name="maxIterations">Trust-region steps before <see cref="MaximumIterationsException"/>.</param>
public sealed class TrustRegionNewtonCG(double gradientTolerance = 1e-8, double parameterTolerance = 1e-14, double functionProgressTolerance = 1e-15, int maxIterations = 1000)
    : IUnconstrainedMinimizer
{
    /// <summary>Called after every step, accepted or not (for a convergence table); null for none.</summary>
    public Action<TrustRegionStep>? Progress { get; init; }

    /// <summary>
    /// The preconditioner of the conjugate gradients (incomplete Cholesky of a sparse Hessian by default, its diagonal for a
    /// dense one); the trust region is a ball in the preconditioner's norm.
    /// </summary>
    public CGPreconditioner Preconditioning { get; init; } = CGPreconditioner.IncompleteCholesky;

    /// <summary>Conjugate-gradient iterations taken over all steps (each is one product with the Hessian).</summary>
    public int ConjugateGradientIterations { get; private set; }

    /// <summary>Minimizes <paramref name="objective"/> from <paramref name="initialGuess"/>; the objective must give gradients and Hessians.</summary>
    /// <exception cref="ArgumentException">The objective gives no gradient or no Hessian.</exception>
    /// <exception cref="MaximumIterationsException">The tolerances were not met within the iterations allowed.</exception>
    public MinimizationResult FindMinimum(IObjectiveFunction objective, Vector<double> initialGuess)
    {
        ArgumentNullException.ThrowIfNull(objective);
        ArgumentNullException.ThrowIfNull(initialGuess);
        if (!objective.IsGradientSupported || !objective.IsHessianSupported)
            throw new ArgumentException("Trust-region Newton–CG needs the gradient and the Hessian (TapeObjective gives both exactly).", nameof(objective));
        ConjugateGradientIterations = 0;
        objective.EvaluateAt(initialGuess);
        var current = objective.Fork();
        double radius = Math.Max(1, current.Gradient.L2Norm()), maxRadius = 1e3 * radius;
        var (factoredAt, preconditioner) = ((IObjectiveFunction?)null, (Preconditioner?)null);
        for (int iteration = 0; ; iteration++)
        {
            var g = current.Gradient;
            if (!double.IsFinite(current.Value) || g.Any(v => !double.IsFinite(v)))
                return new MinimizationResult(current, iteration, ExitCondition.InvalidValues);
            if (g.AbsoluteMaximum() <= gradientTolerance) return new MinimizationResult(current, iteration, ExitCondition.AbsoluteGradient);
            if (iteration == maxIterations)
                throw new MaximumIterationsException($"Trust-region Newton–CG did not converge in {maxIterations} iterations: max |∇f| = {g.AbsoluteMaximum():G3} (tolerance {gradientTolerance:G3}).");
            var hessian = new HessianOperator(current.Hessian);
            if (!ReferenceEquals(factoredAt, current)) (factoredAt, preconditioner) = (current, Preconditioner.For(current.Hessian, Preconditioning));   // a rejected step retries at the same point: same factor
            int before = ConjugateGradientIterations;
            var (step, onBoundary) = Steihaug(hessian, preconditioner, g, radius);
            var curvature = new double[step.Count];
            hessian.Multiply(step.AsArray(), curvature);
            double predicted = -(g.DotProduct(step) + 0.5 * Dot(step.AsArray(), curvature));
            objective.EvaluateAt(current.Point + step);
            var candidate = objective.Fork();
            double actual = current.Value - candidate.Value;
            double rho = predicted > 0 ? actual / predicted : -1;
            Progress?.Invoke(new TrustRegionStep(iteration, current.Value, g.AbsoluteMaximum(), radius, ConjugateGradientIterations - before, rho));
            if (!(rho >= 0.25)) radius *= 0.25;   // also for a NaN value: the step went outside the domain
            else if (rho > 0.75 && onBoundary) radius = Math.Min(2 * radius, maxRadius);
            if (!(rho > 1e-4)) continue;   // rejected: a smaller ball around the same point
            bool stalled = step.Select((s, i) => Math.Abs(s) / Math.Max(1, Math.Abs(current.Point[i]))).Max() <= parameterTolerance;
            bool flat = actual <= functionProgressTolerance * Math.Max(1, Math.Abs(current.Value));
            current = candidate;
            if (stalled) return new MinimizationResult(current, iteration + 1, ExitCondition.RelativePoints);
            if (flat && current.Gradient.AbsoluteMaximum() > gradientTolerance) return new MinimizationResult(current, iteration + 1, ExitCondition.LackOfProgress);
        }
    }

    // Preconditioned conjugate gradients on H·p = −g inside ‖p‖_M ≤ radius (Steihaug–Toint; Conn, Gould and Toint,
    // Trust-Region Methods, algorithm 7.5.1): the step, and whether it ends on the boundary. The M-norms of the iterate
    // and the direction are carried by recurrences, so M itself is never applied to them; with no preconditioner M = I.
    private (Vector<double> Step, bool OnBoundary) Steihaug(HessianOperator hessian, Preconditioner? preconditioner, Vector<double> g, double radius)
    {
        int n = g.Count;
        var (z, r, y, d, hd) = (new double[n], g.ToArray(), new double[n], new double[n], new double[n]);
        Precondition(preconditioner, r, y);
        for (int i = 0; i < n; i++) d[i] = -y[i];
        double ry = Dot(r, y), rNorm = Math.Sqrt(Dot(r, r));
        double tolerance = Math.Min(0.5, Math.Sqrt(rNorm)) * rNorm;   // forcing sequence: superlinear near the minimum
        double zz = 0, zd = 0, dd = ry;   // zᵀMz, zᵀMd, dᵀMd
        for (int j = 0; j < 10 * n + 10; j++)
        {
            ConjugateGradientIterations++;
            hessian.Multiply(d, hd);
            double curvature = Dot(d, hd);
            if (curvature <= 0) return (ToBoundary(z, d, zz, zd, dd, radius), true);   // negative curvature: go to the edge along it
            double alpha = ry / curvature;
            double zzNext = zz + 2 * alpha * zd + alpha * alpha * dd;
            if (zzNext >= radius * radius) return (ToBoundary(z, d, zz, zd, dd, radius), true);
            for (int i = 0; i < n; i++) { z[i] += alpha * d[i]; r[i] += alpha * hd[i]; }
            zz = zzNext;
            if (Math.Sqrt(Dot(r, r)) <= tolerance) return (Vector<double>.Build.Dense(z), false);
            Precondition(preconditioner, r, y);
            double ryNext = Dot(r, y), beta = ryNext / ry;
            (zd, dd) = (beta * (zd + alpha * dd), ryNext + beta * beta * dd);
            for (int i = 0; i < n; i++) d[i] = -y[i] + beta * d[i];
            ry = ryNext;
        }
        return (Vector<double>.Build.Dense(z), false);
    }

    private static void Precondition(Preconditioner? preconditioner, double[] r, double[] y)
    {
        if (preconditioner is null) r.CopyTo(y, 0);
        else preconditioner.Apply(r, y);
    }

    private static double Dot(double[] a, double[] b) => System.Numerics.Tensors.TensorPrimitives.Dot<double>(a, b);

    // z + τ·d with τ ≥ 0 and ‖z + τ·d‖_M = radius, from zᵀMz, zᵀMd and dᵀMd.
    private static Vector<double> ToBoundary(double[] z, double[] d, double zz, double zd, double dd, double radius)
    {
        double tau = (-zd + Math.Sqrt(zd * zd + dd * Math.Max(0, radius * radius - zz))) / dd;
        var step = new double[z.Length];
        for (int i = 0; i < z.Length; i++) step[i] = z[i] + tau * d[i];
        return Vector<double>.Build.Dense(step);
    }
}
