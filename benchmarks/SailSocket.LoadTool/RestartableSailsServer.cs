using System.Diagnostics;
using System.Globalization;
using SailSocket.TestServers;

namespace SailSocket.LoadTool;

/// <summary>
/// The bundled Sails app lifted for a soak, which can be killed (a crash, as far as the clients can tell) and lifted
/// again on the same port, so that the sockets' automatic reconnection finds it where it was.
/// </summary>
internal sealed class RestartableSailsServer : IAsyncDisposable
{
    private static readonly TimeSpan s_liftTimeout = TimeSpan.FromSeconds(120);

    private SailsServer _server;

    private RestartableSailsServer(SailsServer server)
    {
        _server = server;
        Url = server.Url;
    }

    public Uri Url { get; }

    /// <summary>How many times the server was killed and lifted again.</summary>
    public int Restarts { get; private set; }

    /// <summary>The total time from each kill to the next lift's "lifted" line.</summary>
    public TimeSpan Downtime { get; private set; }

    public static async Task<RestartableSailsServer> StartAsync()
    {
        using var bound = new CancellationTokenSource(s_liftTimeout);
        return new RestartableSailsServer(await SailsServer.StartAsync(cancellationToken: bound.Token));
    }

    /// <summary>Kills the server and lifts it again on the same port.</summary>
    public async Task RestartAsync(CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        _server.Kill();
        await _server.DisposeAsync(); // waits (bounded) for the process to exit
        var environment = new Dictionary<string, string> { ["PORT"] = Url.Port.ToString(CultureInfo.InvariantCulture) };
        using var bound = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bound.CancelAfter(s_liftTimeout);
        // The port was just released by the killed process; Node listens with SO_REUSEADDR, so connections still in
        // TIME_WAIT do not stop the new lift. A lift can still fail on a busy machine: try three times.
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                _server = await SailsServer.StartAsync(environment, bound.Token);
                break;
            }
            catch (InvalidOperationException ex) when (attempt < 3 && !bound.IsCancellationRequested)
            {
                await Console.Error.WriteLineAsync($"soak: relift attempt {attempt} failed, retrying: {ex.Message.Split('\n')[0]}");
                await Task.Delay(TimeSpan.FromSeconds(1), bound.Token);
            }
        }

        Restarts++;
        Downtime += Stopwatch.GetElapsedTime(started);
    }

    public ValueTask DisposeAsync() => _server.DisposeAsync();
}
