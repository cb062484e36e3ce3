// Forward mode on the interpreted tape: tangents pushed through the local partials of the forward
// sweep, in order (one sweep gives J·v for every output).
using Hybrid.Symbolic;

namespace Hybrid.Tapes;

public sealed partial class Tape
{
    /// <summary>J·v: the directional derivative of every output along <paramref name="direction"/>, written to <paramref name="result"/>.</summary>
    public void JacobianVectorProduct(ReadOnlySpan<double> point, ReadOnlySpan<double> direction, Span<double> result, Workspace workspace, EvaluationOptions? options = null)
    {
        CheckLength(direction.Length, InputCount, "direction");
        CheckLength(result.Length, OutputCount, "result");
        Forward(point, workspace, partials: true, options);
        Tangents(direction, result, workspace);
    }

    // The tangent sweep after a forward sweep with partials: J·direction into result.
    internal void Tangents(ReadOnlySpan<double> direction, Span<double> result, Workspace workspace)
    {
        var tangents = workspace.Tangents;
        var partials = workspace.Partials;
        direction.CopyTo(tangents);
        for (int i = InputCount; i < ops.Length; i++)
        {
            double t = 0;
            int start = operandStart[i], end = start + operandCount[i];
            for (int s = start; s < end; s++)
            {
                // A zero partial or tangent contributes nothing, as a zero adjoint in reverse: where's zero
                // partial for the untaken branch masks that branch's tangent even when it is NaN.
                double tangent = tangents[operands[s]], partial = partials[s];
                if (tangent != 0 && partial != 0) t += partial * tangent;
            }
            tangents[i] = t;
        }
        for (int k = 0; k < outputs.Length; k++) result[k] = tangents[outputs[k]];
    }
}
