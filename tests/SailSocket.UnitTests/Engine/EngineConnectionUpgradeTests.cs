using System;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using SailSocket.Engine;
using SailSocket.UnitTests.Infrastructure;
using Xunit;

namespace SailSocket.UnitTests.Engine;

/// <summary>
/// The polling → WebSocket upgrade (protocol.md §2.7) against a scripted polling server and an in-memory WebSocket peer:
/// the probe sequence, the pause, <c>5</c>, queued packets moved to the WebSocket, and the fallback to polling.
/// </summary>
[Collection(RealTimeGroup.Name)]
public sealed class EngineConnectionUpgradeTests : IAsyncLifetime
{
    private const string Sid = "OZHYK8gTW-cT96K0AAAB";
    private const string Open = $$"""0{"sid":"{{Sid}}","upgrades":["websocket"],"pingInterval":25000,"pingTimeout":60000,"maxPayload":100000000}""";

    private readonly ScriptedHttpHandler _server = new();
    private readonly WebSocketPeer _peer = new();
    private Uri? _webSocketUri;
    private EngineConnection? _connection;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        await _server.DisposeConnectionAsync(_connection);
        _server.Dispose();
        await _peer.DisposeAsync();
    }

    private async Task<EngineConnection> ConnectAsync(bool refuseWebSocket = false)
    {
        var connect = EngineConnection.ConnectAsync(new EngineOptions
        {
            Url = new Uri("http://127.0.0.1:1"),
            HttpInvoker = _server.CreateInvoker(),
            Transports = EngineTransports.PollingThenUpgrade,
            ConnectTimeout = TestTimeouts.Default,
            UpgradeTimeout = TestTimeouts.Default,
            WebSocketFactory = (uri, _) =>
            {
                _webSocketUri = uri;
                return refuseWebSocket
                    ? ValueTask.FromException<System.Net.WebSockets.WebSocket>(new System.Net.WebSockets.WebSocketException("refused"))
                    : ValueTask.FromResult(_peer.Client);
            },
        });
        (await _server.NextGetAsync()).Respond(Open);
        _connection = await connect.WaitAsync(TestTimeouts.Default);
        Assert.Equal("polling", _connection.Transport);
        return _connection;
    }

    [Fact]
    public async Task Upgrade_ProbesPausesSendsFive_ThenMovesQueuedPacketsToTheWebSocket()
    {
        var connection = await ConnectAsync();
        var receive = connection.ReceiveWithinAsync();
        var poll = await _server.NextGetAsync();

        Assert.Equal("2probe", await _peer.ReceiveTextAsync());
        Assert.Contains("transport=websocket", _webSocketUri!.Query, StringComparison.Ordinal);
        Assert.Contains("sid=" + Sid, _webSocketUri.Query, StringComparison.Ordinal);

        // A send in flight on polling when the probe is answered: the upgrade waits for it.
        var first = connection.SendPacketAsync("2[\"first\"]");
        var post = await _server.NextPostAsync();
        await _peer.SendTextAsync("3probe");

        // A grace period, not a barrier: the client answers nothing while the POST is in flight, and whether polling is
        // paused is private to the transport (src/ offers no hook to wait on).
        await Task.Delay(TestTimeouts.Quiet);

        // Polling is paused now: this one is queued, not posted.
        var second = connection.SendPacketAsync("2[\"second\"]", new byte[] { 0xDE, 0xAD });
        post.RespondOk();
        Assert.False(await _server.PostArrivesSoonAsync(), "a POST after polling was paused");

        // The server releases the pending poll with a noop; then "5", then the queued packets, on the WebSocket.
        poll.Respond("6");
        Assert.Equal("5", await _peer.ReceiveTextAsync());
        Assert.Equal("42[\"second\"]", await _peer.ReceiveTextAsync());
        Assert.Equal(new byte[] { 0xDE, 0xAD }, (await _peer.ReceiveAsync()).Data);
        await Task.WhenAll(first, second).WaitAsync(TestTimeouts.Default);
        await connection.UpgradeTask.WaitAsync(TestTimeouts.Default);
        Assert.Equal("websocket", connection.Transport);
        Assert.Null(connection.UpgradeError);

        // Receiving continues on the WebSocket; sending too.
        await _peer.SendTextAsync("42[\"after\"]");
        Assert.Equal("2[\"after\"]", Encoding.UTF8.GetString((await receive).Data.Span));
        var third = connection.SendPacketAsync("2[\"third\"]");
        Assert.Equal("42[\"third\"]", await _peer.ReceiveTextAsync());
        await third.WaitAsync(TestTimeouts.Default);
    }

    [Fact]
    public async Task Upgrade_ProbeAnsweredWrongly_StaysOnPolling()
    {
        var connection = await ConnectAsync();
        var receive = connection.ReceiveWithinAsync();
        var poll = await _server.NextGetAsync();

        Assert.Equal("2probe", await _peer.ReceiveTextAsync());
        await _peer.SendTextAsync("3nope");
        await connection.UpgradeTask.WaitAsync(TestTimeouts.Default);

        Assert.IsType<EngineProtocolException>(connection.UpgradeError);
        Assert.Equal("polling", connection.Transport);
        poll.Respond("42[\"still polling\"]");
        Assert.Equal("2[\"still polling\"]", Encoding.UTF8.GetString((await receive).Data.Span));
        var send = connection.SendPacketAsync("2[\"x\"]");
        var post = await _server.NextPostAsync();
        Assert.Equal("42[\"x\"]", post.Body);
        post.RespondOk();
        await send.WaitAsync(TestTimeouts.Default);
    }

    [Fact]
    public async Task Upgrade_WebSocketRefused_StaysOnPolling()
    {
        var connection = await ConnectAsync(refuseWebSocket: true);
        await connection.UpgradeTask.WaitAsync(TestTimeouts.Default);

        Assert.NotNull(connection.UpgradeError);
        Assert.Equal("polling", connection.Transport);
        var receive = connection.ReceiveWithinAsync();
        (await _server.NextGetAsync()).Respond("40");
        Assert.Equal("0", Encoding.UTF8.GetString((await receive).Data.Span));
    }
}
