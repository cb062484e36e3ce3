// Checks a claimed gradient of a scalar function against a reference: finite differences of the
// function (central or Richardson) or, for an Expr, the exact symbolic gradient.
using Hybrid.Tapes;
using Hybrid.Symbolic;

namespace Hybrid.Numerics;

/// <summary>Checks gradients: a hand-written one, a claimed symbolic one, or our own reverse mode.</summary>
public static class GradCheck
{
    /// <summary>Checks <paramref name="gradient"/> against finite differences of <paramref name="f"/> at every point.</summary>
    /// <example><code>GradCheck.Run(x => x[0] * x[0] * x[1], x => [2 * x[0] * x[1], x[0] * x[0]], [[1.0, 2.0]]).ThrowIfFailed();</code></example>
    public static CheckReport Run(Func<double[], double> f, Func<double[], double[]> gradient, IEnumerable<double[]> points, CheckOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(f);
        ArgumentNullException.ThrowIfNull(gradient);
        var list = points.ToList();
        return Check("gradient of f", TapeFunctions.Names(CheckRun.Dimension(list)), f, gradient, exact: null, list, options ?? CheckOptions.Default);
    }

    /// <summary>
    /// Checks a claimed symbolic gradient (one expression per variable) of <paramref name="f"/>. The reference
    /// is the exact symbolic gradient unless <see cref="CheckOptions.Reference"/> asks for finite differences.
    /// </summary>
    public static CheckReport Run(Expr f, IReadOnlyList<Expr> gradient, IReadOnlyList<Expr> variables, IEnumerable<double[]> points, CheckOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(f);
        ArgumentNullException.ThrowIfNull(gradient);
        CheckRun.RequireSymbols(variables);
        if (gradient.Count != variables.Count)
            throw new ArgumentException($"The claimed gradient has {gradient.Count} components, but there are {variables.Count} variables ({string.Join(", ", variables)}).", nameof(gradient));
        var report = Check($"gradient of {TapeFunctions.Describe(f)}", TapeFunctions.Names(variables), TapeFunctions.Value(Tape.Lower([f], variables)),
            TapeFunctions.Values(Tape.Lower(gradient, variables)), ExactGradient(f, variables), points, options ?? CheckOptions.Default);
        if (report.Reference != DerivativeReference.Exact) return report;
        // Against the exact derivative the claim can also be compared everywhere, not only at the points.
        var equivalences = variables.Select((v, i) => ($"∂f/∂{v}", Expr.Equivalent(gradient[i], f.Differentiate(v)))).ToList();
        return new CheckReport(report.Title, report.Reference, report.Options, report.Entries, equivalences);
    }

    /// <summary>
    /// Checks a hand-written C# <paramref name="gradient"/> (values in the order of <paramref name="variables"/>) of a
    /// function known as an expression: by default against the exact symbolic gradient.
    /// </summary>
    public static CheckReport Run(Expr f, IReadOnlyList<Expr> variables, Func<double[], double[]> gradient, IEnumerable<double[]> points, CheckOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(f);
        ArgumentNullException.ThrowIfNull(gradient);
        CheckRun.RequireSymbols(variables);
        return Check($"gradient of {TapeFunctions.Describe(f)}", TapeFunctions.Names(variables), TapeFunctions.Value(Tape.Lower([f], variables)),
            gradient, ExactGradient(f, variables), points, options ?? CheckOptions.Default);
    }

    /// <summary>Checks our own reverse mode (the tape's gradient) of <paramref name="f"/>, by default against the exact symbolic gradient.</summary>
    public static CheckReport Run(Expr f, IReadOnlyList<Expr> variables, IEnumerable<double[]> points, CheckOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(f);
        CheckRun.RequireSymbols(variables);
        var tape = Tape.Lower([f], variables);
        return Check($"gradient of {TapeFunctions.Describe(f)} (reverse mode)", TapeFunctions.Names(variables), TapeFunctions.Value(tape),
            TapeFunctions.Gradient(tape), ExactGradient(f, variables), points, options ?? CheckOptions.Default);
    }

    /// <summary>Checks the tape's reverse-mode gradient against finite differences of its value (a tape has no exact reference).</summary>
    public static CheckReport Run(Tape tape, IEnumerable<double[]> points, CheckOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(tape);
        RequireOneOutput(tape);
        return Check($"gradient of a tape of {tape.Length} instructions (reverse mode)", tape.InputNames.ToArray(), TapeFunctions.Value(tape),
            TapeFunctions.Gradient(tape), exact: null, points, options ?? CheckOptions.Default);
    }

    /// <summary>Checks a hand-written C# <paramref name="gradient"/> of the function a tape computes, against finite differences of the tape's value.</summary>
    public static CheckReport Run(Tape tape, Func<double[], double[]> gradient, IEnumerable<double[]> points, CheckOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(tape);
        ArgumentNullException.ThrowIfNull(gradient);
        RequireOneOutput(tape);
        return Check($"gradient of a tape of {tape.Length} instructions", tape.InputNames.ToArray(), TapeFunctions.Value(tape),
            gradient, exact: null, points, options ?? CheckOptions.Default);
    }

    internal static void RequireOneOutput(Tape tape)
    {
        if (tape.OutputCount != 1)
            throw new ArgumentException($"A gradient needs one output, but the tape has {tape.OutputCount}; check its Jacobian instead.", nameof(tape));
    }

    internal static Func<double[], double[]> ExactGradient(Expr f, IReadOnlyList<Expr> variables) =>
        TapeFunctions.Values(Tape.Lower(f.Gradient(variables.ToArray()), variables));

    private static CheckReport Check(string title, string[] names, Func<double[], double> f, Func<double[], double[]> claimed,
        Func<double[], double[]>? exact, IEnumerable<double[]> points, CheckOptions options)
    {
        var reference = CheckRun.Resolve(options, exact is not null);
        int n = names.Length;
        Func<double[], double[]> referenceValues = reference == DerivativeReference.Exact
            ? x => Probe.Vector(exact!, x, n, "the exact gradient")
            : x => Differences.Jacobian(p => [Probe.Scalar(f, p, "f")], x, 1, reference, options.RelativeStep);
        return CheckRun.Run(title, reference, options, names, names.Select(v => $"∂f/∂{v}").ToArray(), points,
            x => Probe.Vector(claimed, x, n, "the claimed gradient"), referenceValues);
    }
}
