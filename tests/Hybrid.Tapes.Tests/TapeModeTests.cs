// Forward and reverse mode agree with the symbolic Jacobian, Lift undoes Lower, and forward mode masks where's untaken branch.

namespace Hybrid.Tapes.Tests;

public class TapeModeTests
{
    private static readonly Expr x = Symbol("x"), y = Symbol("y");
    private static readonly ExpressionShape smooth = new();
    private static readonly ExpressionShape everything = new() { Primitives = ExpressionShape.Everything, DomainSafe = false };

    [Property(MaxTest = 300)]
    public Property LiftOfLowerIsTheSameExpression() =>
        Prop.ForAll(Generators.ArbitraryExpressions(everything), Generators.ArbitraryExpressions(everything), (f, g) =>
        {
            var lifted = Tape.Lower([f, g], [x, y]).Lift();
            return (lifted[0].Equals(f) && lifted[1].Equals(g)).Label($"{f}; {g} lifted as {lifted[0]}; {lifted[1]}");
        });

    [Property(MaxTest = 150)]
    public Property ForwardAndReverseModeAgreeWithTheSymbolicJacobian() =>
        Prop.ForAll(Generators.ExpressionsAtPoints(smooth), Generators.ArbitraryExpressions(smooth), (pair, g) =>
        {
            var (f, point) = pair;
            Expr[] outputs = [f, g];
            var tape = Tape.Lower(outputs, [x, y]);
            var ws = tape.CreateWorkspace();
            double[] at = [point["x"], point["y"]], v = [0.75, -1.25];
            var jacobian = new double[4];
            var jvp = new double[2];
            tape.Jacobian(at, jacobian, ws);
            tape.JacobianVectorProduct(at, v, jvp, ws);
            var exact = Expr.Jacobian(outputs, [x, y]);
            bool ok = true;
            for (int k = 0; k < 2; k++)
            {
                double e0 = exact[k, 0].Evaluate(point), e1 = exact[k, 1].Evaluate(point);
                if (!(double.IsFinite(e0) && double.IsFinite(e1) && Math.Abs(e0) + Math.Abs(e1) < 1e6)) return Prop.When(false, () => true);
                ok &= FiniteDifference.Close(jacobian[2 * k], e0, 1e-9, 1e-9) && FiniteDifference.Close(jacobian[2 * k + 1], e1, 1e-9, 1e-9)
                      && FiniteDifference.Close(jvp[k], e0 * v[0] + e1 * v[1], 1e-9, 1e-9);
            }
            return Prop.When(true, () => ok).Label($"f = {f}, g = {g} at {string.Join(", ", point)}: J = {string.Join(", ", jacobian)}, Jv = {string.Join(", ", jvp)}");
        });

    [Fact]
    public void JvpOfWhereIgnoresTheUntakenBranch()
    {
        var tape = Tape.Lower(Where(Greater(x, 0), Sqrt(x), 0), x);
        var jvp = new double[1];
        tape.JacobianVectorProduct([-1.0], [1.0], jvp, tape.CreateWorkspace());
        Assert.Equal(0, jvp[0]);
    }
}
