// Hybrid.Bench: `report` prints medians and node counts, `soak [N]` feeds N hostile texts to the
// parser, `text` times parsing and printing of huge text, `sparse [N...]` times sparse Hessians on N×N grids, `export` rewrites
// Exported/ (W1 as exported C#, which the W1 benchmarks run); anything else goes to BenchmarkDotNet
// (for example `--filter '*W5*' --job short`).
using BenchmarkDotNet.Running;
using Hybrid.Bench;

if (args is ["simplify", ..]) { SimplifyReport.Run(Console.Out, listMisses: args.Contains("--misses")); return 0; }
if (args is ["equivalence"]) { EquivalenceReport.Run(Console.Out); return 0; }
if (args is ["report"]) { Report.Run(Console.Out); return 0; }
if (args is ["soak", ..]) return Soak.Run(Console.Out, args.Length > 1 ? int.Parse(args[1]) : 1_000_000);
if (args is ["text"]) { Soak.Text(Console.Out); return 0; }
if (args is ["export"]) { W1RosenbrockScalarBenchmarks.Export(Path.Combine("bench", "Exported")); return 0; }
if (args is ["sparse-vs-dense"]) { SparseReport.Compare(Console.Out); return 0; }
if (args is ["sparse", ..]) { SparseReport.Run(Console.Out, args.Length > 1 ? args[1..].Select(int.Parse).ToArray() : [100, 300, 1000]); return 0; }
BenchmarkSwitcher.FromAssembly(typeof(Report).Assembly).Run(args);
return 0;
