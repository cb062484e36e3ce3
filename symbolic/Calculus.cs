// Exact differentiation. One pass over the DAG in post-order with a memo keyed by node, so a
// shared subtree is differentiated once and its derivative is shared too: the derivative of a
// depth-n composition has a DAG size linear in n. A node free of x gets derivative 0 and no work.
namespace Hybrid.Symbolic;

internal static class Calculus
{
    public static Expr Differentiate(Expr root, Symbol x)
    {
        var derivative = new Dictionary<Expr, Expr>();
        foreach (var node in Traversal.PostOrder(root))
        {
            if (derivative.ContainsKey(node)) continue;   // structurally equal to a node already done
            derivative[node] = Rule(node, x, derivative);
        }
        return derivative[root];
    }

    private static Expr Rule(Expr node, Symbol x, Dictionary<Expr, Expr> d)
    {
        var zero = Build.Zero;
        switch (node)
        {
            case Number or FloatNumber or Constant:
                return zero;
            case Symbol s:
                return s.Name == x.Name ? Build.One : zero;
            case Sum sum:
                return Build.Add(sum.Args.Select(t => d[t]));
            case Product product:
            {
                // Product rule: sum over factors with a non-zero derivative of (other factors) * factor'.
                var factors = product.Children;
                var terms = new List<Expr>();
                for (int i = 0; i < factors.Length; i++)
                {
                    var di = d[factors[i]];
                    if (ReferenceEquals(di, zero)) continue;
                    var parts = new Expr[factors.Length];
                    for (int j = 0; j < factors.Length; j++) parts[j] = i == j ? di : factors[j];
                    terms.Add(Build.Multiply(parts));
                }
                return Build.Add(terms);
            }
            case Power power:
            {
                var (u, v) = (power.Base, power.Exponent);
                var (du, dv) = (d[u], d[v]);
                bool constantExponent = ReferenceEquals(dv, zero), constantBase = ReferenceEquals(du, zero);
                if (constantExponent && constantBase) return zero;
                // (u^v)' = v u^(v-1) u'              when v is free of x,
                //        = u^v log(u) v'             when u is free of x,
                //        = u^v (v' log u + v u'/u)   otherwise.
                if (constantExponent) return Build.Multiply([v, Build.Pow(u, Build.Add(v, Build.MinusOne)), du]);
                if (constantBase) return Build.Multiply([power, Primitives.Log.Apply(u), dv]);
                return Build.Multiply(power, Build.Add(Build.Multiply(dv, Primitives.Log.Apply(u)), Build.Multiply([v, du, Build.Pow(u, Build.MinusOne)])));
            }
            case Call call:
            {
                var args = call.Args;
                var dargs = args.Select(a => d[a]).ToArray();
                if (dargs.All(da => ReferenceEquals(da, zero))) return zero;
                if (call.Primitive.Chain is { } chain) return chain(args, dargs);
                var terms = new List<Expr>();
                for (int i = 0; i < args.Count; i++)
                    if (!ReferenceEquals(dargs[i], zero)) terms.Add(Build.Multiply(call.Primitive.Partials[i](args), dargs[i]));
                return Build.Add(terms);
            }
        }
        throw new InvalidOperationException($"No derivative rule for {node.Kind}.");
    }
}
