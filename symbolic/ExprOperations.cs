// The instance API of Expr: evaluation, calculus, transforms and printing. Each member is a thin
// door into the internal algorithm that does the work (Evaluation, Calculus, Transforms, ...).
namespace Hybrid.Symbolic;

public abstract partial class Expr
{
    /// <summary>The value at the given variable values.</summary>
    /// <exception cref="KeyNotFoundException">A variable has no value; the message names it.</exception>
    /// <exception cref="DomainException">With <see cref="EvaluationOptions.Checked"/>: a node left its real domain.</exception>
    /// <exception cref="NotDifferentiableException">With <see cref="EvaluationOptions.Strict"/>: a node sits at a kink.</exception>
    public double Evaluate(IReadOnlyDictionary<string, double> bindings, EvaluationOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(bindings);
        return Evaluation.Evaluate(this, bindings, options ?? EvaluationOptions.Default);
    }

    /// <summary>The value at the given variable values, such as <c>e.Evaluate(("x", 1.5), ("y", 2))</c>.</summary>
    public double Evaluate(params (string Name, double Value)[] bindings) =>
        Evaluate(bindings.ToDictionary(b => b.Name, b => b.Value));

    /// <summary>The exact derivative with respect to the variable <paramref name="x"/>. Shared subtrees are differentiated once.</summary>
    /// <exception cref="ArgumentException"><paramref name="x"/> is not a symbol.</exception>
    public Expr Differentiate(Expr x) => Calculus.Differentiate(this, AsSymbol(x));

    /// <summary>The <paramref name="order"/>-th derivative with respect to <paramref name="x"/>.</summary>
    public Expr Differentiate(Expr x, int order)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(order);
        var symbol = AsSymbol(x);
        var result = this;
        for (int i = 0; i < order; i++) result = Calculus.Differentiate(result, symbol);
        return result;
    }

    /// <summary>The partial derivatives with respect to each variable, in order.</summary>
    public Expr[] Gradient(params Expr[] variables) => variables.Select(v => Differentiate(v)).ToArray();

    /// <summary>The matrix of second partial derivatives, each entry differentiated on its own (so symmetry is a fact to test, not an assumption).</summary>
    public Expr[,] Hessian(params Expr[] variables) => Jacobian(Gradient(variables), variables);

    /// <summary>J[i, j] = d functions[i] / d variables[j].</summary>
    public static Expr[,] Jacobian(IReadOnlyList<Expr> functions, IReadOnlyList<Expr> variables)
    {
        ArgumentNullException.ThrowIfNull(functions);
        ArgumentNullException.ThrowIfNull(variables);
        var result = new Expr[functions.Count, variables.Count];
        for (int i = 0; i < functions.Count; i++)
            for (int j = 0; j < variables.Count; j++)
                result[i, j] = functions[i].Differentiate(variables[j]);
        return result;
    }

    /// <summary>Replaces every occurrence of the node <paramref name="from"/> (a symbol or a subexpression that appears as a node) by <paramref name="to"/>.</summary>
    public Expr Substitute(Expr from, Expr to) => Substitute(new Dictionary<Expr, Expr> { [from] = to });

    /// <summary>Replaces several nodes at once (simultaneously: replacements are not substituted into again).</summary>
    public Expr Substitute(IReadOnlyDictionary<Expr, Expr> replacements)
    {
        ArgumentNullException.ThrowIfNull(replacements);
        return Transforms.Substitute(this, replacements);
    }

    /// <summary>Distributes products over sums and expands integer powers of sums.</summary>
    /// <param name="timeout">The time budget; <see cref="Limits.ExpandTimeout"/> (10 s) when null, <see cref="Timeout.InfiniteTimeSpan"/> for none.</param>
    /// <param name="cancellationToken">Stops the expansion early.</param>
    /// <exception cref="LimitExceededException">The result would have more than <see cref="Limits.MaxExpandedTerms"/> terms,
    /// a coefficient more than <see cref="Limits.MaxBits"/> bits, or the time budget ran out (<see cref="LimitExceededException.Limit"/> says which).</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public Expr Expand(TimeSpan? timeout = null, CancellationToken cancellationToken = default) =>
        Transforms.Expand(this, Limits.MaxExpandedTerms, new Deadline("Expand", timeout ?? Limits.ExpandTimeout, cancellationToken));

    /// <summary>
    /// Sound simplification beyond the canonical form: polynomial cancellation in one variable,
    /// sin²+cos² = 1, exp(log u) = u and the like. Work is bounded by <paramref name="budget"/> nodes
    /// and by <paramref name="timeout"/>: when time runs out it returns the smallest sound form found so
    /// far (at worst the input). The result is never larger than the input.
    /// </summary>
    /// <param name="budget">The largest expression (distinct nodes) that Simplify will try to expand.</param>
    /// <param name="timeout">The time budget; <see cref="Limits.SimplifyTimeout"/> (2 s) when null, <see cref="Timeout.InfiniteTimeSpan"/> for none.</param>
    /// <param name="cancellationToken">Stops early, like the timeout, with the best result so far.</param>
    public Expr Simplify(int budget = 20_000, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(budget);
        return Simplifier.Simplify(this, budget, new Deadline("Simplify", timeout ?? Limits.SimplifyTimeout, cancellationToken));
    }

    /// <summary>The variables this expression depends on, sorted by name.</summary>
    public IReadOnlyList<Symbol> FreeSymbols() => Symbolic.FreeSymbols.Of(this);

    /// <summary>Each distinct node once (by reference), children before parents: the order to lower or evaluate in.</summary>
    public IReadOnlyList<Expr> PostOrder() => Traversal.PostOrder(this);

    /// <summary>Every distinct node reachable from any of <paramref name="roots"/> once (shared nodes, and nodes shared between roots, visited once), children before parents.</summary>
    public static IReadOnlyList<Expr> PostOrder(IReadOnlyList<Expr> roots) => Traversal.PostOrder(roots);

    /// <summary>The number of distinct nodes: the size of the DAG, counting shared subtrees once.</summary>
    public int DagSize() => Traversal.DagSize(this);

    /// <summary>The number of nodes if nothing were shared (what printing as a tree produces); saturates at long.MaxValue.</summary>
    public long TreeSize() => Traversal.TreeSize(this);

    /// <summary>LaTeX, such as <c>\frac{x}{2} + \sin\left(x\right)</c>.</summary>
    public string ToLatex() => Printing.Latex.Print(this);

    /// <summary>A C# expression over double variables named as the symbols, using System.Math.</summary>
    public string ToCSharp() => Printing.CSharp.Print(this);

    private static Symbol AsSymbol(Expr x) =>
        x as Symbol ?? throw new ArgumentException($"Differentiation is with respect to a variable; '{x}' is not one.", nameof(x));
}
