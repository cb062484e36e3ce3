// Hybrid.Bench: `report` prints medians and node counts; anything else goes to BenchmarkDotNet
// (for example `--filter '*W5*' --job short`).
using BenchmarkDotNet.Running;
using Hybrid.Bench;

if (args is ["report"]) { Report.Run(Console.Out); return; }
BenchmarkSwitcher.FromAssembly(typeof(Report).Assembly).Run(args);
