// Checks a claimed Hessian: against second differences of the values (a plain function), finite
// differences of the exact gradient, or the exact symbolic Hessian (an Expr).
using Hybrid.Tapes;
using Hybrid.Symbolic;

namespace Hybrid.Numerics;

/// <summary>Checks Hessians, entry by entry.</summary>
public static class HessianCheck
{
    /// <summary>Checks <paramref name="hessian"/> against second differences of <paramref name="f"/> (step 2^-13·max(1, |x|)).</summary>
    public static CheckReport Run(Func<double[], double> f, Func<double[], double[,]> hessian, IEnumerable<double[]> points, CheckOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(f);
        ArgumentNullException.ThrowIfNull(hessian);
        var list = points.ToList();
        int n = CheckRun.Dimension(list);
        options ??= CheckOptions.Default;
        var reference = CheckRun.Resolve(options, exactAvailable: false);
        return Check("Hessian of f", TapeFunctions.Names(n), TapeFunctions.Flatten(hessian, n, n, "The claimed Hessian"), reference,
            x => Differences.Hessian(p => Probe.Scalar(f, p, "f"), x, reference, options.RelativeStep), list, options);
    }

    /// <summary>Checks a claimed symbolic Hessian, by default against the exact symbolic one; finite differences are taken of the exact gradient.</summary>
    public static CheckReport Run(Expr f, Expr[,] hessian, IReadOnlyList<Expr> variables, IEnumerable<double[]> points, CheckOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(f);
        ArgumentNullException.ThrowIfNull(hessian);
        CheckRun.RequireSymbols(variables);
        int n = variables.Count;
        if (hessian.GetLength(0) != n || hessian.GetLength(1) != n)
            throw new ArgumentException($"The claimed Hessian is {hessian.GetLength(0)}×{hessian.GetLength(1)}, but there are {n} variables ({string.Join(", ", variables)}).", nameof(hessian));
        RequireSize(n);
        var claimed = TapeFunctions.Values(Tape.Lower(hessian.Cast<Expr>().ToArray(), variables));
        return CheckExpr($"Hessian of {TapeFunctions.Describe(f)}", f, variables, claimed, points, options ?? CheckOptions.Default);
    }

    /// <summary>Checks the tape's Hessian (forward over reverse) of <paramref name="f"/>, by default against the exact symbolic Hessian.</summary>
    public static CheckReport Run(Expr f, IReadOnlyList<Expr> variables, IEnumerable<double[]> points, CheckOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(f);
        CheckRun.RequireSymbols(variables);
        return CheckExpr($"Hessian of {TapeFunctions.Describe(f)} (forward over reverse)", f, variables,
            TapeFunctions.Hessian(Tape.Lower([f], variables)), points, options ?? CheckOptions.Default);
    }

    /// <summary>Checks the tape's Hessian against finite differences of its reverse-mode gradient.</summary>
    public static CheckReport Run(Tape tape, IEnumerable<double[]> points, CheckOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(tape);
        GradCheck.RequireOneOutput(tape);
        options ??= CheckOptions.Default;
        var reference = CheckRun.Resolve(options, exactAvailable: false);
        return Check($"Hessian of a tape of {tape.Length} instructions (forward over reverse)", tape.InputNames.ToArray(), TapeFunctions.Hessian(tape),
            reference, FromGradient(TapeFunctions.Gradient(tape), tape.InputCount, reference, options), points, options);
    }

    private static CheckReport CheckExpr(string title, Expr f, IReadOnlyList<Expr> variables, Func<double[], double[]> claimed, IEnumerable<double[]> points, CheckOptions options)
    {
        int n = variables.Count;
        RequireSize(n);
        var reference = CheckRun.Resolve(options, exactAvailable: true);
        Func<double[], double[]> referenceValues;
        if (reference == DerivativeReference.Exact)
        {
            var exact = TapeFunctions.Values(Tape.Lower(f.Hessian(variables.ToArray()).Cast<Expr>().ToArray(), variables));
            referenceValues = x => Probe.Vector(exact, x, n * n, "the exact Hessian");
        }
        else referenceValues = FromGradient(GradCheck.ExactGradient(f, variables), n, reference, options);
        return Check(title, TapeFunctions.Names(variables), claimed, reference, referenceValues, points, options);
    }

    private static void RequireSize(int n) => Limits.RequireMatrix(n, n, "Hessian", "check Hessian-vector products along directions instead");

    private static Func<double[], double[]> FromGradient(Func<double[], double[]> gradient, int n, DerivativeReference reference, CheckOptions options) =>
        x => Differences.Jacobian(p => Probe.Vector(gradient, p, n, "the gradient"), x, n, reference, options.RelativeStep);

    private static CheckReport Check(string title, string[] names, Func<double[], double[]> claimed, DerivativeReference reference,
        Func<double[], double[]> referenceValues, IEnumerable<double[]> points, CheckOptions options)
    {
        int n = names.Length;
        RequireSize(n);
        var components = names.SelectMany(a => names.Select(b => a == b ? $"∂²f/∂{a}²" : $"∂²f/∂{a}∂{b}")).ToArray();
        return CheckRun.Run(title, reference, options, names, components, points, x => Probe.Vector(claimed, x, n * n, "the claimed Hessian"), referenceValues);
    }
}
