// The canonical-form invariants of Build, as predicates. The trusted node constructors assert them
// under Debug (the test suite runs in Debug), so a rewrite that breaks an invariant fails loudly
// there and costs nothing in Release.
using System.Diagnostics;

namespace Hybrid.Symbolic;

internal static class Canonical
{
    [Conditional("DEBUG")]
    public static void AssertSum(Expr[] terms)
    {
        if (!IsSum(terms)) Debug.Fail("non-canonical sum: " + string.Join(" + ", terms.Select(t => t.ToString())));
    }

    [Conditional("DEBUG")]
    public static void AssertProduct(Expr[] factors)
    {
        if (!IsProduct(factors)) Debug.Fail("non-canonical product: " + string.Join(" * ", factors.Select(t => t.ToString())));
    }

    public static bool IsSum(Expr[] terms)
    {
        if (terms.Length < 2) return false;
        for (int i = 0; i < terms.Length; i++)
        {
            if (terms[i] is Sum || i > 0 && terms[i].IsNumber) return false;
            if (i > 0 && !terms[i - 1].IsNumber && Order.Compare(Rest(terms[i - 1]), Rest(terms[i])) >= 0) return false;   // sorted, like terms merged
        }
        return true;
    }

    public static bool IsProduct(Expr[] factors)
    {
        if (factors.Length < 2) return false;
        if (factors[0] is Number { Value: var c } && (c.IsOne || c.IsZero)) return false;
        for (int i = 0; i < factors.Length; i++)
        {
            if (factors[i] is Product || i > 0 && factors[i].IsNumber) return false;
            if (i > 0 && !factors[i - 1].IsNumber && Order.Compare(factors[i - 1], factors[i]) >= 0) return false;   // sorted, distinct
        }
        return true;
    }

    private static Expr Rest(Expr term) => Build.SplitCoefficient(term).Remainder;
}
