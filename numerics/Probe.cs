// Evaluating a user's function at a probe point. A throw or a non-finite value becomes a ProbeFailure
// naming the function and the point, which a check turns into a failed entry: reported, not swallowed.
// A result of the wrong length is a usage error and is thrown as such.
namespace Hybrid.Numerics;

internal static class Probe
{
    public static double Scalar(Func<double[], double> f, double[] x, string role)
    {
        double value;
        try { value = f((double[])x.Clone()); }
        catch (Exception e) when (e is not DimensionMismatch) { throw new ProbeFailure($"{role} threw {e.GetType().Name} at {CheckReport.Format(x)}: {e.Message}", e); }
        return double.IsFinite(value) ? value : throw new ProbeFailure($"{role} returned {CheckReport.Format(value)} at {CheckReport.Format(x)}");
    }

    public static double[] Vector(Func<double[], double[]> f, double[] x, int length, string role)
    {
        double[] values;
        try { values = f((double[])x.Clone()); }
        catch (Exception e) when (e is not DimensionMismatch) { throw new ProbeFailure($"{role} threw {e.GetType().Name} at {CheckReport.Format(x)}: {e.Message}", e); }
        if (values is null || values.Length != length)
            throw new DimensionMismatch($"{role} returned {values?.Length ?? 0} values at {CheckReport.Format(x)}, but {length} were expected.");
        int bad = Array.FindIndex(values, v => !double.IsFinite(v));
        return bad < 0 ? values : throw new ProbeFailure($"{role} returned {CheckReport.Format(values[bad])} in component {bad} at {CheckReport.Format(x)}");
    }

    public static void RequireLength(double[] point, int inputs, string inputsText)
    {
        ArgumentNullException.ThrowIfNull(point);
        if (point.Length != inputs)
            throw new ArgumentException($"The point {CheckReport.Format(point)} has {point.Length} coordinates, but the function takes {inputs} inputs ({inputsText}).", nameof(point));
    }
}

/// <summary>A function's result has the wrong shape: a usage error, thrown through the probe rather than reported as a probe failure.</summary>
internal sealed class DimensionMismatch(string message) : ArgumentException(message);

/// <summary>The function under test threw or returned a non-finite value at a probe point.</summary>
internal sealed class ProbeFailure(string message, Exception? inner = null) : Exception(message, inner);
