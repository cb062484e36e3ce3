// The loop every derivative check shares: at each point, the claimed numbers and the reference
// numbers, compared one by one; a probe failure becomes a failed entry with its point.
namespace Hybrid.Numerics;

internal static class CheckRun
{
    // extra: further entries at a point, after the components (a sparse check's stray non-zeros).
    public static CheckReport Run(string title, DerivativeReference reference, CheckOptions options, string[] inputNames,
        IReadOnlyList<string> components, IEnumerable<double[]> points, Func<double[], double[]> claimed, Func<double[], double[]> referenceValues,
        Func<double[], IEnumerable<CheckEntry>>? extra = null)
    {
        ArgumentNullException.ThrowIfNull(points);
        var entries = new List<CheckEntry>();
        string inputs = string.Join(", ", inputNames);
        foreach (var point in points)
        {
            Probe.RequireLength(point, inputNames.Length, inputs);
            try
            {
                var c = claimed(point);
                var r = referenceValues(point);
                for (int k = 0; k < components.Count; k++)
                    entries.Add(new CheckEntry(components[k], point, c[k], r[k], options.Accepts(c[k], r[k])));
                if (extra is not null) entries.AddRange(extra(point));
            }
            catch (ProbeFailure failure)
            {
                entries.Add(new CheckEntry("(all)", point, double.NaN, double.NaN, false, failure.Message));
            }
        }
        if (entries.Count == 0) throw new ArgumentException("There are no points to check at (or nothing to check at them).", nameof(points));
        return new CheckReport(title, reference, options, entries);
    }

    /// <summary>The reference to use: the one asked for, or the strongest available.</summary>
    public static DerivativeReference Resolve(CheckOptions options, bool exactAvailable)
    {
        var reference = options.Reference ?? (exactAvailable ? DerivativeReference.Exact : DerivativeReference.CentralDifference);
        if (reference == DerivativeReference.Exact && !exactAvailable)
            throw new ArgumentException("The exact reference needs the function as an Expr; use CentralDifference or Richardson.", nameof(options));
        return reference;
    }

    /// <summary>The input count of a plain function: the first point's length (all others must match it).</summary>
    public static int Dimension(IReadOnlyList<double[]> points) =>
        points.Count == 0 ? throw new ArgumentException("There are no points to check at.", nameof(points))
        : points[0]?.Length ?? throw new ArgumentNullException(nameof(points));

    public static void RequireSymbols(IReadOnlyList<Hybrid.Symbolic.Expr> variables)
    {
        ArgumentNullException.ThrowIfNull(variables);
        foreach (var v in variables)
            if (v is not Hybrid.Symbolic.Symbol) throw new ArgumentException($"Variables must be symbols, but {v} is not.", nameof(variables));
    }
}
