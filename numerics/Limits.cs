// Sizes refused before anything is allocated, so a hostile dimension ends in an exception that names
// the limit instead of an out-of-memory crash.
namespace Hybrid.Numerics;

/// <summary>The limits of Hybrid.Numerics.</summary>
public static class Limits
{
    /// <summary>The most entries of a dense Jacobian or Hessian: 2^27 doubles, 1 GiB.</summary>
    public const long MaxMatrixEntries = 1L << 27;

    internal static void RequireMatrix(long rows, long columns, string what, string instead)
    {
        if (rows * columns > MaxMatrixEntries)
            throw new ArgumentOutOfRangeException(what, rows * columns,
                $"The {what} would be {rows}×{columns} = {rows * columns} entries, more than the limit of {MaxMatrixEntries} (1 GiB of doubles); {instead}.");
    }
}
