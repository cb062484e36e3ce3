// Expr: an immutable, structurally hashed node of an expression DAG. Children are never
// mutated, the hash is computed once in the constructor, and equality never recurses (an
// explicit stack), so expressions of any depth can be compared, hashed and shared.

namespace Hybrid.Symbolic;

/// <summary>The closed set of node kinds. Function-specific behaviour lives in <see cref="Primitive"/> rows, not here.</summary>
public enum ExprKind
{
    /// <summary>An exact rational number (<see cref="Number"/>).</summary>
    Number,
    /// <summary>A floating-point number the user gave as a double (<see cref="FloatNumber"/>).</summary>
    Float,
    /// <summary>A named mathematical constant: pi or e (<see cref="Constant"/>).</summary>
    Constant,
    /// <summary>A variable (<see cref="Symbol"/>).</summary>
    Symbol,
    /// <summary>An n-ary sum (<see cref="Sum"/>).</summary>
    Sum,
    /// <summary>An n-ary product (<see cref="Product"/>).</summary>
    Product,
    /// <summary>base^exponent (<see cref="Power"/>).</summary>
    Power,
    /// <summary>A primitive applied to arguments (<see cref="Call"/>).</summary>
    Call,
}

/// <summary>
/// An immutable symbolic expression. Construction canonicalizes (<c>x*x</c> is <c>x^2</c>,
/// <c>1/3 + 1/6</c> is <c>1/2</c>); equality and hashing are structural; a subtree may be shared by
/// any number of parents, so an expression is a DAG and every algorithm visits a shared node once.
/// </summary>
public abstract partial class Expr : IEquatable<Expr>
{
    private protected readonly Expr[] children;
    private readonly int hash;
    private readonly int serial = Interlocked.Increment(ref nextSerial);   // identity hash for memo tables
    private static int nextSerial;

    private protected Expr(Expr[] children, int payloadHash)
    {
        this.children = children;
        foreach (var child in children) Depth = Math.Max(Depth, child.Depth);
        Depth++;
        var h = new HashCode();
        h.Add((int)Kind);
        h.Add(payloadHash);
        foreach (var child in children) h.Add(child.hash);
        hash = h.ToHashCode();
    }

    /// <summary>The length of the longest path to a leaf; a leaf has depth 1.</summary>
    public int Depth { get; }

    /// <summary>Which node this is; switch on it exhaustively.</summary>
    public abstract ExprKind Kind { get; }

    /// <summary>The children in canonical order: terms of a sum, factors of a product, base and exponent, or call arguments.</summary>
    public IReadOnlyList<Expr> Args => children;

    internal ReadOnlySpan<Expr> Children => children;

    /// <summary>True for exact and floating numbers.</summary>
    public bool IsNumber => Kind is ExprKind.Number or ExprKind.Float;

    /// <summary>True when this is the exact number <paramref name="value"/>.</summary>
    public bool Is(long value) => this is Number n && n.Value == value;

    /// <inheritdoc/>
    public sealed override int GetHashCode() => hash;

    /// <inheritdoc/>
    public sealed override bool Equals(object? obj) => obj is Expr e && Equals(e);

    /// <summary>Structural equality, by an explicit stack so any depth is safe.</summary>
    public bool Equals(Expr? other)
    {
        if (other is null) return false;
        if (ReferenceEquals(this, other)) return true;
        if (!ShallowEquals(this, other)) return false;
        // Leaves, and nodes whose children are shared, decide here: the common case in memo lookups.
        bool sharedChildren = true;
        for (int i = 0; i < children.Length && sharedChildren; i++) sharedChildren = ReferenceEquals(children[i], other.children[i]);
        if (sharedChildren) return true;
        var pending = pool ?? new Stack<(Expr, Expr)>();
        pool = null;   // a re-entrant call (none today) would get its own stack
        try
        {
            for (int i = children.Length - 1; i >= 0; i--) pending.Push((children[i], other.children[i]));
            while (pending.Count > 0)
            {
                var (a, b) = pending.Pop();
                if (ReferenceEquals(a, b)) continue;
                if (!ShallowEquals(a, b)) return false;
                for (int i = 0; i < a.children.Length; i++) pending.Push((a.children[i], b.children[i]));
            }
            return true;
        }
        finally { pending.Clear(); pool = pending; }
    }

    [ThreadStatic] private static Stack<(Expr, Expr)>? pool;

    private static bool ShallowEquals(Expr a, Expr b) =>
        a.hash == b.hash && a.Kind == b.Kind && a.children.Length == b.children.Length && a.PayloadEquals(b);

    /// <summary>Compares what a node holds besides its children (a number's value, a symbol's name, a call's primitive).</summary>
    private protected abstract bool PayloadEquals(Expr other);

    /// <summary>Structural equality.</summary>
    public static bool operator ==(Expr? a, Expr? b) => a is null ? b is null : a.Equals(b);

    /// <summary>Structural inequality.</summary>
    public static bool operator !=(Expr? a, Expr? b) => !(a == b);

    /// <summary>Infix text that <see cref="Parse"/> reads back to an equal expression.</summary>
    public sealed override string ToString() => Printing.Infix.Print(this);

    /// <summary>
    /// Compares nodes by reference, for memo tables over one DAG that must not pay for structural
    /// equality (every shared node visited once); structurally equal copies stay distinct keys.
    /// </summary>
    public static readonly IEqualityComparer<Expr> ByReference = new IdentityComparer();

    // Reference identity hashed by a serial number given at construction: unique per node (unlike the
    // structural hash, which a million separately built copies of the number 3 share) and cheaper than
    // the object-header hash that ReferenceEqualityComparer computes on first use.
    private sealed class IdentityComparer : IEqualityComparer<Expr>
    {
        public bool Equals(Expr? a, Expr? b) => ReferenceEquals(a, b);
        public int GetHashCode(Expr e) => e.serial;
    }

    internal static int StringHash(string s) => string.GetHashCode(s, StringComparison.Ordinal);

}
