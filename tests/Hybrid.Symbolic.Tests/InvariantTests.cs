// The canonical-form invariants are asserted by the trusted constructors in Debug builds (which
// the tests run). A failed assertion becomes an exception here, not a dead test host.
using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace Hybrid.Symbolic.Tests;

public class InvariantTests
{
    private sealed class ThrowingListener : DefaultTraceListener
    {
        public override void Fail(string? message, string? detailMessage) => throw new InvalidOperationException(message);
    }

    [ModuleInitializer]
    internal static void ThrowOnFailedAssertions()
    {
        Trace.Listeners.Clear();
        Trace.Listeners.Add(new ThrowingListener());
    }

    [Fact]
    public void ABrokenInvariantFailsLoudly()
    {
        var x = Expr.Symbol("x");
        var error = Assert.Throws<InvalidOperationException>(() => new Sum([x, x]));
        Assert.Equal("non-canonical sum: x + x", error.Message);
        Assert.Throws<InvalidOperationException>(() => new Product([Build.One, x, Expr.Symbol("y")]));
        Assert.Throws<InvalidOperationException>(() => new Product([Expr.Symbol("y"), x]));
        Assert.True(Canonical.IsSum([Build.One, x]));
    }

    [FsCheck.Xunit.Property(MaxTest = 300)]
    public FsCheck.Property TheRecursiveOrderIsTheStackOrder() =>
        FsCheck.Fluent.Prop.ForAll(
            Hybrid.Testing.Generators.ArbitraryExpressions(new Hybrid.Testing.ExpressionShape { Primitives = Hybrid.Testing.ExpressionShape.Everything, DomainSafe = false }),
            Hybrid.Testing.Generators.ArbitraryExpressions(new Hybrid.Testing.ExpressionShape { Primitives = Hybrid.Testing.ExpressionShape.Everything, DomainSafe = false }),
            (a, b) => Math.Sign(Order.Compare(a, b)) == Math.Sign(Order.Deep(a, b)) && Math.Sign(Order.Compare(a, a * b + 1)) == Math.Sign(Order.Deep(a, a * b + 1)));
}
