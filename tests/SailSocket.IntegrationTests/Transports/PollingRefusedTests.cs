using SailSocket.Engine;
using SailSocket.SocketIo;

namespace SailSocket.IntegrationTests.Transports;

/// <summary>A Sails app left at its default transports (WebSocket only) refuses polling, and the client says so clearly.</summary>
public sealed class PollingRefusedTests
{
    [Theory]
    [InlineData(EngineTransports.Polling)]
    [InlineData(EngineTransports.PollingThenUpgrade)]
    public async Task Polling_against_a_websocket_only_app_reports_the_refusal(EngineTransports transports)
    {
        var server = await TransportSailsServer.GetWebSocketOnlyAsync().Within(150);
        var options = new SocketIoOptions
        {
            Engine = new EngineOptions { Url = server.Url, Transports = transports, ConnectTimeout = TimeSpan.FromSeconds(10) },
            ConnectTimeout = TimeSpan.FromSeconds(10),
        };

        var error = await Assert.ThrowsAsync<EngineConnectionException>(() => SocketIoClient.ConnectAsync(options, Bound.Seconds(15)).Within(15));

        Assert.Equal(EngineConnectionError.HandshakeRefused, error.Error);
        Assert.Equal(400, error.HttpStatusCode);
        Assert.Equal("""{"code":0,"message":"Transport unknown"}""", error.HttpResponseBody);
        Assert.Contains("Transport unknown", error.Message, StringComparison.Ordinal);
        Assert.Contains("HTTP 400", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task At_the_Sails_layer_the_refusal_points_at_the_transports()
    {
        var server = await TransportSailsServer.GetWebSocketOnlyAsync().Within(150);
        await using var sails = new SailsClient(new SailsClientOptions { Url = server.Url, Transports = EngineTransports.Polling, ConnectTimeout = TimeSpan.FromSeconds(10) });

        var error = await Assert.ThrowsAsync<SailsConnectionException>(() => sails.ConnectAsync(Bound.Seconds(15)).Within(15));

        Assert.Equal(400, error.HttpStatusCode);
        Assert.Contains("Transport unknown", error.Message, StringComparison.Ordinal);
        Assert.Contains("SailsClientOptions.Transports", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("beforeConnect", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_websocket_handshake_on_a_path_the_server_does_not_serve_names_the_path()
    {
        // Engine.IO closes an upgrade on another path without a status line (after its destroyUpgradeTimeout).
        var server = await TransportSailsServer.GetWebSocketOnlyAsync().Within(150);
        await using var sails = new SailsClient(new SailsClientOptions { Url = server.Url, Path = "/sockets/", ConnectTimeout = TimeSpan.FromSeconds(15) });

        var error = await Assert.ThrowsAsync<SailsConnectionException>(() => sails.ConnectAsync(Bound.Seconds(20)).Within(20));

        Assert.Contains("/sockets/", error.Message, StringComparison.Ordinal);
        Assert.Contains("closed the connection without answering the handshake", error.Message, StringComparison.Ordinal);
        Assert.Contains("check the path", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WebSocket_against_a_websocket_only_app_connects()
    {
        var server = await TransportSailsServer.GetWebSocketOnlyAsync().Within(150);
        var options = new SocketIoOptions
        {
            Engine = new EngineOptions { Url = server.Url, ConnectTimeout = TimeSpan.FromSeconds(10) },
            ConnectTimeout = TimeSpan.FromSeconds(10),
        };

        await using var client = await SocketIoClient.ConnectAsync(options, Bound.Seconds(15));

        Assert.True(client.IsConnected);
        Assert.Equal("websocket", client.Engine.Transport);
    }
}
