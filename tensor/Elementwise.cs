// A scalar function applied elementwise to tensors: an Expr over parameter symbols, evaluated per
// element by its own small tape. Its derivative with respect to a parameter is the symbolic
// derivative of the Expr, again an Elementwise, so tensors of any primitive differentiate to any order.
// The primitive itself and its first partials evaluate through the row's numeric functions, as the tape
// does, so Tensor gives the tape's numbers, conventions at singular points included (atan2 at 0).
using System.Collections.Concurrent;
using Hybrid.Symbolic;
using Hybrid.Tapes;

namespace Hybrid.Tensors;

internal sealed class Elementwise
{
    private static readonly ConcurrentDictionary<Primitive, Elementwise> rows = new();
    private readonly Tape tape;
    private readonly Elementwise?[] derivatives;
    private readonly Primitive? row;               // set for a primitive itself: its partials are the row's
    private readonly NumericFunction? numeric;     // the row's function for this Elementwise, when it has one

    private Elementwise(string name, Expr function, Expr[] parameters, Primitive? row = null, NumericFunction? numeric = null)
    {
        (Name, Function, Parameters, this.row, this.numeric) = (name, function, parameters, row, numeric);
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
        return new Elementwise(row.Name, row.Apply(parameters), parameters, row, row.Evaluate);
    });

    /// <summary>∂f/∂(parameter k), as a function of the same parameters.</summary>
    public Elementwise Derivative(int k)
    {
        lock (derivatives)
            return derivatives[k] ??= new Elementwise($"d{Name}/d{Parameters[k]}", Function.Differentiate(Parameters[k]), Parameters,
                numeric: row is not null && k < row.NumericPartials.Count ? row.NumericPartials[k] : null);
    }

    /// <summary>
    /// The first partial of a one-argument row at x, whose values are y, as a constant tensor of the backward pass: the
    /// row's vector partial on large tensors, else its numeric partial per element (its kink conventions included).
    /// </summary>
    public Tensor FirstPartial(Tensor x, Tensor y)
    {
        if (row is null) return Tensor.Map(Derivative(0), [x]);
        var data = new double[x.Count];
        if (row.VectorPartial is { } kernel && data.Length > Tensor.SmallCount) kernel(x.Data, y.Data, data);
        else
        {
            var partial = row.NumericPartials[0];
            Span<double> arg = stackalloc double[1];
            for (int i = 0; i < data.Length; i++) { arg[0] = x.Data[i]; data[i] = partial(arg); }
        }
        return new Tensor(data, x.ShapeArray);
    }

    /// <summary>f at each element; an argument with one element broadcasts.</summary>
    public void Evaluate(double[][] args, double[] result)
    {
        var workspace = numeric is null ? tape.CreateWorkspace() : null;
        Span<double> point = stackalloc double[args.Length];
        for (int i = 0; i < result.Length; i++)
        {
            for (int k = 0; k < args.Length; k++) point[k] = args[k].Length == 1 ? args[k][0] : args[k][i];
            result[i] = numeric is not null ? numeric(point) : tape.Evaluate(point, workspace!);
        }
    }
}
