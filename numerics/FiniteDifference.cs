// Finite differences: the independent oracle for every derivative check. Steps are powers of two
// scaled by max(1, |x|), so the step follows the argument's scale; quotients divide by the distance
// between the probe points as stored, so the rounding of x ± h does not bias them.
// Richardson extrapolation runs a tableau over halved steps of a symmetric scheme (error in even
// powers of h); the last correction is returned as the oracle's own error bar.
namespace Hybrid.Numerics;

/// <summary>Numerical derivatives: central differences and Richardson extrapolation.</summary>
public static class FiniteDifference
{
    /// <summary>Relative step of a central difference, 2^-17 ≈ 7.6e-6 ≈ ∛ε: truncation (h²) and rounding (ε/h) errors balance.</summary>
    public const double CentralStep = 1.0 / (1 << 17);

    /// <summary>Relative first step of Richardson extrapolation, 2^-7; halved at each level.</summary>
    public const double RichardsonStep = 1.0 / (1 << 7);

    /// <summary>Relative step of a second difference from values, 2^-13 ≈ 1.2e-4 ≈ ε^(1/4).</summary>
    public const double SecondDifferenceStep = 1.0 / (1 << 13);

    /// <summary>Levels of the Richardson tableau: three levels cancel the h² and h⁴ terms.</summary>
    public const int RichardsonLevels = 3;

    /// <summary>The step for a coordinate at <paramref name="x"/>: <paramref name="relative"/>·max(1, |x|).</summary>
    public static double Step(double x, double relative) => relative * Math.Max(1, Math.Abs(x));

    /// <summary>(f(x + h) − f(x − h)) / 2h with h = <see cref="Step"/>(x, <paramref name="relative"/>): error O(h²).</summary>
    public static double Central(Func<double, double> f, double x, double relative = CentralStep)
    {
        ArgumentNullException.ThrowIfNull(f);
        double h = Step(x, relative);
        double up = x + h, down = x - h;
        return (f(up) - f(down)) / (up - down);   // the stored distance: x ± h rounds
    }

    /// <summary>f'(x) by Richardson extrapolation of central differences (error O(h⁶)).</summary>
    public static double Derivative(Func<double, double> f, double x) => DerivativeWithError(f, x).Value;

    /// <summary>f'(x) with an estimate of its own error (the change the last extrapolation made).</summary>
    public static (double Value, double Error) DerivativeWithError(Func<double, double> f, double x)
    {
        ArgumentNullException.ThrowIfNull(f);
        var (value, error) = Extrapolate(t => [Central(f, x, t)], RichardsonStep, RichardsonLevels);
        return (value[0], error[0]);
    }

    /// <summary>
    /// Richardson extrapolation of a symmetric scheme: <paramref name="estimate"/>(t) must have an error
    /// in even powers of t. Evaluates it at t, t/2, … (<paramref name="levels"/> times), element by element,
    /// and returns the extrapolated values with the last correction as their error.
    /// </summary>
    public static (double[] Value, double[] Error) Extrapolate(Func<double, double[]> estimate, double t, int levels)
    {
        ArgumentNullException.ThrowIfNull(estimate);
        ArgumentOutOfRangeException.ThrowIfLessThan(levels, 2);
        var row = new double[levels][];
        for (int i = 0; i < levels; i++)
        {
            // Tableau row i: estimate at t/2^i, then each column removes one more even power of t.
            var current = new double[levels][];
            current[0] = estimate(t / (1 << i));
            for (int k = 1; k <= i; k++)
            {
                double factor = Math.Pow(4, k) - 1;
                current[k] = current[k - 1].Select((v, j) => v + (v - row[k - 1][j]) / factor).ToArray();
            }
            row = current;
        }
        var best = row[levels - 1];
        var previous = row[levels - 2];
        return (best, best.Select((v, j) => Math.Abs(v - previous[j])).ToArray());
    }

    /// <summary>True when <paramref name="actual"/> is within <paramref name="relative"/>·|expected| + <paramref name="absolute"/> of <paramref name="expected"/>.</summary>
    public static bool Close(double actual, double expected, double relative, double absolute) =>
        actual == expected || Math.Abs(actual - expected) <= relative * Math.Abs(expected) + absolute;
}
