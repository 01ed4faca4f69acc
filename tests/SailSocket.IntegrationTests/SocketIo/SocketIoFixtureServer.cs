using SailSocket.TestServers;

namespace SailSocket.IntegrationTests.SocketIo;

/// <summary>
/// The plain socket.io 4.x fixture (tests/socketio-app), lifted once per test run for every test that leaves no state
/// on it: Engine.IO 3 allowed (so one server serves both protocol generations), polling and WebSocket, a short heartbeat
/// (1 s / 2 s) so heartbeats happen within a test, and a small <c>maxHttpBufferSize</c> so large attachments can be
/// tested near it.
/// </summary>
public static class SocketIoFixtureServer
{
    /// <summary>The server's maxHttpBufferSize (and so its maxPayload): 256 KiB.</summary>
    public const int MaxHttpBufferSize = 256 * 1024;

    private static readonly Lazy<Task<NodeAppServer>> s_server = new(() => StartAsync(new Dictionary<string, string>
    {
        ["ALLOW_EIO3"] = "1",
        ["TRANSPORTS"] = "polling,websocket",
        ["PING_INTERVAL"] = "1000",
        ["PING_TIMEOUT"] = "2000",
        ["MAX_HTTP_BUFFER_SIZE"] = MaxHttpBufferSize.ToString(System.Globalization.CultureInfo.InvariantCulture),
    }));

    /// <summary>The shared server.</summary>
    public static Task<NodeAppServer> GetAsync() => s_server.Value;

    /// <summary>Lifts a fixture server of its own (for tests that count what the server saw); the caller disposes it.</summary>
    public static async Task<NodeAppServer> StartAsync(Dictionary<string, string> environment)
    {
        var server = await NodeAppServer.StartSocketIoAsync(environment, Bound.Seconds(120));
        AppDomain.CurrentDomain.ProcessExit += (_, _) => server.Kill();
        return server;
    }
}
