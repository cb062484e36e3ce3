// The real executable: exit codes reach the shell, errors go to stderr, and progress never goes to a pipe.
namespace Hybrid.Cli.Tests;

public class ProcessTests
{
    [Fact]
    public void ExitCodesAndStreamsOfTheRealProcess()
    {
        Assert.Equal((0, "x^2*cos(x) + 2*x*sin(x)\n", ""), Run.Process("", "diff", "sin(x)*x^2", "--wrt", "x"));
        var parse = Run.Process("", "eval", "x + * 2", "--at", "x=1");
        Assert.Equal((2, ""), (parse.Code, parse.Out));
        Assert.Contains("^", parse.Err);
        var mismatch = Run.Process("", "check", "x^2", "--claimed", "x", "--at", "x=1");
        Assert.Equal(1, mismatch.Code);
        // stderr is a pipe here: a long check prints no progress at all.
        var many = Run.Process("", "check", "x^2", "--claimed", "2*x", "--random", "2000");
        Assert.Equal((0, ""), (many.Code, many.Err));
        var served = Run.Process("{\"op\":\"eval\",\"expr\":\"x\",\"at\":{\"x\":2}}\n", "serve", "--jsonl");
        Assert.Equal((0, "{\"value\":2}\n", ""), served);
    }
}
