// The one total order on canonical expressions, used to sort the terms of sums and the factors of
// products. Numbers come first; a power compares as (base, exponent) and any other factor f as
// f^1, so x < x^2 < x^3 < y; nodes of one kind and payload compare by depth, then child by child. Iterative: pending pairs and tie-breaks sit on an explicit stack.
namespace Hybrid.Symbolic;

internal static class Order
{
    private static readonly Expr one = Build.One;

    private static int Rank(ExprKind kind) => kind switch
    {
        ExprKind.Number or ExprKind.Float => 0,
        ExprKind.Constant => 1,
        ExprKind.Symbol => 2,
        ExprKind.Call => 3,
        ExprKind.Sum => 4,
        ExprKind.Power => 5,
        ExprKind.Product => 6,
    };

    // An item is a pair to compare, or (when A is null) a tie-break that decides if all before it were equal.
    private readonly record struct Item(Expr? A, Expr? B, int Tie);

    public static readonly Comparer<Expr> Comparer = Comparer<Expr>.Create(Compare);

    [ThreadStatic] private static Stack<Item>? reusable;

    public static int Compare(Expr left, Expr right)
    {
        // Leaves (symbols, numbers, constants) decide at once: the common case when sorting big sums.
        if (left.Children.Length == 0 && right.Children.Length == 0 && !(left.IsNumber && right.IsNumber))
        {
            if (left.IsNumber || right.IsNumber) return left.IsNumber ? -1 : 1;
            int byKind = Rank(left.Kind).CompareTo(Rank(right.Kind));
            return byKind != 0 ? byKind : ComparePayload(left, right);
        }
        // Powers of one base with numeric exponents (x^5 vs x^7, the terms of a long polynomial) decide by the exponents.
        if (left is Power { Exponent.IsNumber: true } pl && right is Power { Exponent.IsNumber: true } pr
            && (ReferenceEquals(pl.Base, pr.Base) || pl.Base.Children.Length == 0 && pl.Base.Equals(pr.Base)))
            return CompareNumbers(pl.Exponent, pr.Exponent);
        // Shallow expressions (the terms of nearly every sum) compare by plain recursion, bounded by their depth:
        // the same order as the explicit stack below, without its bookkeeping.
        if (left.Depth <= RecursionDepth && right.Depth <= RecursionDepth) return Shallow(left, right);
        return Deep(left, right);
    }

    /// <summary>The comparison by an explicit stack, for any depth (tests hold Shallow to it).</summary>
    internal static int Deep(Expr left, Expr right)
    {
        var stack = reusable ?? new Stack<Item>();
        reusable = null;   // a comparison that re-enters (it does not today) gets its own stack
        try { return Compare(stack, left, right); }
        finally { stack.Clear(); reusable = stack; }
    }

    private static int Compare(Stack<Item> stack, Expr left, Expr right)
    {
        stack.Push(new(left, right, 0));
        while (stack.Count > 0)
        {
            var (a, b, tie) = stack.Pop();
            if (a is null || b is null)
            {
                if (tie != 0) return tie;
                continue;
            }
            if (ReferenceEquals(a, b)) continue;
            if (a.IsNumber || b.IsNumber)
            {
                if (!(a.IsNumber && b.IsNumber)) return a.IsNumber ? -1 : 1;
                int byValue = CompareNumbers(a, b);
                if (byValue != 0) return byValue;
                continue;
            }
            if (a is Product || b is Product)
            {
                PushSequences(stack, a is Product ? a.Children : new[] { a }, b is Product ? b.Children : new[] { b });
                continue;
            }
            if (a is Power || b is Power)
            {
                var (baseA, expA) = a is Power pa ? (pa.Base, pa.Exponent) : (a, one);
                var (baseB, expB) = b is Power pb ? (pb.Base, pb.Exponent) : (b, one);
                stack.Push(new(expA, expB, 0));
                stack.Push(new(baseA, baseB, 0));
                continue;
            }
            int byKind = Rank(a.Kind).CompareTo(Rank(b.Kind));
            if (byKind != 0) return byKind;
            int byPayload = ComparePayload(a, b);
            if (byPayload != 0) return byPayload;
            // Shallower first: this decides between deep siblings (sin(sin(x)) vs sin(x)) at once,
            // where a walk down both would cost their depth.
            int byDepth = a.Depth.CompareTo(b.Depth);
            if (byDepth != 0) return byDepth;
            PushSequences(stack, a.Children, b.Children);
        }
        return 0;
    }

    private const int RecursionDepth = 32;

    // The order of Compare(Stack, ...), written recursively for expressions at most RecursionDepth deep.
    private static int Shallow(Expr a, Expr b)
    {
        if (ReferenceEquals(a, b)) return 0;
        if (a.IsNumber || b.IsNumber) return a.IsNumber && b.IsNumber ? CompareNumbers(a, b) : a.IsNumber ? -1 : 1;
        if (a is Product || b is Product)
            return Sequences(a is Product ? a.Children : new ReadOnlySpan<Expr>(ref a), b is Product ? b.Children : new ReadOnlySpan<Expr>(ref b));
        if (a is Power || b is Power)
        {
            var (baseA, expA) = a is Power pa ? (pa.Base, pa.Exponent) : (a, one);
            var (baseB, expB) = b is Power pb ? (pb.Base, pb.Exponent) : (b, one);
            int byBase = Shallow(baseA, baseB);
            return byBase != 0 ? byBase : Shallow(expA, expB);
        }
        int byKind = Rank(a.Kind).CompareTo(Rank(b.Kind));
        if (byKind != 0) return byKind;
        int byPayload = ComparePayload(a, b);
        if (byPayload != 0) return byPayload;
        int byDepth = a.Depth.CompareTo(b.Depth);
        return byDepth != 0 ? byDepth : Sequences(a.Children, b.Children);
    }

    private static int Sequences(ReadOnlySpan<Expr> a, ReadOnlySpan<Expr> b)
    {
        for (int i = 0; i < Math.Min(a.Length, b.Length); i++)
        {
            int c = Shallow(a[i], b[i]);
            if (c != 0) return c;
        }
        return a.Length.CompareTo(b.Length);
    }

    // Lexicographic: element pairs in order, then the shorter sequence first.
    private static void PushSequences(Stack<Item> stack, ReadOnlySpan<Expr> a, ReadOnlySpan<Expr> b)
    {
        stack.Push(new(null, null, a.Length.CompareTo(b.Length)));
        for (int i = Math.Min(a.Length, b.Length) - 1; i >= 0; i--) stack.Push(new(a[i], b[i], 0));
    }

    private static int CompareNumbers(Expr a, Expr b) => (a, b) switch
    {
        (Number x, Number y) => x.Value.CompareTo(y.Value),
        (FloatNumber x, FloatNumber y) => x.Value.CompareTo(y.Value),
        (Number x, FloatNumber y) => x.Value.ToDouble().CompareTo(y.Value) is var c && c != 0 ? c : -1,
        (FloatNumber x, Number y) => x.Value.CompareTo(y.Value.ToDouble()) is var c && c != 0 ? c : 1,
        _ => throw new InvalidOperationException("not numbers"),
    };

    private static int ComparePayload(Expr a, Expr b) => (a, b) switch
    {
        (Constant x, Constant y) => string.CompareOrdinal(x.Name, y.Name),
        (Symbol x, Symbol y) => NaturalCompare(x.Name, y.Name),
        (Call x, Call y) => string.CompareOrdinal(x.Primitive.Name, y.Primitive.Name),
        _ => 0,
    };

    // Names in natural order, digits by their number: x2 before x10, as people index variables. Besides reading
    // better (x1 + x2 + x10), it keeps x0..x999 in index order, so the terms of a sum built over them lower to a
    // tape whose repeated stretches the compiler can re-roll into loops. Ties (x01, x1) fall back to ordinal order.
    internal static int NaturalCompare(string a, string b)
    {
        int i = 0, j = 0;
        while (i < a.Length && j < b.Length)
        {
            if (char.IsAsciiDigit(a[i]) && char.IsAsciiDigit(b[j]))
            {
                int startA = i, startB = j;
                while (i < a.Length && char.IsAsciiDigit(a[i])) i++;
                while (j < b.Length && char.IsAsciiDigit(b[j])) j++;
                ReadOnlySpan<char> digitsA = a.AsSpan(startA, i - startA).TrimStart('0'), digitsB = b.AsSpan(startB, j - startB).TrimStart('0');
                if (digitsA.Length != digitsB.Length) return digitsA.Length.CompareTo(digitsB.Length);
                int c = digitsA.SequenceCompareTo(digitsB);
                if (c != 0) return c;
            }
            else
            {
                if (a[i] != b[j]) return a[i].CompareTo(b[j]);
                i++;
                j++;
            }
        }
        int rest = (a.Length - i).CompareTo(b.Length - j);
        return rest != 0 ? rest : string.CompareOrdinal(a, b);
    }
}
