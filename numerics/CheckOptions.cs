// How a derivative check decides: which reference the claimed derivative is compared with, the
// tolerances (torch.autograd.gradcheck's defaults), the step, and the random directions.
namespace Hybrid.Numerics;

/// <summary>What a claimed derivative is compared with.</summary>
public enum DerivativeReference
{
    /// <summary>Central differences, step 2^-17·max(1, |x|) per component: cheap, error about 1e-10 relative.</summary>
    CentralDifference,

    /// <summary>Richardson extrapolation of central differences over three halved steps: tight, several times the cost.</summary>
    Richardson,

    /// <summary>The exact symbolic derivative (only when the function is an <c>Expr</c>): no step error at all.</summary>
    Exact,
}

/// <summary>Settings of <see cref="GradCheck"/>, <see cref="JacobianCheck"/>, <see cref="HessianCheck"/> and <see cref="DirectionalCheck"/>.</summary>
public sealed record CheckOptions
{
    /// <summary>A component passes when |claimed − reference| ≤ AbsoluteTolerance + RelativeTolerance·|reference|; default 1e-5 as in torch.autograd.gradcheck.</summary>
    public double AbsoluteTolerance { get; init; } = 1e-5;

    /// <summary>See <see cref="AbsoluteTolerance"/>; default 1e-3 as in torch.autograd.gradcheck.</summary>
    public double RelativeTolerance { get; init; } = 1e-3;

    /// <summary>The reference; null picks the strongest available: <see cref="DerivativeReference.Exact"/> for an <c>Expr</c>, central differences otherwise.</summary>
    public DerivativeReference? Reference { get; init; }

    /// <summary>Overrides the relative step of the finite differences (the step is this times max(1, |x|)).</summary>
    public double? RelativeStep { get; init; }

    /// <summary>Random unit directions per point in <see cref="DirectionalCheck"/>.</summary>
    public int Directions { get; init; } = 4;

    /// <summary>Seed of the random directions, so a failing check reproduces.</summary>
    public int Seed { get; init; } = 1;

    /// <summary>The defaults.</summary>
    public static CheckOptions Default { get; } = new();

    /// <summary>Whether <paramref name="claimed"/> is within the tolerances of <paramref name="reference"/>.</summary>
    public bool Accepts(double claimed, double reference) =>
        claimed == reference || Math.Abs(claimed - reference) <= AbsoluteTolerance + RelativeTolerance * Math.Abs(reference);
}
