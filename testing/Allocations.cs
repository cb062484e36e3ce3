// Measures whether code allocates per call. The runtime itself may allocate on the calling thread
// once in a while (tiered compilation promoting a hot method), so one window of calls can see a
// few kilobytes that are not the code's; a per-call allocation shows up in every window.
namespace Hybrid.Testing;

/// <summary>Allocation checks for hot paths.</summary>
public static class Allocations
{
    /// <summary>The fewest bytes this thread allocated in any of <paramref name="windows"/> windows of <paramref name="calls"/> calls each (0 means no per-call allocation).</summary>
    public static long FewestBytes(Action call, int calls = 1000, int windows = 5)
    {
        ArgumentNullException.ThrowIfNull(call);
        for (int i = 0; i < calls; i++) call();   // warm up
        long fewest = long.MaxValue;
        for (int w = 0; w < windows && fewest > 0; w++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < calls; i++) call();
            fewest = Math.Min(fewest, GC.GetAllocatedBytesForCurrentThread() - before);
        }
        return fewest;
    }
}
