using System;
using System.Collections.Generic;
using System.Text.RegularExpressions;
using System.Threading;
using System.Threading.Tasks;

namespace SailSocket.TestServers;

/// <summary>
/// A real Sails server: the bundled app (tests/sails-app) run by Node on 127.0.0.1 and a port the OS picks.
/// Installs its npm packages with <c>npm ci</c> on first use.
/// </summary>
/// <remarks>
/// The server reads its standard input and exits when it closes, so it never outlives this process even if the process
/// is killed. Every wait is bounded. The process handling is <see cref="NodeAppServer"/>'s, shared with the socket.io fixtures.
/// </remarks>
public sealed partial class SailsServer : IAsyncDisposable
{
    private readonly NodeAppServer _app;

    private SailsServer(NodeAppServer app)
    {
        _app = app;
    }

    /// <summary>The port the server listens on (127.0.0.1 only).</summary>
    public int Port => _app.Port;

    /// <summary>The server's base URL.</summary>
    public Uri Url => _app.Url;

    /// <summary>Whether the Node process is still running.</summary>
    public bool IsRunning => _app.IsRunning;

    /// <summary>Everything the server printed so far.</summary>
    public string Output => _app.Output;

    /// <summary>Installs the app's packages if needed, lifts it and waits until it listens.</summary>
    /// <param name="environment">Extra environment variables (see tests/sails-app/config/sockets.js), or <see langword="null"/>.
    /// <c>PORT</c> picks the port (to restart a server where clients expect it); by default the OS picks a free one.</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    /// <returns>The running server; dispose it to stop it.</returns>
    public static async Task<SailsServer> StartAsync(IReadOnlyDictionary<string, string>? environment = null, CancellationToken cancellationToken = default) =>
        new(await NodeAppServer.StartAsync("sails-app", "app.js", "sails-hook-sockets", LiftedLine(), environment, cancellationToken));

    /// <summary>Freezes the server (SIGSTOP): connections stay open but nothing is answered, heartbeats included.</summary>
    public void Pause() => _app.Pause();

    /// <summary>Lets a paused server run again (SIGCONT).</summary>
    public void Resume() => _app.Resume();

    /// <summary>Kills the server at once (a crash, as far as clients can tell).</summary>
    public void Kill() => _app.Kill();

    /// <summary>Stops the server and waits for the process to exit.</summary>
    /// <returns>A task that completes when the process has exited.</returns>
    public ValueTask DisposeAsync() => _app.DisposeAsync();

    [GeneratedRegex(@"SAILS APP LIFTED on 127\.0\.0\.1:(\d+)")]
    private static partial Regex LiftedLine();
}
