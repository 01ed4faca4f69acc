using System.Net.WebSockets;
using System.Text.Json;
using SailSocket.Engine;
using SailSocket.Engine.Protocol;
using SailSocket.SocketIo;

namespace SailSocket.IntegrationTests.Transports;

/// <summary>The upgrade failing against the real server leaves a working polling session; automatic revision selection picks 4 on Sails.</summary>
public sealed class UpgradeFallbackTests
{
    [Theory]
    [InlineData(EngineRevisionSelection.V4)]
    [InlineData(EngineRevisionSelection.V3)]
    public async Task A_failed_upgrade_leaves_the_session_on_polling(EngineRevisionSelection revision)
    {
        await using var client = await ConnectAsync(
            EngineTransports.PollingThenUpgrade,
            revision,
            (_, _) => ValueTask.FromException<WebSocket>(new WebSocketException("upgrade blocked by a proxy (test)")));

        await client.Engine.UpgradeTask.Within(10);
        Assert.IsType<WebSocketException>(client.Engine.UpgradeError);
        Assert.Equal("polling", client.Engine.Transport);
        Assert.Equal(200, await SailsEcho.StatusAsync(client));
    }

    [Theory]
    [InlineData(EngineTransports.WebSocket)]
    [InlineData(EngineTransports.Polling)]
    public async Task Auto_selects_revision_4_on_a_Sails_server(EngineTransports transports)
    {
        await using var client = await ConnectAsync(transports, EngineRevisionSelection.Auto);

        Assert.Equal(EngineRevision.V4, client.Engine.Revision);
        Assert.Equal(5, client.ProtocolRevision);
        Assert.Equal(200, await SailsEcho.StatusAsync(client));
    }

    private static async Task<SocketIoClient> ConnectAsync(
        EngineTransports transports,
        EngineRevisionSelection revision,
        Func<Uri, CancellationToken, ValueTask<WebSocket>>? webSocketFactory = null)
    {
        var server = await TransportSailsServer.GetAsync().Within(150);
        return await SocketIoClient.ConnectAsync(
            new SocketIoOptions
            {
                Engine = new EngineOptions
                {
                    Url = server.Url,
                    Query = SailsSdkQuery.Pairs,
                    Transports = transports,
                    Revision = revision,
                    ConnectTimeout = TimeSpan.FromSeconds(10),
                    WebSocketFactory = webSocketFactory,
                },
                ConnectTimeout = TimeSpan.FromSeconds(10),
            },
            Bound.Seconds(15));
    }
}
