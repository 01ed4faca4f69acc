using SailSocket.Engine;
using SailSocket.SocketIo;
using SailSocket.TestServers;

namespace SailSocket.IntegrationTests.Transports;

/// <summary>
/// A server with a tiny <c>maxHttpBufferSize</c> (4000 bytes): the client refuses an oversized message with a clear
/// exception before the server would close the connection (WebSocket 1009) or drop the POST (413), and stays usable.
/// </summary>
public sealed class MaxPayloadTests
{
    private static readonly Lazy<Task<SailsServer>> s_server = new(async () =>
    {
        var server = await SailsServer.StartAsync(
            new Dictionary<string, string> { ["SOCKETS_TRANSPORTS"] = "polling,websocket", ["MAX_HTTP_BUFFER"] = "4000" },
            Bound.Seconds(120));
        AppDomain.CurrentDomain.ProcessExit += (_, _) => server.Kill();
        return server;
    });

    [Theory]
    [InlineData(EngineTransports.WebSocket, EngineRevisionSelection.V4)]
    [InlineData(EngineTransports.WebSocket, EngineRevisionSelection.V3)]
    [InlineData(EngineTransports.Polling, EngineRevisionSelection.V4)]
    [InlineData(EngineTransports.Polling, EngineRevisionSelection.V3)]
    [InlineData(EngineTransports.PollingThenUpgrade, EngineRevisionSelection.V4)]
    [InlineData(EngineTransports.PollingThenUpgrade, EngineRevisionSelection.V3)]
    public async Task An_oversized_message_is_refused_before_sending_and_the_connection_stays_usable(EngineTransports transports, EngineRevisionSelection revision)
    {
        var server = await s_server.Value.Within(150);
        await using var client = await SocketIoClient.ConnectAsync(
            new SocketIoOptions
            {
                Engine = new EngineOptions
                {
                    Url = server.Url,
                    Query = SailsSdkQuery.Pairs,
                    Transports = transports,
                    Revision = revision,
                    ConnectTimeout = TimeSpan.FromSeconds(10),
                },
                ConnectTimeout = TimeSpan.FromSeconds(10),
            },
            Bound.Seconds(15));
        Assert.Equal(4000, client.EngineHandshake.MaxPayload);
        if (transports == EngineTransports.PollingThenUpgrade)
        {
            await client.Engine.UpgradeTask.Within(10);
        }

        var big = new string('x', 5000);
        var ex = await Assert.ThrowsAsync<SocketIoMessageTooLargeException>(() => EchoAsync(client, big));
        Assert.Equal(4000, ex.Limit);

        var reply = await EchoAsync(client, "small");
        Assert.Contains("\"statusCode\":200", System.Text.Encoding.UTF8.GetString(reply.Arguments.Span), StringComparison.Ordinal);
        Assert.True(client.IsConnected);
    }

    private static Task<SocketIoAck> EchoAsync(SocketIoClient client, string text) =>
        client.EmitWithAckAsync(
            "post",
            text,
            static (w, t) =>
            {
                w.WriteStartObject();
                w.WriteString("method", "post");
                w.WriteStartObject("headers");
                w.WriteEndObject();
                w.WriteStartObject("data");
                w.WriteString("text", t);
                w.WriteEndObject();
                w.WriteString("url", "/echo");
                w.WriteEndObject();
            },
            null,
            TimeSpan.FromSeconds(10),
            Bound.Seconds(15)).AsTask();
}
