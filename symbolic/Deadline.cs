// A time budget and a cancellation token, checked by long transforms at every node or term they
// produce. Checking is a timestamp read (tens of nanoseconds), so it can sit in inner loops.
using System.Diagnostics;

namespace Hybrid.Symbolic;

internal readonly struct Deadline
{
    /// <summary>The <see cref="LimitExceededException.Limit"/> of a time budget that ran out.</summary>
    public const string TimeoutLimit = "Timeout";

    private readonly long end;            // Stopwatch timestamp; 0 (the default) for none
    private readonly TimeSpan budget;
    private readonly string what;
    private readonly CancellationToken token;

    public Deadline(string what, TimeSpan? budget, CancellationToken token)
    {
        if (budget is { } b && b <= TimeSpan.Zero && b != Timeout.InfiniteTimeSpan)
            throw new ArgumentOutOfRangeException(nameof(budget), b, "A time budget must be positive (or Timeout.InfiniteTimeSpan for none).");
        this.what = what;
        this.budget = budget ?? Timeout.InfiniteTimeSpan;
        this.token = token;
        end = this.budget == Timeout.InfiniteTimeSpan ? 0
            : Stopwatch.GetTimestamp() + (long)Math.Min(this.budget.TotalSeconds * Stopwatch.Frequency, long.MaxValue / 2);
    }

    /// <summary>Throws <see cref="OperationCanceledException"/> when cancelled, <see cref="LimitExceededException"/> when the time is up.</summary>
    public void Check()
    {
        token.ThrowIfCancellationRequested();
        if (end != 0 && Stopwatch.GetTimestamp() > end)
            throw new LimitExceededException($"{what} ran out of its time budget of {budget.TotalSeconds:0.###} s (the Timeout limit); pass a larger timeout to go on.", TimeoutLimit);
    }
}
