// Runs `hybrid` in-process (Cli.Run on string streams) or as a real process (the built hybrid.dll
// under `dotnet`), returning the exit code and both streams.
using System.Diagnostics;

namespace Hybrid.Cli.Tests;

public static class Run
{
    /// <summary>In-process, stdin empty unless given; progress as if stderr were a terminal when asked.</summary>
    public static (int Code, string Out, string Err) Hybrid(params string[] args) => With("", false, args);

    public static (int Code, string Out, string Err) With(string stdin, bool progress, params string[] args)
    {
        var (output, error) = (new StringWriter(), new StringWriter());
        int code = Cli.Run(args, new Terminal(new StringReader(stdin), output, error, progress));
        return (code, output.ToString(), error.ToString());
    }

    /// <summary>As a child process: real exit code, stdout and stderr as pipes (not terminals).</summary>
    public static (int Code, string Out, string Err) Process(string stdin, params string[] args) =>
        Dotnet([Path.Combine(AppContext.BaseDirectory, "hybrid.dll"), .. args], stdin);

    /// <summary>`dotnet` with <paramref name="args"/>, in <paramref name="workingDirectory"/>, given up after five minutes.</summary>
    public static (int Code, string Out, string Err) Dotnet(string[] args, string stdin = "", string? workingDirectory = null)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        if (workingDirectory is not null) start.WorkingDirectory = workingDirectory;
        foreach (var a in args) start.ArgumentList.Add(a);
        using var process = System.Diagnostics.Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        process.StandardInput.Write(stdin);
        process.StandardInput.Close();
        if (!process.WaitForExit(TimeSpan.FromMinutes(5)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"dotnet {string.Join(' ', args)} did not finish in five minutes.");
        }
        return (process.ExitCode, output.Result, error.Result);
    }
}
