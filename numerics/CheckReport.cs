// The result of a derivative check: one entry per compared number, each with the point, both values,
// the errors and the verdict; a probe where the function threw or was not finite is an entry too,
// with the problem spelled out, so nothing is silently skipped.
using System.Globalization;
using System.Text;
using Hybrid.Symbolic;

namespace Hybrid.Numerics;

/// <summary>One compared number: the claimed derivative against the reference at one point.</summary>
/// <param name="Component">Which derivative, e.g. <c>∂f/∂x</c>, <c>∂f[1]/∂y</c>, <c>∂²f/∂x∂y</c>, <c>∇f·v2</c>.</param>
/// <param name="Point">The point, one value per input.</param>
/// <param name="Claimed">The derivative under test.</param>
/// <param name="Reference">The reference value (finite differences or exact).</param>
/// <param name="Passed">Whether the two agree within the tolerances.</param>
/// <param name="Problem">Why no comparison was possible (the function threw or was NaN at a probe), or null.</param>
public sealed record CheckEntry(string Component, double[] Point, double Claimed, double Reference, bool Passed, string? Problem = null)
{
    /// <summary>|claimed − reference|.</summary>
    public double AbsoluteError => Math.Abs(Claimed - Reference);

    /// <summary>|claimed − reference| / |reference| (0 when both are 0, ∞ when only the reference is).</summary>
    public double RelativeError => Claimed == Reference ? 0 : AbsoluteError / Math.Abs(Reference);
}

/// <summary>The outcome of a derivative check, printable as a table with <see cref="ToString"/>.</summary>
public sealed class CheckReport
{
    internal CheckReport(string title, DerivativeReference reference, CheckOptions options, IReadOnlyList<CheckEntry> entries,
        IReadOnlyList<(string Component, Equivalence Result)>? equivalences = null)
    {
        Equivalences = equivalences ?? [];
        Title = title;
        Reference = reference;
        Options = options;
        Entries = entries;
    }

    /// <summary>What was checked, e.g. "gradient of f(x, y)".</summary>
    public string Title { get; }

    /// <summary>The reference the claimed values were compared with.</summary>
    public DerivativeReference Reference { get; }

    /// <summary>The tolerances and steps used.</summary>
    public CheckOptions Options { get; }

    /// <summary>Every comparison, point by point.</summary>
    public IReadOnlyList<CheckEntry> Entries { get; }

    /// <summary>
    /// For a claimed symbolic gradient checked against the exact one: each component compared with the
    /// exact derivative everywhere by <see cref="Expr.Equivalent"/> (Proven, NotEqual with a witness, ...);
    /// empty for other checks.
    /// </summary>
    public IReadOnlyList<(string Component, Equivalence Result)> Equivalences { get; }

    /// <summary>True when there is at least one entry, every entry passed, and no component is NotEqual everywhere.</summary>
    public bool Passed => Entries.Count > 0 && Entries.All(e => e.Passed) && !Equivalences.Any(e => e.Result.Verdict == EquivalenceVerdict.NotEqual);

    /// <summary>The entries that failed, problems included.</summary>
    public IEnumerable<CheckEntry> Failures => Entries.Where(e => !e.Passed);

    /// <summary>The entry with the largest error beyond its tolerance (a problem first), or null when there are none.</summary>
    public CheckEntry? Worst => Entries.MaxBy(e => e.Problem is not null ? double.PositiveInfinity : Excess(e));

    /// <summary>Throws <see cref="DerivativeCheckException"/> with this report's table when the check failed.</summary>
    public CheckReport ThrowIfFailed() => Passed ? this : throw new DerivativeCheckException(this);

    private double Excess(CheckEntry e) =>
        double.IsNaN(e.AbsoluteError) ? double.PositiveInfinity
        : e.AbsoluteError - Options.AbsoluteTolerance - Options.RelativeTolerance * Math.Abs(e.Reference);

    /// <summary>A table: point, component, claimed, reference, absolute and relative error, verdict; then a summary line.</summary>
    public override string ToString()
    {
        var rows = Entries.Select(e => e.Problem is null
            ? new[] { Format(e.Point), e.Component, Format(e.Claimed), Format(e.Reference), Format(e.AbsoluteError), Format(e.RelativeError), e.Passed ? "ok" : "FAIL" }
            : [Format(e.Point), e.Component, "", "", "", "", "FAIL: " + e.Problem]).ToList();
        string[] header = ["point", "component", "claimed", $"reference ({Name(Reference)})", "abs error", "rel error", "result"];
        var widths = header.Select((h, c) => rows.Select(r => c == header.Length - 1 ? 0 : r[c].Length).Append(h.Length).Max()).ToArray();
        var text = new StringBuilder();
        text.AppendLine(Title);
        foreach (var row in rows.Prepend(header))
            text.AppendLine(string.Join("  ", row.Select((cell, c) => c == row.Length - 1 ? cell : cell.PadRight(widths[c]))).TrimEnd());
        foreach (var (component, result) in Equivalences)
            text.AppendLine($"{component} everywhere: {result.Verdict} — {result.Reason}"
                + (result.Witness is { } w ? $" at ({string.Join(", ", w.Values.Select(Format))}): {Format(result.Left!.Value)} vs {Format(result.Right!.Value)}" : ""));
        return text.Append(Summary).ToString();
    }

    /// <summary>The table's last line: PASSED or FAILED, how many entries are within the tolerances, and the tolerances.</summary>
    public string Summary
    {
        get
        {
            int passed = Entries.Count(e => e.Passed);
            int notEqual = Equivalences.Count(e => e.Result.Verdict == EquivalenceVerdict.NotEqual);
            return $"{(Passed ? "PASSED" : "FAILED")}: {passed} of {Entries.Count} within atol {Format(Options.AbsoluteTolerance)} + rtol {Format(Options.RelativeTolerance)}·|reference|"
                + (notEqual > 0 ? $"; {notEqual} of {Equivalences.Count} components not equal everywhere" : "");
        }
    }

    /// <summary>The reference's name as printed: "central differences", "Richardson", "exact".</summary>
    public static string Name(DerivativeReference reference) => reference switch
    {
        DerivativeReference.CentralDifference => "central differences",
        DerivativeReference.Richardson => "Richardson",
        DerivativeReference.Exact => "exact",
    };

    internal static string Format(double value) => value.ToString("G6", CultureInfo.InvariantCulture);

    internal static string Format(double[] point) => "(" + string.Join(", ", point.Select(v => v.ToString("G6", CultureInfo.InvariantCulture))) + ")";
}

/// <summary>A derivative check failed; the message is the report's table.</summary>
public sealed class DerivativeCheckException(CheckReport report) : Exception(report.ToString())
{
    /// <summary>The failed report.</summary>
    public CheckReport Report { get; } = report;
}
