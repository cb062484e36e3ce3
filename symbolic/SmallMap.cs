// An insertion-ordered map from Expr to a value, for canonicalizing sums and products: most have
// a handful of terms, where a linear scan (hash compared first) beats building a dictionary; past
// a few keys it adds a hash index, so a sum of a million terms stays linear-logarithmic.
namespace Hybrid.Symbolic;

internal sealed class SmallMap<TValue>
{
    private const int IndexFrom = 8;
    private readonly List<Expr> keys = [];
    private readonly List<TValue> values = [];
    private Dictionary<Expr, int>? index;

    public int Count => keys.Count;
    public Expr KeyAt(int i) => keys[i];
    public TValue ValueAt(int i) => values[i];
    public void SetAt(int i, TValue value) => values[i] = value;

    public int IndexOf(Expr key)
    {
        if (index is not null) return index.GetValueOrDefault(key, -1);
        int hash = key.GetHashCode();
        for (int i = 0; i < keys.Count; i++)
            if (keys[i].GetHashCode() == hash && keys[i].Equals(key)) return i;
        return -1;
    }

    public void Add(Expr key, TValue value)
    {
        keys.Add(key);
        values.Add(value);
        if (index is not null) index.Add(key, keys.Count - 1);
        else if (keys.Count > IndexFrom)
        {
            index = new Dictionary<Expr, int>(keys.Count * 2);
            for (int i = 0; i < keys.Count; i++) index.Add(keys[i], i);
        }
    }
}
