// Each opcode's value and local partials, written once. The interpreter (Forward.cs) calls these, the
// compiled code calls them too (the JIT inlines them into the emitted method), and the batched blocks
// call them per element, except where a TensorPrimitives kernel computes the same IEEE operations on a
// whole column (Square, Reciprocal, Sqrt: one multiply, divide or square root per element, so the
// results are the same bits; OpCodeFacetTests checks every path against the interpreter bit for bit).
// Second order (SecondOrder.cs) differentiates these once more; it is the one other per-opcode rule.
using System.Runtime.CompilerServices;

namespace Hybrid.Tapes;

internal static class Formulas
{
    /// <summary>
    /// A finite, nonzero adjoint, in one test (|a|'s bits minus one, unsigned, below the largest finite's): the reverse
    /// sweeps' common case, where sends multiply plainly; 0 sends nothing, and ±∞ or NaN go through <c>Tape.Chain</c>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool IsFiniteNonzero(double a) => (ulong)((BitConverter.DoubleToInt64Bits(a) & long.MaxValue) - 1) < 0x7FEF_FFFF_FFFF_FFFFUL;

    /// <summary>SquaredLinear: ∂(L²)/∂u_k = 2L·w_k.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double SquaredLinearPartial(double sum, double weight) => 2 * sum * weight;

    /// <summary>Square: a².</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double Square(double a) => a * a;

    /// <summary>Square: ∂(a²)/∂a = 2a.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double SquarePartial(double a) => 2 * a;

    /// <summary>Reciprocal: 1/a.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double Reciprocal(double a) => 1 / a;

    /// <summary>Reciprocal: ∂(1/a)/∂a = −v² from the value v = 1/a.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double ReciprocalPartial(double value) => -value * value;

    /// <summary>Sqrt: √a.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double Sqrt(double a) => Math.Sqrt(a);

    /// <summary>Sqrt: ∂√a/∂a = 1/(2v) from the value v = √a (+∞ at 0, the power rule's convention).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double SqrtPartial(double value) => 0.5 / value;

    /// <summary>PowConstant and Pow: aᶜ.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double Pow(double a, double c) => Math.Pow(a, c);

    /// <summary>PowConstant and Pow: ∂(aᵇ)/∂a = b·a^(b−1), with 0·anything = 0.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double PowBasePartial(double a, double b) => Tape.StrongProduct(b, Math.Pow(a, b - 1));

    /// <summary>Pow: ∂(aᵇ)/∂b = aᵇ·log a from the value v = aᵇ, with 0·anything = 0.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double PowExponentPartial(double a, double value) => Tape.StrongProduct(value, Math.Log(a));
}
