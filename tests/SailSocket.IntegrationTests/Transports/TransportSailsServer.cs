using SailSocket.TestServers;

namespace SailSocket.IntegrationTests.Transports;

/// <summary>
/// The Sails app with long-polling enabled (<c>SOCKETS_TRANSPORTS=polling,websocket</c>) and a short heartbeat (1 s / 2 s), so
/// that heartbeats in both directions, held polls and upgrades happen within a test. Lifted once for every transport test.
/// </summary>
public static class TransportSailsServer
{
    /// <summary>The server's pingInterval.</summary>
    public static readonly TimeSpan PingInterval = TimeSpan.FromMilliseconds(1000);

    private static readonly Lazy<Task<SailsServer>> s_server = new(() => StartAsync(new Dictionary<string, string>
    {
        ["SOCKETS_TRANSPORTS"] = "polling,websocket",
        ["PING_INTERVAL"] = "1000",
        ["PING_TIMEOUT"] = "2000",
    }));

    private static readonly Lazy<Task<SailsServer>> s_webSocketOnly = new(() => StartAsync(new Dictionary<string, string>
    {
        ["SOCKETS_TRANSPORTS"] = "websocket",
    }));

    /// <summary>The server with polling and WebSocket enabled.</summary>
    public static Task<SailsServer> GetAsync() => s_server.Value;

    /// <summary>A server left at the Sails default transports: WebSocket only.</summary>
    public static Task<SailsServer> GetWebSocketOnlyAsync() => s_webSocketOnly.Value;

    private static async Task<SailsServer> StartAsync(Dictionary<string, string> environment)
    {
        var server = await SailsServer.StartAsync(environment, Bound.Seconds(120));
        AppDomain.CurrentDomain.ProcessExit += (_, _) => server.Kill();
        return server;
    }
}
