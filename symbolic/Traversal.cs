// Iterative walks over the DAG. Every algorithm that visits an Expr goes through here, so no
// algorithm recurses as deep as the user's expression and a shared node is visited once.
namespace Hybrid.Symbolic;

internal static class Traversal
{
    /// <summary>Each distinct node once (by reference), children before parents.</summary>
    public static List<Expr> PostOrder(Expr root) => PostOrder([root]);

    /// <summary>Each distinct node reachable from any root once (by reference), children before parents, roots in order.</summary>
    public static List<Expr> PostOrder(IReadOnlyList<Expr> roots)
    {
        var order = new List<Expr>();
        var seen = new HashSet<Expr>(Expr.ByReference);
        var stack = new Stack<(Expr Node, int Next)>();
        foreach (var root in roots)
        {
            if (!seen.Add(root)) continue;
            stack.Push((root, 0));
            Drain(stack, seen, order);
        }
        return order;
    }

    private static void Drain(Stack<(Expr Node, int Next)> stack, HashSet<Expr> seen, List<Expr> order)
    {
        while (stack.Count > 0)
        {
            var (node, next) = stack.Pop();
            var children = node.Children;
            if (next < children.Length)
            {
                stack.Push((node, next + 1));
                var child = children[next];
                if (seen.Add(child)) stack.Push((child, 0));
            }
            else order.Add(node);
        }
    }

    /// <summary>
    /// Rebuilds bottom-up: <paramref name="rewrite"/> receives each node and its already rewritten
    /// children. Results are memoized per node, so shared nodes stay shared.
    /// </summary>
    public static Expr Rewrite(Expr root, Func<Expr, Expr[], Expr> rewrite, Deadline deadline = default)
    {
        var done = new Dictionary<Expr, Expr>(Expr.ByReference);
        foreach (var node in PostOrder(root))
        {
            deadline.Check();
            var children = node.Children;
            var mapped = new Expr[children.Length];
            for (int i = 0; i < mapped.Length; i++) mapped[i] = done[children[i]];
            done[node] = rewrite(node, mapped);
        }
        return done[root];
    }

    /// <summary>The node again with new children, canonicalized; the node itself when nothing changed.</summary>
    public static Expr WithChildren(Expr node, Expr[] children)
    {
        var old = node.Children;
        bool same = true;
        for (int i = 0; i < old.Length && same; i++) same = ReferenceEquals(old[i], children[i]);
        if (same) return node;
        return node.Kind switch
        {
            ExprKind.Sum => Build.Add(children),
            ExprKind.Product => Build.Multiply(children),
            ExprKind.Power => Build.Pow(children[0], children[1]),
            ExprKind.Call => Build.Call(((Call)node).Primitive, children),
            ExprKind.Number or ExprKind.Float or ExprKind.Constant or ExprKind.Symbol => node,   // leaves: no children to change
        };
    }

    /// <summary>The number of distinct nodes (the DAG size).</summary>
    public static int DagSize(Expr root) => PostOrder(root).Count;

    /// <summary>The number of nodes if no subtree were shared (the tree size), saturating at long.MaxValue.</summary>
    public static long TreeSize(Expr root)
    {
        var size = new Dictionary<Expr, long>(Expr.ByReference);
        foreach (var node in PostOrder(root))
        {
            long total = 1;
            foreach (var child in node.Children) total = total > long.MaxValue - size[child] ? long.MaxValue : total + size[child];
            size[node] = total;
        }
        return size[root];
    }
}
