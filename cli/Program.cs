// Entry point of the `hybrid` command. Until the full command set arrives, it offers `demo`.
using Hybrid.Cli;

if (args is ["demo"])
{
    Demo.Run(Console.Out);
    return 0;
}
Console.Error.WriteLine("usage: hybrid demo");
return 2;
