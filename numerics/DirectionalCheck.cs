// Checks derivatives along random unit directions: one pair of probes per direction instead of one per
// input, so it stays cheap at any dimension. For a tape it also runs the dot-product test
// ⟨u, J·v⟩ = ⟨Jᵀ·u, v⟩, which ties reverse mode (VJP) to forward mode (JVP) exactly.
using Hybrid.Tapes;
using Hybrid.Symbolic;
using MathNet.Numerics.Distributions;

namespace Hybrid.Numerics;

/// <summary>Directional derivative checks: ∇f·v against finite differences along v, for random unit v.</summary>
public static class DirectionalCheck
{
    /// <summary>Checks ∇f·v, with <paramref name="gradient"/> claimed, against finite differences of f along <see cref="CheckOptions.Directions"/> random unit directions per point.</summary>
    public static CheckReport Run(Func<double[], double> f, Func<double[], double[]> gradient, IEnumerable<double[]> points, CheckOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(f);
        ArgumentNullException.ThrowIfNull(gradient);
        var list = points.ToList();
        return Check("directional derivatives of f", TapeFunctions.Names(CheckRun.Dimension(list)), f, gradient, exact: null, list, options ?? CheckOptions.Default);
    }

    /// <summary>Checks the tape's reverse-mode gradient of <paramref name="f"/> along random directions, by default against the exact symbolic gradient.</summary>
    public static CheckReport Run(Expr f, IReadOnlyList<Expr> variables, IEnumerable<double[]> points, CheckOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(f);
        CheckRun.RequireSymbols(variables);
        var tape = Tape.Lower([f], variables);
        return Check($"directional derivatives of {TapeFunctions.Describe(f)} (reverse mode)", TapeFunctions.Names(variables), TapeFunctions.Value(tape),
            TapeFunctions.Gradient(tape), GradCheck.ExactGradient(f, variables), points, options ?? CheckOptions.Default);
    }

    /// <summary>
    /// Checks a tape with any number of outputs: forward mode J·v against finite differences along v, and the
    /// dot-product test ⟨u, J·v⟩ (forward) against ⟨Jᵀ·u, v⟩ (reverse) for random unit u and v.
    /// </summary>
    public static CheckReport Run(Tape tape, IEnumerable<double[]> points, CheckOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(tape);
        options ??= CheckOptions.Default;
        var reference = CheckRun.Resolve(options, exactAvailable: false);
        int n = tape.InputCount, m = tape.OutputCount, d = Math.Max(1, options.Directions);
        var workspace = tape.CreateWorkspace();
        var values = TapeFunctions.Values(tape);
        var random = new Random(options.Seed);
        var components = Enumerable.Range(0, d).SelectMany(k => Enumerable.Range(0, m).Select(i => $"(J·v{k})[{i}]").Append($"⟨Jᵀu{k}, v{k}⟩ vs ⟨u{k}, J·v{k}⟩")).ToArray();
        var directions = new List<(double[] U, double[] V)>();
        var jv = new double[m];
        var jtu = new double[n];
        return CheckRun.Run($"directional derivatives of a tape of {tape.Length} instructions (forward and reverse mode)", reference, options,
            tape.InputNames.ToArray(), components, points,
            claimed: x =>
            {
                // Fresh directions per point, drawn here so the reference below sees the same ones.
                directions.Clear();
                var result = new List<double>();
                for (int k = 0; k < d; k++)
                {
                    var (u, v) = (UnitVector(random, m), UnitVector(random, n));
                    directions.Add((u, v));
                    tape.JacobianVectorProduct(x, v, jv, workspace);
                    tape.VectorJacobianProduct(x, u, jtu, workspace);
                    result.AddRange(jv);
                    result.Add(Dot(jtu, v));
                }
                return Finite(result.ToArray(), x, "the tape's J·v or Jᵀ·u");
            },
            referenceValues: x =>
            {
                var result = new List<double>();
                foreach (var (u, v) in directions)
                {
                    var along = Differences.Directional(p => Probe.Vector(values, p, m, "the tape"), x, v, reference, options.RelativeStep);
                    tape.JacobianVectorProduct(x, v, jv, workspace);
                    result.AddRange(along);
                    result.Add(Dot(u, jv));
                }
                return result.ToArray();
            });
    }

    private static CheckReport Check(string title, string[] names, Func<double[], double> f, Func<double[], double[]> claimed,
        Func<double[], double[]>? exact, IEnumerable<double[]> points, CheckOptions options)
    {
        var reference = CheckRun.Resolve(options, exact is not null);
        int n = names.Length, d = Math.Max(1, options.Directions);
        var random = new Random(options.Seed);
        var directions = new double[d][];
        return CheckRun.Run(title, reference, options, names, Enumerable.Range(0, d).Select(k => $"∇f·v{k}").ToArray(), points,
            claimed: x =>
            {
                for (int k = 0; k < d; k++) directions[k] = UnitVector(random, n);
                var g = Probe.Vector(claimed, x, n, "the claimed gradient");
                return directions.Select(v => Dot(g, v)).ToArray();
            },
            referenceValues: x =>
            {
                if (reference == DerivativeReference.Exact)
                {
                    var g = Probe.Vector(exact!, x, n, "the exact gradient");
                    return directions.Select(v => Dot(g, v)).ToArray();
                }
                return directions.Select(v => Differences.Directional(p => [Probe.Scalar(f, p, "f")], x, v, reference, options.RelativeStep)[0]).ToArray();
            });
    }

    private static double[] Finite(double[] values, double[] x, string role)
    {
        int bad = Array.FindIndex(values, v => !double.IsFinite(v));
        return bad < 0 ? values : throw new ProbeFailure($"{role} returned {CheckReport.Format(values[bad])} at {CheckReport.Format(x)}");
    }

    private static double[] UnitVector(Random random, int n)
    {
        // Gaussian components, normalized: uniform on the sphere, no preferred axis.
        var v = Enumerable.Range(0, n).Select(_ => Normal.Sample(random, 0, 1)).ToArray();
        double norm = Math.Sqrt(Dot(v, v));
        return v.Select(c => c / norm).ToArray();
    }

    private static double Dot(double[] a, double[] b)
    {
        double sum = 0;
        for (int i = 0; i < a.Length; i++) sum += a[i] * b[i];
        return sum;
    }
}
