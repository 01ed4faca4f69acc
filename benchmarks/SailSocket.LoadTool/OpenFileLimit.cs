using System.Globalization;

namespace SailSocket.LoadTool;

/// <summary>
/// The process's cap on open files (sockets included), read from /proc/self/limits, and the refusal of a run that
/// would need more: a socket past the cap fails its connect with "Too many open files" deep in the runtime, and a run
/// at that size used to crash instead of reporting (these machines cap every process at 20,000, and the hard limit
/// equals the soft one, so it cannot be raised from inside).
/// </summary>
internal static class OpenFileLimit
{
    /// <summary>
    /// Files the runtime, the lifted servers' pipes, the HTTP handler's spare connections and the thread pool's epoll and
    /// eventfd instances hold besides the sockets, on top of what is open when the check runs: measured at about 150
    /// in a 15,000-socket fleet run; twice that for margin.
    /// </summary>
    public const int Reserve = 300;

    /// <summary>The soft limit on open files, or null where it cannot be read (not Linux) or is unlimited.</summary>
    public static long? Read()
    {
        try
        {
            foreach (var line in File.ReadLines("/proc/self/limits"))
            {
                if (!line.StartsWith("Max open files", StringComparison.Ordinal))
                {
                    continue;
                }

                var fields = line["Max open files".Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
                return fields.Length > 0 && long.TryParse(fields[0], NumberStyles.Integer, CultureInfo.InvariantCulture, out var soft) ? soft : null;
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
        }

        return null;
    }

    /// <summary>
    /// Why a run of <paramref name="sockets"/> sockets, each holding <paramref name="filesPerSocket"/> open files in this
    /// process, cannot run here; null when it fits (or the limit is unknown).
    /// </summary>
    /// <param name="option">The option that asked for the sockets, for the message.</param>
    /// <param name="sockets">How many sockets.</param>
    /// <param name="filesPerSocket">Open files each holds (1 for a WebSocket; 2 for long-polling: a GET and a POST).</param>
    /// <returns>The message, or null.</returns>
    public static string? Refusal(string option, int sockets, int filesPerSocket)
    {
        if (sockets <= 0 || Read() is not { } limit)
        {
            return null;
        }

        var open = Math.Max(0, ProcessStats.OpenFileDescriptors());
        var needed = (long)sockets * filesPerSocket + open + Reserve;
        if (needed <= limit)
        {
            return null;
        }

        var most = Math.Max(0, (limit - open - Reserve) / filesPerSocket);
        return string.Create(
            CultureInfo.InvariantCulture,
            $"{option} {sockets}: that many sockets need {(long)sockets * filesPerSocket} open files in this process ({filesPerSocket} each), plus the {open} open now and a reserve of {Reserve}, but the process may open at most {limit} (Max open files in /proc/self/limits). Run at most {most} sockets, or raise the limit (ulimit -n) where the hard limit allows.");
    }
}
