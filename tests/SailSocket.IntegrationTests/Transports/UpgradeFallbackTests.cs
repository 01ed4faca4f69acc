using System.Net.WebSockets;
using System.Text.Json;
using SailSocket.Engine;
using SailSocket.Engine.Protocol;
using SailSocket.SocketIo;

namespace SailSocket.IntegrationTests.Transports;

/// <summary>The upgrade failing against the real server leaves a working polling session; automatic revision selection picks 4 on Sails.</summary>
public sealed class UpgradeFallbackTests
{
    private static readonly KeyValuePair<string, string>[] s_sdkQuery =
    [
        new("__sails_io_sdk_version", "1.2.1"),
        new("__sails_io_sdk_platform", "dotnet"),
        new("__sails_io_sdk_language", "csharp"),
    ];

    [Theory]
    [InlineData(EngineRevisionSelection.V4)]
    [InlineData(EngineRevisionSelection.V3)]
    public async Task A_failed_upgrade_leaves_the_session_on_polling(EngineRevisionSelection revision)
    {
        var server = await TransportSailsServer.GetAsync().Within(150);
        await using var client = await SocketIoClient.ConnectAsync(
            new SocketIoOptions
            {
                Engine = new EngineOptions
                {
                    Url = server.Url,
                    Query = s_sdkQuery,
                    Transports = EngineTransports.PollingThenUpgrade,
                    Revision = revision,
                    ConnectTimeout = TimeSpan.FromSeconds(10),
                    WebSocketFactory = (_, _) => ValueTask.FromException<WebSocket>(new WebSocketException("upgrade blocked by a proxy (test)")),
                },
                ConnectTimeout = TimeSpan.FromSeconds(10),
            },
            Bound.Seconds(15));

        await client.Engine.UpgradeTask.Within(10);
        Assert.IsType<WebSocketException>(client.Engine.UpgradeError);
        Assert.Equal("polling", client.Engine.Transport);
        Assert.Equal(200, await EchoStatusAsync(client));
    }

    [Theory]
    [InlineData(EngineTransports.WebSocket)]
    [InlineData(EngineTransports.Polling)]
    public async Task Auto_selects_revision_4_on_a_Sails_server(EngineTransports transports)
    {
        var server = await TransportSailsServer.GetAsync().Within(150);
        await using var client = await SocketIoClient.ConnectAsync(
            new SocketIoOptions
            {
                Engine = new EngineOptions
                {
                    Url = server.Url,
                    Query = s_sdkQuery,
                    Transports = transports,
                    Revision = EngineRevisionSelection.Auto,
                    ConnectTimeout = TimeSpan.FromSeconds(10),
                },
                ConnectTimeout = TimeSpan.FromSeconds(10),
            },
            Bound.Seconds(15));

        Assert.Equal(EngineRevision.V4, client.Engine.Revision);
        Assert.Equal(5, client.ProtocolRevision);
        Assert.Equal(200, await EchoStatusAsync(client));
    }

    private static async Task<int> EchoStatusAsync(SocketIoClient client)
    {
        var ack = await client.EmitWithAckAsync(
            "get",
            """{"method":"get","headers":{},"data":{},"url":"/echo"}""",
            static (w, json) => w.WriteRawValue(json),
            null,
            TimeSpan.FromSeconds(10),
            Bound.Seconds(15));
        using var document = JsonDocument.Parse(ack.Arguments);
        return document.RootElement[0].GetProperty("statusCode").GetInt32();
    }
}
