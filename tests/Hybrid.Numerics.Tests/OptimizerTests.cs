// MathNet's minimizers on our exact gradients and Hessians, and Newton on systems: known optima, fewer
// evaluations than with finite-difference gradients, and the fresh-gradient-vector contract.
using Hybrid.Numerics;
using Hybrid.Testing;
using MathNet.Numerics;
using MathNet.Numerics.LinearAlgebra;
using MathNet.Numerics.Optimization;
using MathNet.Numerics.Optimization.ObjectiveFunctions;
using MathNet.Numerics.RootFinding;
using Xunit.Abstractions;

namespace Hybrid.Numerics.Tests;

public class OptimizerTests(ITestOutputHelper output)
{
    private static Vector<double> V(params double[] values) => Vector<double>.Build.Dense(values);

    private static void AssertAt(TestProblem problem, MinimizationResult result, double tolerance)
    {
        var found = result.MinimizingPoint;
        for (int i = 0; i < problem.Minimizer.Length; i++)
            Assert.True(Math.Abs(found[i] - problem.Minimizer[i]) < tolerance, $"{problem}: x{i} = {found[i]} (expected {problem.Minimizer[i]}), {result.ReasonForExit}");
    }

    public static TheoryData<string> Minimizers => ["bfgs", "lbfgs", "newton"];

    private static IUnconstrainedMinimizer Minimizer(string name) => name switch
    {
        "bfgs" => new BfgsMinimizer(1e-10, 1e-12, 1e-12, 10_000),
        "lbfgs" => new LimitedMemoryBfgsMinimizer(1e-10, 1e-12, 1e-12, 10, 10_000),
        _ => new NewtonMinimizer(1e-10, 10_000, true),
    };

    [Theory, MemberData(nameof(Minimizers))]
    public void ClassicProblemsReachTheirKnownMinimizers(string method)
    {
        // Plain Newton needs a positive-definite Hessian along its path; the helical valley's is not.
        var problems = method == "newton" ? new[] { TestProblem.Rosenbrock(2), TestProblem.Beale() }
            : [TestProblem.Rosenbrock(2), TestProblem.Beale(), TestProblem.HelicalValley()];
        foreach (var problem in problems)
        {
            var objective = TapeObjective.Of(problem.Function, problem.Variables);
            var result = Minimizer(method).FindMinimum(objective, V(problem.Start));
            AssertAt(problem, result, 1e-6);
            output.WriteLine($"{method} {problem}: {result.Iterations} iterations, {objective.Evaluations} gradient sweeps, {objective.HessianEvaluations} Hessians");
        }
    }

    [Theory, InlineData("bfgs"), InlineData("lbfgs")]
    public void Rosenbrock100ReachesAllOnes(string method)
    {
        var problem = TestProblem.Rosenbrock(100);
        var objective = TapeObjective.Of(problem.Function, problem.Variables);
        var result = Minimizer(method).FindMinimum(objective, V(problem.Start));
        AssertAt(problem, result, 1e-5);
        output.WriteLine($"{method} {problem}: {result.Iterations} iterations, {objective.Evaluations} gradient sweeps");
    }

    [Fact]
    public void ExactGradientsNeedFewerEvaluationsThanFiniteDifferences()
    {
        // The same BFGS, fed MathNet's forward-difference gradient of the same function.
        var problem = TestProblem.Rosenbrock(10);
        var exact = TapeObjective.Of(problem.Function, problem.Variables);
        var exactResult = new BfgsMinimizer(1e-8, 1e-10, 1e-10, 10_000).FindMinimum(exact, V(problem.Start));

        var tape = Tape.Lower(problem.Function, problem.Variables);
        var workspace = tape.CreateWorkspace();
        int valueEvaluations = 0;
        var valueOnly = ObjectiveFunction.Value(x => { valueEvaluations++; return tape.Evaluate(x.ToArray(), workspace); });
        var n = problem.Variables.Length;
        var numeric = new ForwardDifferenceGradientObjectiveFunction(valueOnly, V(new double[n]).Add(-10), V(new double[n]).Add(10));
        var numericResult = new BfgsMinimizer(1e-8, 1e-10, 1e-10, 10_000).FindMinimum(numeric, V(problem.Start));

        AssertAt(problem, exactResult, 1e-6);
        output.WriteLine($"BFGS on {problem}: exact gradients {exact.Evaluations} evaluations ({exactResult.Iterations} iterations, {exactResult.ReasonForExit}); "
                         + $"forward differences {valueEvaluations} function evaluations ({numericResult.Iterations} iterations, {numericResult.ReasonForExit}, "
                         + $"max error {numericResult.MinimizingPoint.Subtract(1).AbsoluteMaximum():G2})");
        Assert.True(exact.Evaluations * 5 < valueEvaluations, $"{exact.Evaluations} vs {valueEvaluations}");
    }

    [Fact]
    public void EveryEvaluationReturnsAFreshGradientVector()
    {
        // MathNet's BFGS keeps the previous point's gradient across evaluations of a fork: a reused buffer
        // would be overwritten under it. Each gradient must stay what it was when it was returned.
        var problem = TestProblem.Rosenbrock(2);
        var objective = TapeObjective.Of(problem.Function, problem.Variables);
        objective.EvaluateAt(V(-1.2, 1));
        var first = objective.Gradient;
        var firstValues = first.ToArray();
        var fork = objective.Fork();
        fork.EvaluateAt(V(0.5, 0.5));
        objective.EvaluateAt(V(2, 3));
        Assert.NotSame(first, objective.Gradient);
        Assert.NotSame(first, fork.Gradient);
        Assert.Equal(firstValues, first.ToArray());
        Assert.Equal(new[] { -215.6, -88.0 }, firstValues.Select(v => Math.Round(v, 10)));
        Assert.Equal(3, objective.Evaluations);   // forks share the count
    }

    [Fact]
    public void ABufferReusingObjectiveMisleadsBfgs()
    {
        // The defect the fresh vector prevents, shown on MathNet's own BFGS: the same gradient
        // function, once returning a new vector and once overwriting one buffer.
        var problem = TestProblem.Rosenbrock(2);
        var tape = Tape.Lower(problem.Function, problem.Variables);
        var workspace = tape.CreateWorkspace();
        var buffer = Vector<double>.Build.Dense(2);
        (double, Vector<double>) Reused(Vector<double> x) => (tape.Gradient(x.ToArray(), buffer.AsArray(), workspace), buffer);
        (double, Vector<double>) Fresh(Vector<double> x) { var g = Vector<double>.Build.Dense(2); return (tape.Gradient(x.ToArray(), g.AsArray(), workspace), g); }
        var bfgs = new BfgsMinimizer(1e-10, 1e-12, 1e-12, 1000);
        var good = bfgs.FindMinimum(ObjectiveFunction.Gradient(Fresh), V(problem.Start));
        AssertAt(problem, good, 1e-6);
        MinimizationResult? bad = null;
        var failure = Record.Exception(() => bad = bfgs.FindMinimum(ObjectiveFunction.Gradient(Reused), V(problem.Start)));
        output.WriteLine($"fresh: {good.Iterations} iterations; reused buffer: {failure?.GetType().Name ?? $"{bad!.Iterations} iterations, {bad.ReasonForExit}, at {bad.MinimizingPoint}"}");
        Assert.True(failure is not null || bad!.Iterations != good.Iterations, "a reused buffer changed nothing; the contract test above would be moot");
        var ours = new BfgsMinimizer(1e-10, 1e-12, 1e-12, 1000).FindMinimum(TapeObjective.Of(tape), V(problem.Start));
        Assert.Equal(good.Iterations, ours.Iterations);
    }

    [Fact]
    public void ObjectiveDimensionsAreChecked()
    {
        var objective = TapeObjective.Of(TestProblem.Beale().Function, TestProblem.Beale().Variables);
        Assert.Contains("has 3 coordinates, but the objective has 2 variables (x, y)", Assert.Throws<ArgumentException>(() => objective.EvaluateAt(V(1, 2, 3))).Message);
        Assert.Throws<InvalidOperationException>(() => objective.Gradient);
    }

    [Fact]
    public void NewtonSolvesANonlinearSystemWithTheExactJacobian()
    {
        // x² + y² = 4 and eˣ + y = 1: a circle and a shifted exponential meet at two points.
        var (x, y) = (Symbol("x"), Symbol("y"));
        Expr[] system = [Pow(x, 2) + Pow(y, 2) - 4, Exp(x) + y - 1];
        var result = Newton.FindRoot(system, [x, y], [1, -1]);
        Assert.True(result.Residual <= 1e-10);
        Assert.Equal(4, result.Root[0] * result.Root[0] + result.Root[1] * result.Root[1], 10);
        Assert.Equal(1, Math.Exp(result.Root[0]) + result.Root[1], 10);

        int broydenEvaluations = 0;
        var broyden = Broyden.FindRoot(p => { broydenEvaluations++; return [p[0] * p[0] + p[1] * p[1] - 4, Math.Exp(p[0]) + p[1] - 1]; }, [1.0, -1.0], 1e-10, 100, 1e-8);
        Assert.Equal(result.Root[0], broyden[0], 8);
        output.WriteLine($"Newton with exact Jacobian: {result.Iterations} steps, {result.Evaluations} evaluations; Broyden (finite-difference Jacobian): {broydenEvaluations} evaluations");
    }

    [Fact]
    public void NewtonFailsClearly()
    {
        var (x, y) = (Symbol("x"), Symbol("y"));
        var noRoot = Assert.Throws<NonConvergenceException>(() => Newton.FindRoot([Pow(x, 2) + 1], [x], [0.5], maxIterations: 20));
        Assert.Contains("did not converge", noRoot.Message);
        var singular = Assert.Throws<NonConvergenceException>(() => Newton.FindRoot([x + y - 1, 2 * x + 2 * y - 5], [x, y], [0, 0]));
        Assert.Contains("singular", singular.Message);
        Assert.Contains("1 equations for 2 unknowns", Assert.Throws<ArgumentException>(() => Newton.FindRoot([x + y], [x, y], [0, 0])).Message);
        Assert.Contains("has 1 coordinates, but the system has 2 unknowns (x, y)", Assert.Throws<ArgumentException>(() => Newton.FindRoot([x, y], [x, y], [0])).Message);
    }

    [FsCheck.Xunit.Property(MaxTest = 50)]
    public FsCheck.Property NewtonSolvesWellConditionedLinearSystemsInOneStep() =>
        FsCheck.Fluent.Prop.ForAll(FsCheck.Fluent.Arb.From(Generators.WellConditionedMatrices(4, 1e3)), FsCheck.Fluent.Arb.From(Generators.Vectors(4)), (a, b) =>
        {
            var x = Expr.Symbols("a", "b", "c", "d");
            var equations = Enumerable.Range(0, 4).Select(i => Sum(Enumerable.Range(0, 4).Select(j => a[i, j] * x[j])) - b[i]).ToArray();
            var result = Newton.FindRoot(equations, x, new double[4], accuracy: 1e-9);
            var expected = a.Solve(b);
            return result.Iterations == 1 && Enumerable.Range(0, 4).All(i => Math.Abs(result.Root[i] - expected[i]) < 1e-8 * (1 + expected.AbsoluteMaximum()));
        });
}
