// A scalar function applied elementwise to tensors: an Expr over parameter symbols, evaluated per
// element by its own small tape. Its derivative with respect to a parameter is the symbolic
// derivative of the Expr, again an Elementwise, so tensors of any primitive differentiate to any order.
using System.Collections.Concurrent;
using Hybrid.Symbolic;

namespace Hybrid.Tape;

internal sealed class Elementwise
{
    private static readonly ConcurrentDictionary<Primitive, Elementwise> rows = new();
    private readonly Tape tape;
    private readonly Elementwise?[] derivatives;

    private Elementwise(string name, Expr function, Expr[] parameters)
    {
        (Name, Function, Parameters) = (name, function, parameters);
        tape = Tape.Lower(function, parameters);
        derivatives = new Elementwise?[parameters.Length];
    }

    public string Name { get; }
    public Expr Function { get; }
    public Expr[] Parameters { get; }

    /// <summary>The primitive as a function of its own parameter names (made once per primitive).</summary>
    public static Elementwise Of(Primitive row) => rows.GetOrAdd(row, static row =>
    {
        var parameters = row.Parameters.Select(Expr.Symbol).ToArray();
        return new Elementwise(row.Name, row.Apply(parameters), parameters);
    });

    /// <summary>∂f/∂(parameter k), as a function of the same parameters.</summary>
    public Elementwise Derivative(int k)
    {
        lock (derivatives)
            return derivatives[k] ??= new Elementwise($"d{Name}/d{Parameters[k]}", Function.Differentiate(Parameters[k]), Parameters);
    }

    /// <summary>f at each element; an argument with one element broadcasts.</summary>
    public void Evaluate(double[][] args, double[] result)
    {
        var workspace = tape.CreateWorkspace();
        Span<double> point = stackalloc double[args.Length];
        for (int i = 0; i < result.Length; i++)
        {
            for (int k = 0; k < args.Length; k++) point[k] = args[k].Length == 1 ? args[k][0] : args[k][i];
            result[i] = tape.Evaluate(point, workspace);
        }
    }
}
