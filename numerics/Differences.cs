// Finite-difference references for whole derivative objects: every column of a Jacobian (a gradient is
// the one-row case, a Hessian the Jacobian of a gradient), second differences of values for a Hessian,
// and a directional derivative. Each works by central differences or by Richardson extrapolation.
namespace Hybrid.Numerics;

internal static class Differences
{
    /// <summary>dF/dx, row-major m×n, one pair of probes per input (per level for Richardson).</summary>
    public static double[] Jacobian(Func<double[], double[]> F, double[] x, int m, DerivativeReference kind, double? relativeStep)
    {
        int n = x.Length;
        var jacobian = new double[m * n];
        for (int j = 0; j < n; j++)
        {
            double scale = Math.Max(1, Math.Abs(x[j]));
            var column = Along(F, x, Unit(n, j), scale, kind, relativeStep, axis: j);
            for (int k = 0; k < m; k++) jacobian[k * n + j] = column[k];
        }
        return jacobian;
    }

    /// <summary>d/dt F(x + t·v) at t = 0, step scaled by max(1, max |xᵢ|).</summary>
    public static double[] Directional(Func<double[], double[]> F, double[] x, double[] v, DerivativeReference kind, double? relativeStep) =>
        Along(F, x, v, Math.Max(1, x.Select(Math.Abs).DefaultIfEmpty(0).Max()), kind, relativeStep, axis: null);

    private static double[] Along(Func<double[], double[]> F, double[] x, double[] v, double scale, DerivativeReference kind, double? relativeStep, int? axis)
    {
        double[] Central(double h)
        {
            var (plus, minus) = (Shift(x, v, h), Shift(x, v, -h));
            // Along an axis, divide by the distance between the probes as stored: x ± h rounds, and
            // dividing by the nominal 2h would turn that rounding into a bias.
            double width = axis is int j ? plus[j] - minus[j] : 2 * h;
            var (up, down) = (F(plus), F(minus));
            return up.Select((u, k) => (u - down[k]) / width).ToArray();
        }
        return kind == DerivativeReference.Richardson
            ? FiniteDifference.Extrapolate(t => Central(t * scale), relativeStep ?? FiniteDifference.RichardsonStep, FiniteDifference.RichardsonLevels).Value
            : Central((relativeStep ?? FiniteDifference.CentralStep) * scale);
    }

    /// <summary>The Hessian of f from values: (f(x+hᵢ+hⱼ) − f(x+hᵢ−hⱼ) − f(x−hᵢ+hⱼ) + f(x−hᵢ−hⱼ)) / 4hᵢhⱼ, row-major.</summary>
    public static double[] Hessian(Func<double[], double> f, double[] x, DerivativeReference kind, double? relativeStep)
    {
        int n = x.Length;
        var scales = x.Select(v => Math.Max(1, Math.Abs(v))).ToArray();
        double[] Second(double t)
        {
            var h = new double[n * n];
            for (int i = 0; i < n; i++)
                for (int j = i; j < n; j++)
                {
                    var (ei, ej) = (Unit(n, i), Unit(n, j));
                    double hi = t * scales[i], hj = t * scales[j];
                    double value = (f(Shift(Shift(x, ei, hi), ej, hj)) - f(Shift(Shift(x, ei, hi), ej, -hj))
                                    - f(Shift(Shift(x, ei, -hi), ej, hj)) + f(Shift(Shift(x, ei, -hi), ej, -hj))) / (4 * hi * hj);
                    h[i * n + j] = h[j * n + i] = value;
                }
            return h;
        }
        return kind == DerivativeReference.Richardson
            ? FiniteDifference.Extrapolate(Second, relativeStep ?? 16 * FiniteDifference.SecondDifferenceStep, FiniteDifference.RichardsonLevels).Value
            : Second(relativeStep ?? FiniteDifference.SecondDifferenceStep);
    }

    private static double[] Unit(int n, int j)
    {
        var e = new double[n];
        e[j] = 1;
        return e;
    }

    private static double[] Shift(double[] x, double[] v, double h) => x.Select((xi, i) => xi + h * v[i]).ToArray();
}
