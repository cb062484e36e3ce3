// How the error of a finite difference depends on its step: truncation error falls with the step (h
// for forward, h² for central differences) until rounding error (ε·|f|/h) takes over, the V-shaped
// curve that explains why a check's step is neither large nor tiny. Returned as data to plot.
using System.Globalization;
using System.Text;
using Hybrid.Symbolic;

namespace Hybrid.Numerics;

/// <summary>One step of a <see cref="StepSizeStudy"/>: both difference quotients and their errors against the exact derivative.</summary>
public sealed record StepSizeSample(double Step, double Forward, double ForwardError, double Central, double CentralError);

/// <summary>Error of forward and central differences against the exact derivative over a range of steps.</summary>
public sealed class StepSizeStudy
{
    private StepSizeStudy(double point, double exact, IReadOnlyList<StepSizeSample> samples)
    {
        Point = point;
        Exact = exact;
        Samples = samples;
    }

    /// <summary>Where the derivative was taken.</summary>
    public double Point { get; }

    /// <summary>The exact derivative the differences are measured against.</summary>
    public double Exact { get; }

    /// <summary>One sample per step, largest step first.</summary>
    public IReadOnlyList<StepSizeSample> Samples { get; }

    /// <summary>The step with the smallest central-difference error (the bottom of the V).</summary>
    public StepSizeSample BestCentral => Samples.MinBy(s => s.CentralError)!;

    /// <summary>The step with the smallest forward-difference error.</summary>
    public StepSizeSample BestForward => Samples.MinBy(s => s.ForwardError)!;

    /// <summary>Steps 10^-1, 10^-1.25, …, 10^-12: four per decade.</summary>
    public static IReadOnlyList<double> DefaultSteps { get; } = Enumerable.Range(4, 45).Select(k => Math.Pow(10, -k / 4.0)).ToArray();

    /// <summary>Runs the study for f at <paramref name="x"/>, given the exact derivative there.</summary>
    public static StepSizeStudy Run(Func<double, double> f, double x, double exactDerivative, IEnumerable<double>? steps = null)
    {
        ArgumentNullException.ThrowIfNull(f);
        if (!double.IsFinite(exactDerivative)) throw new ArgumentException($"The exact derivative at {x} is {exactDerivative}; the study needs a finite one.", nameof(exactDerivative));
        double fx = f(x);
        var samples = new List<StepSizeSample>();
        foreach (double h in steps ?? DefaultSteps)
        {
            if (!(h > 0)) throw new ArgumentOutOfRangeException(nameof(steps), h, "Steps must be positive.");
            double forward = (f(x + h) - fx) / h, central = (f(x + h) - f(x - h)) / (2 * h);
            samples.Add(new StepSizeSample(h, forward, Math.Abs(forward - exactDerivative), central, Math.Abs(central - exactDerivative)));
        }
        return new StepSizeStudy(x, exactDerivative, samples);
    }

    /// <summary>Runs the study for d<paramref name="f"/>/d<paramref name="variable"/> at <paramref name="at"/>, the exact derivative coming from the symbolic one.</summary>
    public static StepSizeStudy Run(Expr f, Expr variable, IReadOnlyDictionary<string, double> at, IEnumerable<double>? steps = null)
    {
        ArgumentNullException.ThrowIfNull(f);
        ArgumentNullException.ThrowIfNull(at);
        if (variable is not Symbol symbol) throw new ArgumentException($"The variable must be a symbol, but {variable} is not.", nameof(variable));
        if (!at.TryGetValue(symbol.Name, out double x)) throw new ArgumentException($"The point gives no value for {symbol.Name}.", nameof(at));
        var bindings = new Dictionary<string, double>(at);
        double F(double t)
        {
            bindings[symbol.Name] = t;
            return f.Evaluate(bindings);
        }
        double exact = f.Differentiate(variable).Evaluate(at);
        return Run(F, x, exact, steps);
    }

    /// <summary>A table of step, forward error, central error, and the best step of each.</summary>
    public override string ToString()
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"finite-difference error at x = {CheckReport.Format(Point)} (exact derivative {CheckReport.Format(Exact)})");
        text.AppendLine("step          forward error  central error");
        foreach (var s in Samples)
            text.AppendLine(CultureInfo.InvariantCulture, $"{s.Step,-12:0.00e+00}  {s.ForwardError,-13:0.000e+00}  {s.CentralError:0.000e+00}");
        text.Append(CultureInfo.InvariantCulture, $"best step: forward {BestForward.Step:0.00e+00} (error {BestForward.ForwardError:0.00e+00}), central {BestCentral.Step:0.00e+00} (error {BestCentral.CentralError:0.00e+00})");
        return text.ToString();
    }
}
