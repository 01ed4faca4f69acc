using System.Diagnostics;
using SailSocket.TestServers;

namespace SailSocket.IntegrationTests.Security;

/// <summary>
/// No Node fixture outlives the test process (issue 14): a paused (SIGSTOP) app cannot notice its standard input
/// closing, so its watchdog resumes and kills it when the launcher goes away.
/// </summary>
public sealed class NodeAppWatchdogTests
{
    [Fact]
    public async Task A_paused_app_is_killed_by_its_watchdog_when_the_launcher_goes_away()
    {
        await using var app = await NodeAppServer.StartSocketIoAsync(cancellationToken: Bound.Seconds(90));
        var pid = app.ProcessId;
        app.Pause();
        await Bound.Until(() => State(pid) == 'T', 5);

        // What the kernel does when the test process dies: the launcher's end of the watchdog's pipe closes.
        app.AbandonToWatchdog();
        await Bound.Until(() => !app.IsRunning, 10);
    }

    [Fact]
    public async Task Disposing_a_paused_app_ends_it()
    {
        var app = await NodeAppServer.StartSocketIoAsync(cancellationToken: Bound.Seconds(90));
        var pid = app.ProcessId;
        app.Pause();
        await app.DisposeAsync().AsTask().Within(15);
        Assert.Throws<ArgumentException>(() => Process.GetProcessById(pid));
    }

    /// <summary>The state letter of a process from /proc (T: stopped).</summary>
    private static char State(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        return stat[stat.LastIndexOf(')') + 2];
    }
}
