// The arithmetic of the second-order sweeps on one group of lanes: a double (one direction), or a Vector<double>
// (as many directions as SIMD lanes at once). The sweeps are written once over ILane; the JIT specializes them for
// each struct, so neither pays for the other. Each lane's operations are the scalar ones, in the same order (IEEE
// operations give the same result in a lane as alone), so a Hessian-vector product is the same in any block.
using System.Numerics;

namespace Hybrid.Tapes;

internal interface ILane<T> where T : struct, ILane<T>
{
    /// <summary>Directions per group.</summary>
    static abstract int Count { get; }

    static abstract T Zero { get; }

    static abstract T operator +(T a, T b);

    static abstract T operator *(double a, T b);

    static abstract T operator /(T a, double b);

    /// <summary>value in the lanes where test is not zero, +0 elsewhere: the scalar sweeps' <c>if (x != 0) sum += ...</c>
    /// (adding +0 changes no sum: a sum that starts at +0 never becomes −0).</summary>
    static abstract T Unless0(T test, T value);

    static abstract bool IsZero(T value);
}

internal readonly struct ScalarLane(double value) : ILane<ScalarLane>
{
    private readonly double value = value;

    public static int Count => 1;
    public static ScalarLane Zero => default;
    public static ScalarLane operator +(ScalarLane a, ScalarLane b) => new(a.value + b.value);
    public static ScalarLane operator *(double a, ScalarLane b) => new(a * b.value);
    public static ScalarLane operator /(ScalarLane a, double b) => new(a.value / b);
    public static ScalarLane Unless0(ScalarLane test, ScalarLane value) => test.value == 0 ? default : value;
    public static bool IsZero(ScalarLane value) => value.value == 0;
}

internal readonly struct VectorLane(Vector<double> value) : ILane<VectorLane>
{
    private readonly Vector<double> value = value;

    public static int Count => Vector<double>.Count;
    public static VectorLane Zero => default;
    public static VectorLane operator +(VectorLane a, VectorLane b) => new(a.value + b.value);
    public static VectorLane operator *(double a, VectorLane b) => new(a * b.value);
    public static VectorLane operator /(VectorLane a, double b) => new(a.value / b);
    public static VectorLane Unless0(VectorLane test, VectorLane value) =>
        new(Vector.ConditionalSelect(Vector.Equals(test.value, Vector<double>.Zero), Vector<double>.Zero, value.value));
    public static bool IsZero(VectorLane value) => value.value == Vector<double>.Zero;
}
