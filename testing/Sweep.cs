// The size of a randomized sweep (seeds 0..n-1): small enough by default that the whole suite stays within
// CI's few minutes, as large as one likes for a soak, without another build: HYBRID_SWEEP_CASES=100000.
namespace Hybrid.Testing;

/// <summary>How many cases a seeded sweep runs.</summary>
public static class Sweep
{
    /// <summary>The environment variable that overrides every sweep's size (a positive integer), for soaks.</summary>
    public const string Variable = "HYBRID_SWEEP_CASES";

    /// <summary><paramref name="byDefault"/>, or the positive integer in <see cref="Variable"/> when it is set.</summary>
    public static int Cases(int byDefault) =>
        int.TryParse(Environment.GetEnvironmentVariable(Variable), out int cases) && cases > 0 ? cases : byDefault;
}
