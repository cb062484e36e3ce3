// Exact differentiation. One pass over the DAG in post-order with a memo keyed by node, so a
// shared subtree is differentiated once and its derivative is shared too: the derivative of a
// depth-n composition has a DAG size linear in n. A node free of x gets derivative 0 and no work.
//
// The chain rule through a long composition multiplies one more factor at every level. Building
// that product canonically at every level would re-flatten it each time (quadratic in the depth),
// so a derivative may stay pending as factor * (another derivative) and is built once, when a sum
// or the caller needs it.
namespace Hybrid.Symbolic;

internal static class Calculus
{
    // Either a built expression, or Factor times the derivative Rest, not built yet.
    private sealed class Derivative
    {
        public Expr? Built;
        public Expr? Factor;
        public Derivative? Rest;
        public bool IsZero => Built is not null && ReferenceEquals(Built, Build.Zero);
    }

    private static readonly Derivative zero = new() { Built = Build.Zero };
    private static readonly Derivative one = new() { Built = Build.One };

    public static Expr Differentiate(Expr root, Symbol x)
    {
        var derivative = new Dictionary<Expr, Derivative>();
        foreach (var node in Traversal.PostOrder(root))
        {
            if (derivative.ContainsKey(node)) continue;   // structurally equal to a node already done
            derivative[node] = Rule(node, x, derivative);
        }
        return Materialize(derivative[root]);
    }

    // Products with this many factors that depend on x are differentiated through their prefixes.
    private const int PrefixRuleFrom = 4;

    private static Derivative Of(Expr built) => new() { Built = built };

    private static Derivative Times(Expr factor, Derivative rest)
    {
        if (ReferenceEquals(factor, Build.Zero) || rest.IsZero) return zero;
        return factor is Number { Value.IsOne: true } ? rest : new Derivative { Factor = factor, Rest = rest };
    }

    private static Expr Materialize(Derivative d)
    {
        if (d.Built is not null) return d.Built;
        var factors = new List<Expr>();
        var link = d;
        for (; link.Built is null; link = link.Rest!) factors.Add(link.Factor!);
        factors.Add(link.Built);
        return d.Built = Build.Multiply(factors);
    }

    // The product of all factors but one (by reference: canonical factors are distinct).
    private static Expr Others(Expr[] factors, Expr skip)
    {
        var others = new Expr[factors.Length - 1];
        int n = 0;
        foreach (var f in factors) if (!ReferenceEquals(f, skip)) others[n++] = f;
        return Build.Multiply(others);
    }

    private static Derivative Rule(Expr node, Symbol x, Dictionary<Expr, Derivative> d)
    {
        switch (node)
        {
            case Number or FloatNumber or Constant:
                return zero;
            case Symbol s:
                return s.Name == x.Name ? one : zero;
            case Sum sum:
            {
                Derivative? single = null;
                List<Expr>? terms = null;
                foreach (var term in sum.Children)
                {
                    var dt = d[term];
                    if (dt.IsZero) continue;
                    if (single is null) { single = dt; continue; }
                    (terms ??= [Materialize(single)]).Add(Materialize(dt));
                }
                return terms is not null ? Of(Build.Add(terms)) : single ?? zero;
            }
            case Product product:
            {
                var factors = product.Children.ToArray();
                var varying = new List<Expr>(factors.Length);
                foreach (var f in factors) if (!d[f].IsZero) varying.Add(f);
                if (varying.Count == 0) return zero;
                if (varying.Count < PrefixRuleFrom)
                {
                    // Product rule as a sum of (other factors) * factor': its terms join the enclosing
                    // sum, where like terms cancel exactly (Rubi's antiderivatives rely on that).
                    if (varying.Count == 1) return Times(Others(factors, varying[0]), d[varying[0]]);
                    var terms = new Expr[varying.Count];
                    for (int i = 0; i < terms.Length; i++) terms[i] = Build.Multiply(Others(factors, varying[i]), Materialize(d[varying[i]]));
                    return Of(Build.Add(terms));
                }
                var constant = Build.Multiply(Array.FindAll(factors, f => d[f].IsZero));
                // Product rule through prefixes, left to right: D(v1..vj) = D(v1..vj-1) vj + (v1..vj-1) vj'.
                // Iterated maps such as 4x(1-x) flatten into ever longer products that share their
                // prefixes; the memo is structural, so each prefix is differentiated once and the
                // derivative stays linear in the depth (the plain sum of n terms would be quadratic).
                var prefix = varying[0];
                var dPrefix = d[prefix];
                for (int j = 1; j < varying.Count; j++)
                {
                    var next = Build.Multiply(prefix, varying[j]);
                    if (!d.TryGetValue(next, out var dNext))
                    {
                        dNext = Of(Build.Add(
                            Build.Multiply(Materialize(dPrefix), varying[j]),
                            Build.Multiply(prefix, Materialize(d[varying[j]]))));
                        d[next] = dNext;
                    }
                    (prefix, dPrefix) = (next, dNext);
                }
                return Times(constant, dPrefix);
            }
            case Power power:
            {
                var (u, v) = (power.Base, power.Exponent);
                var (du, dv) = (d[u], d[v]);
                // (u^v)' = v u^(v-1) u'              when v is free of x,
                //        = u^v log(u) v'             when u is free of x,
                //        = u^v (v' log u + v u'/u)   otherwise.
                if (du.IsZero && dv.IsZero) return zero;
                // v stays a pending factor of its own: built with u' in one product, 2*(c + d*x)*d is
                // 2*d*(c + d*x), where building 2*(c + d*x) first would distribute the 2 (2*d*x + 2*c).
                if (dv.IsZero) return Times(v, Times(Build.Pow(u, Build.Add(v, Build.MinusOne)), du));
                if (du.IsZero) return Times(Build.Multiply(power, Primitives.Log.Apply(u)), dv);
                return Of(Build.Multiply(power, Build.Add(
                    Build.Multiply(Materialize(dv), Primitives.Log.Apply(u)),
                    Build.Multiply([v, Materialize(du), Build.Pow(u, Build.MinusOne)]))));
            }
            case Call call:
            {
                var args = call.Args;
                var dargs = new Derivative[args.Count];
                int varying = 0, last = -1;
                for (int i = 0; i < dargs.Length; i++)
                    if (!(dargs[i] = d[args[i]]).IsZero) { varying++; last = i; }
                if (varying == 0) return zero;
                var partials = call.Primitive.Partials;
                if (call.Primitive.Chain is { } chain) return Of(chain(args, Array.ConvertAll(dargs, Materialize)));
                if (varying == 1) return Times(partials[last](args), dargs[last]);
                var terms = new List<Expr>(varying);
                for (int i = 0; i < dargs.Length; i++)
                    if (!dargs[i].IsZero) terms.Add(Build.Multiply(partials[i](args), Materialize(dargs[i])));
                return Of(Build.Add(terms));
            }
        }
        throw new InvalidOperationException($"No derivative rule for {node.Kind}.");
    }
}
