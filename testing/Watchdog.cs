// Runs work that could hang on another thread and waits a bounded time: a regression that makes it
// hang fails the test with a message instead of stalling the whole run.
namespace Hybrid.Testing;

/// <summary>Bounded waiting for work that must finish.</summary>
public static class Watchdog
{
    /// <summary>
    /// The result of <paramref name="work"/>, or a <see cref="TimeoutException"/> naming <paramref name="what"/> when it
    /// has not finished within <paramref name="limit"/> (it then goes on in the background; the test has failed).
    /// An exception from the work is rethrown as it is.
    /// </summary>
    public static T Within<T>(TimeSpan limit, string what, Func<T> work)
    {
        var task = Task.Factory.StartNew(work, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        if (!((IAsyncResult)task).AsyncWaitHandle.WaitOne(limit))
            throw new TimeoutException($"{what} did not finish within {limit.TotalSeconds:0.#} s: a hang.");
        return task.GetAwaiter().GetResult();
    }

    /// <summary>As <see cref="Within{T}(TimeSpan, string, Func{T})"/> for work without a result.</summary>
    public static void Within(TimeSpan limit, string what, Action work) => Within(limit, what, () => { work(); return 0; });
}
