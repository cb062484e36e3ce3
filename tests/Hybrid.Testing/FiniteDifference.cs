// Central differences for checking exact derivatives: a five-point stencil (error O(h^4)) with a
// step scaled to |x|, refined once by Richardson extrapolation; the difference between the two
// estimates is returned as the oracle's own error bar, so a test can tell a wrong derivative from
// a function too steep for finite differences.
namespace Hybrid.Testing;

/// <summary>Numerical derivatives used as an independent oracle.</summary>
public static class FiniteDifference
{
    /// <summary>f'(x), extrapolated from five-point stencils with steps h and h/2, h = 2^-8·max(1, |x|).</summary>
    public static double Derivative(Func<double, double> f, double x) => DerivativeWithError(f, x).Value;

    /// <summary>f'(x) with an estimate of its own error (the change the extrapolation made).</summary>
    public static (double Value, double Error) DerivativeWithError(Func<double, double> f, double x)
    {
        double h = Math.ScaleB(Math.Max(1, Math.Abs(x)), -8);
        double coarse = Stencil(f, x, h), fine = Stencil(f, x, h / 2);
        double extrapolated = fine + (fine - coarse) / 15;   // the O(h^4) error terms cancel
        return (extrapolated, Math.Abs(extrapolated - fine));
    }

    private static double Stencil(Func<double, double> f, double x, double h) =>
        (f(x - 2 * h) - 8 * f(x - h) + 8 * f(x + h) - f(x + 2 * h)) / (12 * h);

    /// <summary>True when <paramref name="actual"/> is within <paramref name="relative"/>·|expected| + <paramref name="absolute"/> of <paramref name="expected"/>.</summary>
    public static bool Close(double actual, double expected, double relative, double absolute) =>
        actual == expected || Math.Abs(actual - expected) <= relative * Math.Abs(expected) + absolute;
}
