// The variables an expression depends on, sorted by name.
namespace Hybrid.Symbolic;

internal static class FreeSymbols
{
    public static IReadOnlyList<Symbol> Of(Expr root) =>
        Traversal.PostOrder(root).OfType<Symbol>().DistinctBy(s => s.Name).OrderBy(s => s.Name, StringComparer.Ordinal).ToList();
}
