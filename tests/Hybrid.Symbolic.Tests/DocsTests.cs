// Keeps the README example and the guide's claims true: each line here is one printed there.
using static Hybrid.Symbolic.Expr;

namespace Hybrid.Symbolic.Tests;

public class DocsTests
{
    [Fact]
    public void ReadmeExamplePrintsWhatTheReadmeSays()
    {
        var x = Symbol("x");
        var f = Parse("sin(x)*x^2");
        Assert.Equal(Sin(x) * Pow(x, 2), f);
        var df = f.Differentiate(x);
        Assert.Equal("x^2*cos(x) + 2*x*sin(x)", df.ToString());
        Assert.Equal(@"x^{2} \cos\left(x\right) + 2 x \sin\left(x\right)", df.ToLatex());
        Assert.Equal("3.151643663564495", df.Evaluate(("x", 1.5)).ToString("R"));
        Assert.Equal("x + 1", Parse("(x^2 - 1)/(x - 1)").Simplify().ToString());
        Assert.Equal("-y/(x^2 + y^2)", Atan2(Symbol("y"), x).Differentiate(x).ToString());

        var readme = File.ReadAllText(Path.Combine(RepositoryRoot(), "README.md"));
        foreach (var claim in new[] { "// x^2*cos(x) + 2*x*sin(x)", "// 3.151643663564495", "// x + 1", "// -y/(x^2 + y^2)" })
            Assert.Contains(claim, readme);
    }

    [Fact]
    public void GuideClaimsHold()
    {
        var x = Symbol("x");
        var logistic = x;
        for (int i = 0; i < 40; i++) logistic = 4 * logistic * (1 - logistic);
        var d = logistic.Differentiate(x);
        Assert.Equal(440, d.DagSize());
        Assert.True(d.TreeSize() > 1_000_000_000_000);
        var error = Assert.Throws<ParseException>(() => Parse("2 * sin(x"));
        Assert.Equal("unbalanced '(' of sin(: no matching ')' (column 5)\n  2 * sin(x\n      ^", error.Message);
    }

    internal static string RepositoryRoot() => Hybrid.Testing.Repository.Root();
}
