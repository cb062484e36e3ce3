// Where a command reads and writes: the process's console in `hybrid`, string writers in tests.
// Progress goes to Error only when Error is a terminal, so pipes and files never see it.
namespace Hybrid.Cli;

/// <summary>The streams of one invocation, and whether progress may be shown.</summary>
/// <param name="In">Standard input (read by <c>serve</c>).</param>
/// <param name="Out">Results.</param>
/// <param name="Error">Errors, and progress when <paramref name="ShowProgress"/>.</param>
/// <param name="ShowProgress">True when standard error is a terminal.</param>
public sealed record Terminal(TextReader In, TextWriter Out, TextWriter Error, bool ShowProgress)
{
    /// <summary>The process's console; progress only when standard error is not redirected.</summary>
    /// <remarks>
    /// Redirected standard output is written through the file descriptor itself: the console stream ignores a
    /// closed pipe (EPIPE) silently, so a reader that went away would never be noticed; this stream throws
    /// <see cref="IOException"/> instead, and <c>serve</c> stops at once.
    /// </remarks>
    public static Terminal System => new(Console.IsInputRedirected ? RedirectedInput() : Console.In,
        Console.IsOutputRedirected ? RedirectedOutput() : Console.Out, Console.Error, !Console.IsErrorRedirected);

    // Console.In takes a lock on every Read; serve reads its input a character at a time (lines end at '\n' only).
    private static TextReader RedirectedInput() => new StreamReader(Console.OpenStandardInput(), new global::System.Text.UTF8Encoding(false), detectEncodingFromByteOrderMarks: true, 1 << 16);

    // Only a pipe: a file stream over a regular file would write at its own offset, over what others appended.
    private static TextWriter RedirectedOutput()
    {
        var stream = new FileStream(new Microsoft.Win32.SafeHandles.SafeFileHandle(1, ownsHandle: false), FileAccess.Write, bufferSize: 0);
        if (stream.CanSeek) { stream.Dispose(); return Console.Out; }
        return new StreamWriter(stream, new global::System.Text.UTF8Encoding(encoderShouldEmitUTF8Identifier: false), bufferSize: 1 << 16);
    }

    /// <summary>Writes "label done/total" over the previous progress line (a carriage return, no newline), at most every <paramref name="every"/> items.</summary>
    public void Progress(string label, int done, int? total = null, int every = 100)
    {
        if (!ShowProgress || done % every != 0 && done != total) return;
        Error.Write(total is null ? $"\r{label} {done}" : $"\r{label} {done}/{total}");
        if (done == total) Error.WriteLine();
        Error.Flush();
    }
}

/// <summary>A command line that cannot be carried out as given; the message says what to change. Exit code 2.</summary>
public sealed class UsageException(string message) : Exception(message);
