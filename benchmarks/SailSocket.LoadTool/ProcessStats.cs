using System.Globalization;

namespace SailSocket.LoadTool;

/// <summary>
/// Linux /proc readings the soak samples besides what <see cref="System.Diagnostics.Process"/> gives: open file
/// descriptors, the CPU time of this process's children (the lifted Node server) and of the whole machine. Each
/// returns -1 where /proc is not there.
/// </summary>
internal static class ProcessStats
{
    /// <summary>The kernel's USER_HZ: the unit of the times in /proc/*/stat and /proc/stat (100 on every Linux build in use).</summary>
    private const double ClockTicksPerSecond = 100;

    /// <summary>Entries in /proc/self/fd: every open file, socket, pipe, eventfd and epoll instance.</summary>
    public static int OpenFileDescriptors()
    {
        try
        {
            return Directory.EnumerateFileSystemEntries("/proc/self/fd").Count();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return -1;
        }
    }

    /// <summary>
    /// The open file descriptors by what they point to (socket, pipe, anon_inode such as eventfd/epoll, file), from
    /// the targets of the /proc/self/fd links; empty off Linux.
    /// </summary>
    public static Dictionary<string, int> FileDescriptorKinds()
    {
        var kinds = new Dictionary<string, int>(StringComparer.Ordinal);
        try
        {
            foreach (var entry in Directory.EnumerateFileSystemEntries("/proc/self/fd"))
            {
                string? target;
                try
                {
                    target = new FileInfo(entry).LinkTarget;
                }
                catch (IOException)
                {
                    continue; // closed meanwhile
                }

                var kind = target switch
                {
                    null => "unknown",
                    _ when target.StartsWith("socket:", StringComparison.Ordinal) => "socket",
                    _ when target.StartsWith("pipe:", StringComparison.Ordinal) => "pipe",
                    _ when target.StartsWith("anon_inode:", StringComparison.Ordinal) => target["anon_inode:".Length..].Trim('[', ']'),
                    _ when target.StartsWith("/dev/", StringComparison.Ordinal) => "dev",
                    _ => "file",
                };
                kinds[kind] = kinds.GetValueOrDefault(kind) + 1;
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
        }

        return kinds;
    }

    /// <summary>
    /// The resident set split as the kernel counts it (/proc/self/status): anonymous memory (heaps, stacks, JIT code),
    /// file-backed pages (the mapped assemblies and native libraries), shared memory; in bytes, -1 off Linux.
    /// </summary>
    public static (long Anon, long File, long Shmem) ResidentSet()
    {
        long anon = -1, file = -1, shmem = -1;
        try
        {
            foreach (var line in File.ReadLines("/proc/self/status"))
            {
                if (line.StartsWith("RssAnon:", StringComparison.Ordinal))
                {
                    anon = Kilobytes(line);
                }
                else if (line.StartsWith("RssFile:", StringComparison.Ordinal))
                {
                    file = Kilobytes(line);
                }
                else if (line.StartsWith("RssShmem:", StringComparison.Ordinal))
                {
                    shmem = Kilobytes(line);
                }
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException)
        {
        }

        return (anon, file, shmem);

        static long Kilobytes(string line) =>
            long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
    }

    /// <summary>The ids of this process's direct children (from /proc/self/task/*/children).</summary>
    public static IReadOnlyList<int> ChildProcessIds()
    {
        var ids = new List<int>();
        try
        {
            foreach (var task in Directory.EnumerateDirectories("/proc/self/task"))
            {
                string text;
                try
                {
                    text = File.ReadAllText(Path.Combine(task, "children"));
                }
                catch (IOException)
                {
                    continue; // the thread ended meanwhile
                }

                foreach (var part in text.Split(' ', StringSplitOptions.RemoveEmptyEntries))
                {
                    if (int.TryParse(part, NumberStyles.Integer, CultureInfo.InvariantCulture, out var id))
                    {
                        ids.Add(id);
                    }
                }
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
        }

        return ids;
    }

    /// <summary>User + system CPU seconds of process <paramref name="pid"/> (its own, not its children's), or -1.</summary>
    public static double CpuSeconds(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            // Field 2 (comm) is in parentheses and may hold spaces: count fields after the last ')'.
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            // fields[0] is field 3 (state); utime and stime are fields 14 and 15.
            return (double.Parse(fields[11], CultureInfo.InvariantCulture) + double.Parse(fields[12], CultureInfo.InvariantCulture)) / ClockTicksPerSecond;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            return -1;
        }
    }

    /// <summary>The machine's busy and total CPU seconds since boot, all cores (from the first line of /proc/stat).</summary>
    public static (double Busy, double Total) MachineCpuSeconds()
    {
        try
        {
            using var reader = new StreamReader("/proc/stat");
            var line = reader.ReadLine() ?? "";
            var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            // cpu user nice system idle iowait irq softirq steal …
            double total = 0, idle = 0;
            for (var i = 1; i < parts.Length && i <= 8; i++)
            {
                var value = double.Parse(parts[i], CultureInfo.InvariantCulture);
                total += value;
                if (i is 4 or 5)
                {
                    idle += value;
                }
            }

            return ((total - idle) / ClockTicksPerSecond, total / ClockTicksPerSecond);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException)
        {
            return (-1, -1);
        }
    }
}
