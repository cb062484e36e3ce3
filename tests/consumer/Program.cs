// The README's examples, as a user outside the repository writes them: this program is built against the
// packed Hybrid packages only (PackageTests copies this folder out of the repository and restores from a
// local feed), and its output is checked line by line.
using Hybrid;
using Hybrid.Numerics;
using Hybrid.Symbolic;
using Hybrid.Tapes;
using Hybrid.Tensors;
using Hybrid.Testing;

var x = Expr.Symbol("x");
var f = Expr.Parse("sin(x)*x^2");                 // or: Expr.Sin(x) * Expr.Pow(x, 2)
var df = f.Differentiate(x);
Console.WriteLine(df);                            // x^2*cos(x) + 2*x*sin(x)
Console.WriteLine(df.ToLatex());                  // x^{2} \cos\left(x\right) + 2 x \sin\left(x\right)
Console.WriteLine(df.Evaluate(("x", 1.5)));       // 3.151643663564495
Console.WriteLine(Expr.Parse("(x^2 - 1)/(x - 1)").Simplify());   // x + 1
Console.WriteLine(Expr.Atan2(Expr.Symbol("y"), x).Differentiate(x)); // -y/(x^2 + y^2)

// Is a hand-written gradient right? A table of every component against finite differences.
var report = GradCheck.Run(p => p[0] * Math.Sin(p[1]), p => [Math.Sin(p[1]), p[0] * Math.Cos(p[1])], [[1.0, 0.5], [2.0, -1.0]]);
Console.WriteLine(report.Passed);                 // True

var t = Tensor.Arange(4).RequiresGrad();          // the d2l chapter: y = 2·xᵀx
var y = 2 * Tensor.Dot(t, t);
y.Backward();
Console.WriteLine(t.Grad);                        // tensor([0, 4, 8, 12])

var tape = Tape.Lower(df, x).Compile();           // the exact derivative, lowered and compiled to IL
Console.WriteLine(tape.Evaluate([1.5], tape.CreateWorkspace()));   // 3.151643663564495

// The testing kit: a function of one's own, checked through every layer.
var gauss = Primitives.Register(new FunctionDefinition("gauss", ["x"], a => Math.Exp(-a[0] * a[0]), ["-2*x*gauss(x)"]));
PrimitiveCheck.Verify(gauss);
Console.WriteLine("gauss checked");

Span<double> gradient = stackalloc double[2];
Console.WriteLine(Model.F(1.5, 3.0, gradient));   // 8.97745487943649
Console.WriteLine(gradient[0]);                   // 0.6366348150093262 = y²·cos(x)

static partial class Model
{
    [Differentiate("sin(x)*y^2")]                 // a typo in the expression is a compile error at its column
    public static partial double F(double x, double y, Span<double> gradient);
}
