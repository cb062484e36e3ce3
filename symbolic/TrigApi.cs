// The trigonometric transforms of the public API: Rewrite into another family of functions,
// ExpandTrig (sums and integer multiples of angles apart) and its inverse CombineTrig (products and
// powers of sin and cos into sums). Each identity holds wherever the input is defined.
namespace Hybrid.Symbolic;

/// <summary>The families <see cref="Expr.Rewrite(RewriteTarget)"/> writes functions in.</summary>
public enum RewriteTarget
{
    /// <summary>Hyperbolic functions through exp: <c>sinh(x)</c> is <c>(exp(x) - exp(-x))/2</c>.</summary>
    Exp,
    /// <summary>tan, cot, sec and csc through sin and cos: <c>tan(x)</c> is <c>sin(x)/cos(x)</c>.</summary>
    SinCos,
    /// <summary>tanh, coth, sech and csch through sinh and cosh.</summary>
    SinhCosh,
}

public abstract partial class Expr
{
    /// <summary>Writes functions in another family (SymPy's <c>rewrite</c>): each rewrite holds on the original's domain.</summary>
    public Expr Rewrite(RewriteTarget target) => Traversal.Rewrite(this, (node, children) =>
        Traversal.WithChildren(node, children) switch
        {
            Call { Args: [var u] } call => target switch
            {
                RewriteTarget.Exp => TranscendentalForm.Hyperbolic(call),
                RewriteTarget.SinCos => TranscendentalForm.Quotient(call.Primitive, Primitives.Sin.Apply(u), Primitives.Cos.Apply(u), hyperbolic: false) ?? call,
                _ => TranscendentalForm.Quotient(call.Primitive, Primitives.Sinh.Apply(u), Primitives.Cosh.Apply(u), hyperbolic: true) ?? call,
            },
            var other => other,
        });

    /// <summary>
    /// sin and cos of sums and integer multiples written with sin and cos of the parts (SymPy's
    /// <c>expand_trig</c>): <c>sin(x + y)</c> is <c>sin(x)*cos(y) + cos(x)*sin(y)</c>, <c>cos(2*x)</c> is
    /// <c>cos(x)^2 - sin(x)^2</c>. tan, cot, sec and csc are first written with sin and cos.
    /// </summary>
    /// <param name="timeout">The time budget; <see cref="Limits.ExpandTimeout"/> (10 s) when null.</param>
    /// <param name="cancellationToken">Stops early with <see cref="OperationCanceledException"/>.</param>
    /// <exception cref="LimitExceededException">The time budget ran out.</exception>
    public Expr ExpandTrig(TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        var deadline = new Deadline("ExpandTrig", timeout ?? Limits.ExpandTimeout, cancellationToken);
        return Traversal.Rewrite(Rewrite(RewriteTarget.SinCos), (node, children) =>
            Traversal.WithChildren(node, children) switch
            {
                Call { Args: [var u] } sin when sin.Of(Primitives.Sin) => ExpandAngle(u, deadline).Sin,
                Call { Args: [var u] } cos when cos.Of(Primitives.Cos) => ExpandAngle(u, deadline).Cos,
                var other => other,
            }, deadline);
    }

    // sin and cos of u together: sin(a + b) = sin a cos b + cos a sin b, cos(a + b) = cos a cos b -
    // sin a sin b, term by term (one recursion per term: the parts are shared, not recomputed); an
    // integer multiple k*v (2 <= k <= 8) by (cos v + i sin v)^k.
    private static (Expr Sin, Expr Cos) ExpandAngle(Expr u, Deadline deadline)
    {
        deadline.Check();
        if (u is not Sum sum) return (TranscendentalForm.Multiple(u, sine: true), TranscendentalForm.Multiple(u, sine: false));
        var (sa, ca) = ExpandAngle(sum.Args[0], deadline);
        var (sb, cb) = ExpandAngle(Build.Add(sum.Args.Skip(1)), deadline);
        return (Build.Add(Build.Multiply(sa, cb), Build.Multiply(ca, sb)), Build.Add(Build.Multiply(ca, cb), Build.Multiply(Build.MinusOne, Build.Multiply(sa, sb))));
    }

    /// <summary>
    /// The inverse of <see cref="ExpandTrig"/>: products and powers of sin and cos written as sums of sin
    /// and cos of combined angles (SymPy's product-to-sum rules, TR8): <c>sin(x)*cos(x)</c> is
    /// <c>sin(2*x)/2</c>, <c>cos(x)^2</c> is <c>cos(2*x)/2 + 1/2</c>. The expression is expanded first.
    /// </summary>
    /// <param name="timeout">The time budget; <see cref="Limits.ExpandTimeout"/> (10 s) when null.</param>
    /// <param name="cancellationToken">Stops early with <see cref="OperationCanceledException"/>.</param>
    /// <exception cref="LimitExceededException">The expansion passed <see cref="Limits.MaxExpandedTerms"/>, or the time budget ran out.</exception>
    public Expr CombineTrig(TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        var deadline = new Deadline("CombineTrig", timeout ?? Limits.ExpandTimeout, cancellationToken);
        var expanded = Transforms.Expand(this, Limits.MaxExpandedTerms, deadline);
        return Build.Add((expanded is Sum s ? s.Args : [expanded]).Select(t => CombineTerm(t, deadline)));
    }

    // A product's sin and cos factors (integer powers unrolled) combined pairwise:
    //   sin a sin b = (cos(a - b) - cos(a + b))/2, cos a cos b = (cos(a - b) + cos(a + b))/2,
    //   sin a cos b = (sin(a + b) + sin(a - b))/2.
    private static Expr CombineTerm(Expr term, Deadline deadline)
    {
        var others = new List<Expr>();
        var circular = new List<(bool Sine, Expr Angle)>();
        foreach (var factor in term is Product p ? p.Args : [term])
        {
            if (factor is Call { Args: [var angle] } call && call.OfAny(Primitives.Sin, Primitives.Cos)) circular.Add((call.Of(Primitives.Sin), angle));
            else if (factor is Power { Base: Call { Args: [var a] } c, Exponent: Number { Value: { IsInteger: true, Sign: > 0 } k } } && c.OfAny(Primitives.Sin, Primitives.Cos) && k.Numerator <= 16)
                for (int i = 0; i < (int)k.Numerator; i++) circular.Add((c.Of(Primitives.Sin), a));
            else others.Add(factor);
        }
        if (circular.Count < 2) return term;
        // A sum of (coefficient, sine?, angle) terms, multiplied by one circular factor at a time.
        var sums = new List<(Expr Coefficient, bool Sine, Expr Angle)> { (Build.One, circular[0].Sine, circular[0].Angle) };
        foreach (var (sineB, b) in circular.Skip(1))
        {
            var next = new List<(Expr, bool, Expr)>();
            foreach (var (c, sineA, a) in sums)
            {
                deadline.Check();
                var half = Build.Multiply(Build.Half, c);
                var (plus, minus) = (Build.Add(a, b), Build.Add(a, Build.Multiply(Build.MinusOne, b)));
                if (sineA && sineB) { next.Add((half, false, minus)); next.Add((Build.Multiply(Build.MinusOne, half), false, plus)); }
                else if (!sineA && !sineB) { next.Add((half, false, minus)); next.Add((half, false, plus)); }
                else if (sineA) { next.Add((half, true, plus)); next.Add((half, true, minus)); }
                else { next.Add((half, true, plus)); next.Add((Build.Multiply(Build.MinusOne, half), true, minus)); }   // cos a sin b
            }
            sums = next;
        }
        var combined = Build.Add(sums.Select(t => Build.Multiply(t.Coefficient, Circular(t.Sine, t.Angle))));
        return Build.Multiply(others.Append(combined));
    }

    // sin or cos of an angle with its sign taken out: sin(-v) = -sin(v), cos(-v) = cos(v).
    private static Expr Circular(bool sine, Expr angle)
    {
        var (canonical, flipped) = TranscendentalForm.Parity(angle);
        var value = (sine ? Primitives.Sin : Primitives.Cos).Apply(canonical);
        return sine && flipped ? Build.Multiply(Build.MinusOne, value) : value;
    }
}
