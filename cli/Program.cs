// Entry point of the `hybrid` command: the whole command line is Cli.Run against the console.
using Hybrid.Cli;

return Cli.Run(args, Terminal.System);
