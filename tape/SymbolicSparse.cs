// The exact sparse Jacobian and Hessian as expressions: the tape's structural pattern decides which entries
// exist, and each non-zero is one expression of a shared DAG (differentiation memoizes per node, so the
// expressions share their common parts), ready to simplify, print, check or lower onto one tape.
using Hybrid.Symbolic;

namespace Hybrid.Tapes;

/// <summary>Exact sparse derivatives as expressions, one per structural non-zero, in the pattern's row order.</summary>
public static class SymbolicSparse
{
    /// <summary>The Jacobian of <paramref name="functions"/> by <paramref name="variables"/>: its pattern and ∂Fᵢ/∂xⱼ for each non-zero (i, j).</summary>
    public static (SparsityPattern Pattern, Expr[] Nonzeros) Jacobian(IReadOnlyList<Expr> functions, IReadOnlyList<Expr> variables, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(functions);
        var pattern = Tape.Lower(functions, variables).JacobianPattern(cancellationToken);
        return (pattern, Entries(pattern, variables, i => functions[i]));
    }

    /// <summary>The Hessian of <paramref name="f"/> by <paramref name="variables"/>: its pattern and ∂²f/∂xᵢ∂xⱼ for each non-zero (i, j).</summary>
    public static (SparsityPattern Pattern, Expr[] Nonzeros) Hessian(Expr f, IReadOnlyList<Expr> variables, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(f);
        var pattern = Tape.Lower([f], variables).HessianPattern(cancellationToken);
        return (pattern, Hessian(f, variables, pattern));
    }

    /// <summary>∂²f/∂xᵢ∂xⱼ for each non-zero (i, j) of a Hessian pattern already found (<see cref="Tape.HessianPattern"/> of f's tape).</summary>
    /// <exception cref="ArgumentException">The pattern's size is not the number of variables.</exception>
    public static Expr[] Hessian(Expr f, IReadOnlyList<Expr> variables, SparsityPattern pattern)
    {
        ArgumentNullException.ThrowIfNull(f);
        ArgumentNullException.ThrowIfNull(variables);
        ArgumentNullException.ThrowIfNull(pattern);
        if (pattern.RowCount != variables.Count || pattern.ColumnCount != variables.Count)
            throw new ArgumentException($"The pattern is {pattern}; there are {variables.Count} variables.", nameof(pattern));
        return Entries(pattern, variables, i => f.Differentiate(variables[i]));
    }

    private static Expr[] Entries(SparsityPattern pattern, IReadOnlyList<Expr> variables, Func<int, Expr> row)
    {
        var entries = new Expr[pattern.NonzeroCount];
        for (int i = 0, p = 0; i < pattern.RowCount; i++)
        {
            if (pattern.Row(i).Length == 0) continue;
            var ri = row(i);
            foreach (int j in pattern.Row(i)) entries[p++] = ri.Differentiate(variables[j]);
        }
        return entries;
    }
}
