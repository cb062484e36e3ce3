// A MathNet.Numerics objective over a tape, so BfgsMinimizer, LimitedMemoryBfgsMinimizer and
// NewtonMinimizer run on exact gradients and Hessians. One evaluation is one value-and-gradient sweep
// of the compiled tape; the Hessian (forward over reverse) is computed only when a minimizer asks.
// Every evaluation returns a *new* gradient vector: MathNet's Fork() copies references and BFGS keeps
// the previous point's gradient, so a reused buffer would silently corrupt its update.
using Hybrid.Symbolic;
using Hybrid.Tapes;
using MathNet.Numerics.LinearAlgebra;
using MathNet.Numerics.Optimization;

namespace Hybrid.Numerics;

/// <summary>An <see cref="IObjectiveFunction"/> with exact gradient and Hessian from a tape. Not thread-safe: forks share the tape's buffers.</summary>
public sealed class TapeObjective : IObjectiveFunction
{
    private readonly Shared shared;
    private Vector<double>? gradient;
    private Matrix<double>? hessian;

    // What forks share: the tape, its compiled form, one workspace, and the evaluation counts.
    private sealed class Shared(Tape tape, SparseHessian? sparse = null)
    {
        public readonly Tape Tape = tape;
        public readonly SparseHessian? Sparse = sparse;
        public readonly CompiledTape Compiled = tape.Compile();
        public readonly Workspace Workspace = tape.CreateWorkspace();
        public int Evaluations;
        public int HessianEvaluations;
    }

    private TapeObjective(Shared shared) => this.shared = shared;

    /// <summary>An objective over <paramref name="tape"/>, which must have one output; its inputs are the variables in order.</summary>
    public static TapeObjective Of(Tape tape)
    {
        ArgumentNullException.ThrowIfNull(tape);
        GradCheck.RequireOneOutput(tape);
        return new TapeObjective(new Shared(tape));
    }

    /// <summary>
    /// An objective over <paramref name="tape"/> whose <see cref="Hessian"/> is a MathNet sparse (CSR) matrix from
    /// the tape's exact sparsity pattern and one Hessian-vector sweep per color (<see cref="SparseHessian"/>): for
    /// many variables, with <see cref="TrustRegionNewtonCG"/>, which only multiplies by it.
    /// </summary>
    /// <exception cref="Hybrid.Symbolic.LimitExceededException">The Hessian is too dense to store sparsely.</exception>
    public static TapeObjective OfSparse(Tape tape, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(tape);
        GradCheck.RequireOneOutput(tape);
        return new TapeObjective(new Shared(tape, new SparseHessian(tape, cancellationToken)));
    }

    /// <summary>An objective for <paramref name="f"/> over <paramref name="variables"/> (lowered once).</summary>
    public static TapeObjective Of(Expr f, IReadOnlyList<Expr> variables)
    {
        ArgumentNullException.ThrowIfNull(f);
        CheckRun.RequireSymbols(variables);
        return Of(Tape.Lower([f], variables));
    }

    /// <summary>The sparse Hessian evaluator (its pattern and coloring) of an objective made by <see cref="OfSparse"/>; null otherwise.</summary>
    public SparseHessian? SparseHessian => shared.Sparse;

    /// <summary>Value-and-gradient sweeps so far, over this objective and all its forks.</summary>
    public int Evaluations => shared.Evaluations;

    /// <summary>Hessians computed so far, over this objective and all its forks.</summary>
    public int HessianEvaluations => shared.HessianEvaluations;

    /// <summary>The point of the last <see cref="EvaluateAt"/>.</summary>
    public Vector<double> Point { get; private set; } = Vector<double>.Build.Dense(0);

    /// <summary>f at <see cref="Point"/>.</summary>
    public double Value { get; private set; } = double.NaN;

    /// <summary>Always true.</summary>
    public bool IsGradientSupported => true;

    /// <summary>∇f at <see cref="Point"/>: a vector of its own, never overwritten by later evaluations.</summary>
    public Vector<double> Gradient => gradient ?? throw new InvalidOperationException("Call EvaluateAt before reading the gradient.");

    /// <summary>Always true: the tape's Hessian is exact (forward over reverse).</summary>
    public bool IsHessianSupported => true;

    /// <summary>The Hessian at <see cref="Point"/>, computed on first access and kept for this point.</summary>
    public Matrix<double> Hessian
    {
        get
        {
            if (hessian is not null) return hessian;
            if (gradient is null) throw new InvalidOperationException("Call EvaluateAt before reading the Hessian.");
            if (shared.Sparse is { } sparse)
            {
                shared.HessianEvaluations++;
                return hessian = sparse.Evaluate(Point.AsArray() ?? Point.ToArray());
            }
            int n = shared.Tape.InputCount;
            Limits.RequireMatrix(n, n, "Hessian", "use a gradient-only minimizer (BFGS, L-BFGS), or TapeObjective.OfSparse, for this many variables");
            var values = new double[n * n];
            shared.Tape.Hessian(Point.AsArray() ?? Point.ToArray(), values, shared.Workspace);
            shared.HessianEvaluations++;
            return hessian = Matrix<double>.Build.DenseOfRowMajor(n, n, values);
        }
    }

    /// <summary>Evaluates value and gradient at <paramref name="point"/> in one sweep.</summary>
    public void EvaluateAt(Vector<double> point)
    {
        ArgumentNullException.ThrowIfNull(point);
        int n = shared.Tape.InputCount;
        if (point.Count != n)
            throw new ArgumentException($"The point has {point.Count} coordinates, but the objective has {n} variables ({string.Join(", ", shared.Tape.InputNames)}).", nameof(point));
        var fresh = Vector<double>.Build.Dense(n);
        Value = shared.Compiled.Gradient(point.AsArray() ?? point.ToArray(), fresh.AsArray(), shared.Workspace);
        shared.Evaluations++;
        Point = point.Clone();   // the lazily computed Hessian must be taken where the gradient was, whatever the caller does with its vector
        gradient = fresh;
        hessian = null;
    }

    /// <summary>A copy at the same point (sharing the tape and counts; the gradient vector is immutable once made, so sharing it is safe).</summary>
    public IObjectiveFunction Fork() => new TapeObjective(shared) { Point = Point, Value = Value, gradient = gradient, hessian = hessian };

    /// <summary>A fresh, unevaluated objective over the same tape.</summary>
    public IObjectiveFunction CreateNew() => new TapeObjective(shared);
}
