// PyTorch's gradcheck and gradgradcheck for tensors of any shape: the Jacobian that backward computes,
// row by row (one vector-Jacobian product per output element), against central differences, column by
// column. The second-order check is the first applied to the gradient itself (recorded with createGraph),
// so it exercises every op's backward rule as a differentiable function. Its work grows as (outputs + inputs)
// function calls, so it takes a time budget and a cancellation token, checked before each call and backward pass.
using System.Globalization;
using Hybrid.Symbolic;

namespace Hybrid.Tensors;

public static partial class Autograd
{
    /// <summary>
    /// Compares the gradients of <paramref name="function"/> at <paramref name="inputs"/> with central differences, as
    /// <c>torch.autograd.gradcheck</c>: every element of the Jacobian must satisfy |analytic − numeric| ≤ absoluteTolerance + relativeTolerance·|numeric|.
    /// </summary>
    /// <param name="function">The function; it is called once per perturbed element, so keep inputs small.</param>
    /// <param name="inputs">The point (copied; the copies require grad).</param>
    /// <param name="step">The finite-difference step.</param>
    /// <param name="absoluteTolerance">The absolute tolerance.</param>
    /// <param name="relativeTolerance">The relative tolerance.</param>
    /// <param name="raiseException">Throw with the first mismatch instead of returning false.</param>
    /// <param name="timeout">The time budget (none by default): checked before each call of the function and each backward pass.</param>
    /// <param name="cancellationToken">Stops the check between calls.</param>
    /// <returns>True when every element agrees.</returns>
    /// <exception cref="ArithmeticException">An element disagrees and <paramref name="raiseException"/> is set; the message names the input, the element and both values.</exception>
    /// <exception cref="LimitExceededException">The time budget ran out (its <see cref="LimitExceededException.Limit"/> is "Timeout").</exception>
    /// <exception cref="OperationCanceledException">The token was cancelled.</exception>
    public static bool GradCheck(Func<Tensor[], Tensor> function, Tensor[] inputs, double step = 1e-6, double absoluteTolerance = 1e-5, double relativeTolerance = 1e-3,
        bool raiseException = true, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(function);
        ArgumentNullException.ThrowIfNull(inputs);
        RequireNoNull(inputs, nameof(inputs));
        var deadline = new Deadline(nameof(GradCheck), timeout, cancellationToken);
        var leaves = inputs.Select(t => t.Copy().RequiresGrad()).ToArray();
        var output = function(leaves);
        int m = output.Count;
        // analytic[k][j, i]: ∂output_j/∂input_k,i, one backward per output element.
        var analytic = leaves.Select(t => new double[m, t.Count]).ToArray();
        for (int j = 0; j < m && output.RequiresGradient; j++)
        {
            deadline.Check();
            var seed = Tensor.ZerosLike(output);
            seed.Data[j] = 1;
            var rows = Grad([output], leaves, [seed], retainGraph: true, allowUnused: true);
            for (int k = 0; k < leaves.Length; k++)
                for (int i = 0; i < rows[k].Count; i++) analytic[k][j, i] = rows[k].Data[i];
        }
        for (int k = 0; k < leaves.Length; k++)
            for (int i = 0; i < leaves[k].Count; i++)
            {
                double[] At(double delta)
                {
                    deadline.Check();
                    var shifted = leaves.Select(t => t.Copy().RequiresGrad()).ToArray();
                    shifted[k].Data[i] += delta;
                    var y = function(shifted);
                    if (y.Count != m) throw new InvalidOperationException($"GradCheck: the function's output has {y.Count} elements at a perturbed point and {m} at the point.");
                    return y.ToArray();
                }
                var (plus, minus) = (At(step), At(-step));
                for (int j = 0; j < m; j++)
                {
                    double numeric = (plus[j] - minus[j]) / (2 * step), exact = analytic[k][j, i];
                    if (Math.Abs(exact - numeric) <= absoluteTolerance + relativeTolerance * Math.Abs(numeric)) continue;
                    if (!raiseException) return false;
                    throw new ArithmeticException(string.Create(CultureInfo.InvariantCulture,
                        $"GradCheck: d output[{j}] / d inputs[{k}][{i}] is {exact:R} by backward but {numeric:R} by central differences (step {step}); " +
                        $"input {k} has shape {Tensor.ShapeText(leaves[k].Shape)}, the output {Tensor.ShapeText(output.Shape)}."));
                }
            }
        return true;
    }

    /// <summary>
    /// Checks second derivatives, as <c>torch.autograd.gradgradcheck</c>: <see cref="GradCheck"/> applied to the gradient of
    /// Σ v ⊙ function(inputs) (recorded with createGraph) for a fixed pseudo-random v, so every backward rule is checked as a
    /// differentiable function.
    /// </summary>
    /// <inheritdoc cref="GradCheck" path="/param"/>
    /// <exception cref="ArithmeticException">An element disagrees and <paramref name="raiseException"/> is set.</exception>
    /// <exception cref="LimitExceededException">The time budget ran out.</exception>
    /// <exception cref="OperationCanceledException">The token was cancelled.</exception>
    public static bool GradGradCheck(Func<Tensor[], Tensor> function, Tensor[] inputs, double step = 1e-6, double absoluteTolerance = 1e-5, double relativeTolerance = 1e-3,
        bool raiseException = true, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(function);
        Tensor? direction = null;
        Tensor Gradient(Tensor[] x)
        {
            var y = function(x);
            if (direction is null)
            {
                var random = new Random(1);
                direction = new Tensor(Enumerable.Range(0, y.Count).Select(_ => random.NextDouble() - 0.5).ToArray(), y.ShapeArray);
            }
            if (!y.RequiresGradient) return Tensor.Zeros(x.Sum(t => t.Count));
            return Tensor.Cat(Grad([y], x, [direction], createGraph: true, allowUnused: true).Select(g => g.Reshape(g.Count)).ToArray());
        }
        return GradCheck(Gradient, inputs, step, absoluteTolerance, relativeTolerance, raiseException, timeout, cancellationToken);
    }
}
