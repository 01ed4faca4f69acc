using System;
using System.Net;
using System.Net.Http;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using SailSocket.Engine;
using SailSocket.Engine.Protocol;
using SailSocket.UnitTests.Infrastructure;
using Xunit;

namespace SailSocket.UnitTests.Engine;

/// <summary>
/// <see cref="EngineConnection"/> over HTTP long-polling against a scripted server (<see cref="ScriptedHttpHandler"/>):
/// handshake, the poll loop, batched POSTs, limits, errors, close, both revisions (protocol.md §2.3, §2.4, §2.6, §2.8).
/// </summary>
[Collection(RealTimeGroup.Name)]
public sealed class EngineConnectionPollingTests : IAsyncLifetime
{
    private const string Sid = "OZHYK8gTW-cT96K0AAAB";

    private readonly ScriptedHttpHandler _server = new();
    private EngineConnection? _connection;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        await _server.DisposeConnectionAsync(_connection);
        _server.Dispose();
    }

    private static string OpenJson(int pingInterval = 25000, int pingTimeout = 60000, long maxPayload = 100000000) =>
        $$"""{"sid":"{{Sid}}","upgrades":["websocket"],"pingInterval":{{pingInterval}},"pingTimeout":{{pingTimeout}},"maxPayload":{{maxPayload}}}""";

    private EngineOptions Options(EngineRevisionSelection revision = EngineRevisionSelection.V4, TimerSettings? timer = null, TimeSpan? pollingTimeout = null) => new()
    {
        Url = new Uri("http://127.0.0.1:1"),
        HttpInvoker = _server.CreateInvoker(),
        Transports = EngineTransports.Polling,
        Revision = revision,
        ConnectTimeout = TestTimeouts.Default,
        PollingRequestTimeout = pollingTimeout,
        TimeProvider = timer?.TimeProvider ?? TimeProvider.System,
        TimerResolution = timer?.Resolution ?? TimeSpan.FromSeconds(1),
    };

    /// <summary>Connects and answers the handshake GET with <paramref name="body"/>.</summary>
    private async Task<EngineConnection> ConnectAsync(EngineOptions options, string body)
    {
        var connect = EngineConnection.ConnectAsync(options);
        var handshake = await _server.NextGetAsync();
        Assert.Null(handshake.SessionId);
        handshake.Respond(body);
        _connection = await connect.WaitAsync(TestTimeouts.Default);
        return _connection;
    }

    [Fact]
    public async Task Connect_V4_HandshakeGetWithoutSid_ThenPollsWithIt()
    {
        var connect = EngineConnection.ConnectAsync(Options());
        var handshake = await _server.NextGetAsync();
        Assert.Equal("/socket.io/", handshake.Uri.AbsolutePath);
        Assert.Equal("4", handshake.Query("EIO"));
        Assert.Equal("polling", handshake.Query("transport"));
        Assert.Null(handshake.Query("b64"));
        handshake.Respond("0" + OpenJson());
        _connection = await connect.WaitAsync(TestTimeouts.Default);

        Assert.Equal(EngineRevision.V4, _connection.Revision);
        Assert.Equal("polling", _connection.Transport);
        Assert.Equal(Sid, _connection.Handshake.SessionId);

        var receive = _connection.ReceiveWithinAsync();
        var poll = await _server.NextGetAsync();
        Assert.Equal(Sid, poll.SessionId);
        poll.Respond("40{\"sid\":\"x\"}");
        Assert.Equal("0{\"sid\":\"x\"}", Encoding.UTF8.GetString((await receive).Data.Span));
    }

    [Fact]
    public async Task Connect_V3_SendsB64_AndReadsTheLengthPrefixedOpenPacket()
    {
        var connect = EngineConnection.ConnectAsync(Options(EngineRevisionSelection.V3));
        var handshake = await _server.NextGetAsync();
        Assert.Equal("3", handshake.Query("EIO"));
        Assert.Equal("1", handshake.Query("b64"));
        var open = "0" + OpenJson();
        handshake.Respond($"{open.Length}:{open}");
        _connection = await connect.WaitAsync(TestTimeouts.Default);

        Assert.Equal(EngineRevision.V3, _connection.Revision);
        Assert.Equal(TimeSpan.FromSeconds(25), _connection.Handshake.PingInterval);
    }

    [Fact]
    public async Task Connect_Refused_ReportsStatusAndBody()
    {
        var connect = EngineConnection.ConnectAsync(Options());
        (await _server.NextGetAsync()).Respond("""{"code":0,"message":"Transport unknown"}""", HttpStatusCode.BadRequest);

        var ex = await Assert.ThrowsAsync<EngineConnectionException>(() => connect.WaitAsync(TestTimeouts.Default));
        Assert.Equal(EngineConnectionError.HandshakeRefused, ex.Error);
        Assert.Equal(400, ex.HttpStatusCode);
        Assert.Equal("""{"code":0,"message":"Transport unknown"}""", ex.HttpResponseBody);
        Assert.Contains("Transport unknown", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Auto_ServerAnsweringInRevision3_IsSpokenTo_InRevision3()
    {
        var connect = EngineConnection.ConnectAsync(new EngineOptions
        {
            Url = new Uri("http://127.0.0.1:2"),
            HttpInvoker = _server.CreateInvoker(),
            Transports = EngineTransports.Polling,
            Revision = EngineRevisionSelection.Auto,
            ConnectTimeout = TestTimeouts.Default,
        });
        var handshake = await _server.NextGetAsync();
        Assert.Equal("4", handshake.Query("EIO"));
        var open = "0" + OpenJson();
        handshake.Respond($"{open.Length}:{open}");
        _connection = await connect.WaitAsync(TestTimeouts.Default);

        Assert.Equal(EngineRevision.V3, _connection.Revision);
        var receive = _connection.ReceiveWithinAsync();
        var poll = await _server.NextGetAsync();
        Assert.Equal("3", poll.Query("EIO"));
        poll.Respond("2:40");
        Assert.Equal("0", Encoding.UTF8.GetString((await receive).Data.Span));
    }

    [Fact]
    public async Task Auto_Revision4Refused_RetriesWithRevision3_AndRemembersIt()
    {
        EngineOptions AutoOptions() => new()
        {
            Url = new Uri("http://127.0.0.1:3"),
            HttpInvoker = _server.CreateInvoker(),
            Transports = EngineTransports.Polling,
            Revision = EngineRevisionSelection.Auto,
            ConnectTimeout = TestTimeouts.Default,
        };

        var connect = EngineConnection.ConnectAsync(AutoOptions());
        var first = await _server.NextGetAsync();
        Assert.Equal("4", first.Query("EIO"));
        first.Respond("""{"code":5,"message":"Unsupported protocol version"}""", HttpStatusCode.BadRequest);
        var second = await _server.NextGetAsync();
        Assert.Equal("3", second.Query("EIO"));
        var open = "0" + OpenJson();
        second.Respond($"{open.Length}:{open}");
        await using (var connection = await connect.WaitAsync(TestTimeouts.Default))
        {
            Assert.Equal(EngineRevision.V3, connection.Revision);
            var dispose = connection.DisposeAsync().AsTask();
            Assert.Equal("1:1", (await _server.NextPostAsync()).Body);
            await dispose.WaitAsync(TestTimeouts.Default);
        }

        // The next connect to the same server asks for revision 3 at once.
        connect = EngineConnection.ConnectAsync(AutoOptions());
        var again = await _server.NextGetAsync();
        Assert.Equal("3", again.Query("EIO"));
        again.Respond($"{open.Length}:{open}");
        _connection = await connect.WaitAsync(TestTimeouts.Default);
    }

    [Fact]
    public async Task Receive_V4Payload_GivesEachPacket_AnswersPingsByPost_AndDecodesBase64Binary()
    {
        var connection = await ConnectAsync(Options(), "0" + OpenJson());
        var receive = connection.ReceiveWithinAsync();
        (await _server.NextGetAsync()).Respond("42[\"a\"]\u001e2\u001ebAQID+g==\u001e6\u001e42[\"b\"]");

        Assert.Equal("2[\"a\"]", Encoding.UTF8.GetString((await receive).Data.Span));
        receive = connection.ReceiveWithinAsync();
        var pong = await _server.NextPostAsync();
        Assert.Equal("3", pong.Body);
        Assert.Equal("text/plain; charset=UTF-8", pong.ContentType);
        Assert.Equal(Sid, pong.SessionId);
        pong.RespondOk();
        var binary = await receive;
        Assert.True(binary.IsBinary);
        Assert.Equal(new byte[] { 1, 2, 3, 0xFA }, binary.Data.ToArray());
        Assert.Equal("2[\"b\"]", Encoding.UTF8.GetString((await connection.ReceiveWithinAsync()).Data.Span));
    }

    [Fact]
    public async Task Receive_V3Payload_CountsUtf16_AndDecodesB4Binary()
    {
        var open = "0" + OpenJson();
        var connection = await ConnectAsync(Options(EngineRevisionSelection.V3), $"{open.Length}:{open}");
        var receive = connection.ReceiveWithinAsync();
        (await _server.NextGetAsync()).Respond("""88:430[{"body":{"text":"héllo wörld ✓ 😀","received":"é😀"},"headers":{},"statusCode":200}]6:b4aGk=""");

        Assert.Equal("""30[{"body":{"text":"héllo wörld ✓ 😀","received":"é😀"},"headers":{},"statusCode":200}]""", Encoding.UTF8.GetString((await receive).Data.Span));
        var binary = await connection.ReceiveWithinAsync();
        Assert.True(binary.IsBinary);
        Assert.Equal("hi"u8.ToArray(), binary.Data.ToArray());
    }

    [Fact]
    public async Task Receive_MalformedPayload_ClosesWithAProtocolError()
    {
        var connection = await ConnectAsync(Options(), "0" + OpenJson());
        var receive = connection.ReceiveWithinAsync();
        (await _server.NextGetAsync()).Respond("42[\"a\"]\u001e\u001e3");

        Assert.Equal("2[\"a\"]", Encoding.UTF8.GetString((await receive).Data.Span));
        var ex = await Assert.ThrowsAsync<EngineConnectionException>(() => connection.ReceiveWithinAsync());
        Assert.Equal(EngineConnectionError.ProtocolError, ex.Error);
        Assert.Equal(8, Assert.IsType<EngineProtocolException>(ex.InnerException).Offset);
        Assert.False(connection.IsOpen);
    }

    [Fact]
    public async Task Receive_SessionUnknown_EndsTheConnection_WithTheServersWords()
    {
        var connection = await ConnectAsync(Options(), "0" + OpenJson());
        var receive = connection.ReceiveWithinAsync();
        (await _server.NextGetAsync()).Respond("""{"code":1,"message":"Session ID unknown"}""", HttpStatusCode.BadRequest);

        var ex = await Assert.ThrowsAsync<EngineConnectionException>(() => receive);
        Assert.Equal(EngineConnectionError.ClosedByServer, ex.Error);
        Assert.Equal(400, ex.HttpStatusCode);
        Assert.Contains("Session ID unknown", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Receive_CloseBodyFromServer_EndsTheConnection()
    {
        var connection = await ConnectAsync(Options(), "0" + OpenJson());
        var receive = connection.ReceiveWithinAsync();
        (await _server.NextGetAsync()).Respond("1");

        var ex = await Assert.ThrowsAsync<EngineConnectionException>(() => receive);
        Assert.Equal(EngineConnectionError.ClosedByServer, ex.Error);
    }

    [Fact]
    public async Task Receive_PollWithoutAnswer_IsBoundedByThePollingRequestTimeout()
    {
        var connection = await ConnectAsync(Options(pollingTimeout: TimeSpan.FromMilliseconds(200)), "0" + OpenJson());
        var receive = connection.ReceiveWithinAsync();

        // The poll is taken and never answered.
        await _server.NextGetAsync();

        var ex = await Assert.ThrowsAsync<EngineConnectionException>(() => receive);
        Assert.Equal(EngineConnectionError.TransportError, ex.Error);
        Assert.Contains("PollingRequestTimeout", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Send_WhileAPostIsInFlight_BatchesTheRestIntoOnePost()
    {
        var connection = await ConnectAsync(Options(), "0" + OpenJson());

        var first = connection.SendPacketAsync("2[\"first\"]");
        var post1 = await _server.NextPostAsync();
        Assert.Equal("42[\"first\"]", post1.Body);
        var second = connection.SendPacketAsync("2[\"second\"]");
        var third = connection.SendPacketAsync("2[\"third\"]", [new byte[] { 0xDE, 0xAD }]);
        Assert.False(await _server.PostArrivesSoonAsync(), "a second POST while the first is in flight");
        Assert.False(second.IsCompleted);

        post1.RespondOk();
        await first.WaitAsync(TestTimeouts.Default);
        var post2 = await _server.NextPostAsync();
        Assert.Equal("42[\"second\"]\u001e42[\"third\"]\u001eb3q0=", post2.Body);
        post2.RespondOk();
        await Task.WhenAll(second, third).WaitAsync(TestTimeouts.Default);
    }

    [Fact]
    public async Task Send_V3_FramesWithUtf16Lengths_AndB4Binary()
    {
        var open = "0" + OpenJson();
        var connection = await ConnectAsync(Options(EngineRevisionSelection.V3), $"{open.Length}:{open}");

        var send = connection.SendPacketAsync("20[\"get\",{\"t\":\"é😀\"}]", [new byte[] { 0x68, 0x69 }]);
        var post = await _server.NextPostAsync();
        Assert.Equal("22:420[\"get\",{\"t\":\"é😀\"}]6:b4aGk=", post.Body);
        post.RespondOk();
        await send.WaitAsync(TestTimeouts.Default);
    }

    [Fact]
    public async Task Send_BatchesAreBoundedByMaxPayload()
    {
        var connection = await ConnectAsync(Options(), "0" + OpenJson(maxPayload: 30));

        var first = connection.SendPacketAsync("2[\"0\"]");
        var post1 = await _server.NextPostAsync();
        var rest = new Task[5];
        for (var i = 0; i < rest.Length; i++)
        {
            rest[i] = connection.SendPacketAsync($"2[\"{i + 1}\"]");
        }

        post1.RespondOk();
        var bodies = new System.Collections.Generic.List<string>();
        while (bodies.Count < 2)
        {
            var post = await _server.NextPostAsync();
            Assert.True(Encoding.UTF8.GetByteCount(post.Body!) <= 30, post.Body);
            bodies.Add(post.Body!);
            post.RespondOk();
        }

        // Three packets make 23 bytes; a fourth would make 31.
        Assert.Equal("42[\"1\"]\u001e42[\"2\"]\u001e42[\"3\"]", bodies[0]);
        Assert.Equal("42[\"4\"]\u001e42[\"5\"]", bodies[1]);
        await Task.WhenAll(rest).WaitAsync(TestTimeouts.Default);
        await first.WaitAsync(TestTimeouts.Default);
    }

    [Fact]
    public async Task Send_Answered413_FailsThoseSenders_AndKeepsTheSession()
    {
        var connection = await ConnectAsync(Options(), "0" + OpenJson());

        var send = connection.SendPacketAsync("2[\"big\"]");
        (await _server.NextPostAsync()).Respond(string.Empty, HttpStatusCode.RequestEntityTooLarge);
        await Assert.ThrowsAsync<EngineMessageTooLargeException>(() => send.WaitAsync(TestTimeouts.Default));
        Assert.True(connection.IsOpen);

        send = connection.SendPacketAsync("2[\"small\"]");
        var post = await _server.NextPostAsync();
        Assert.Equal("42[\"small\"]", post.Body);
        post.RespondOk();
        await send.WaitAsync(TestTimeouts.Default);
    }

    [Fact]
    public async Task Send_PacketLargerThanMaxPayloadOnceEncoded_IsRefusedBeforeAnythingIsSent()
    {
        var connection = await ConnectAsync(Options(), "0" + OpenJson(maxPayload: 30));

        // 24 bytes of binary are 32 in base64: within maxPayload raw, above it on the wire.
        var ex = await Assert.ThrowsAsync<EngineMessageTooLargeException>(() => connection.SendPacketAsync("2[\"x\"]", [new byte[24]]));
        Assert.Equal(30, ex.Limit);
        Assert.False(await _server.PostArrivesSoonAsync());
        Assert.True(connection.IsOpen);
    }

    [Fact]
    public async Task Connect_V4_AnsweredInRevision3Framing_IsRefused()
    {
        // Auto follows such an answer (Auto_ServerAnsweringInRevision3_IsSpokenTo_InRevision3); V4 means revision 4 only.
        var open = "0" + OpenJson();
        var strict = EngineConnection.ConnectAsync(Options());
        (await _server.NextGetAsync()).Respond($"{open.Length}:{open}");

        var ex = await Assert.ThrowsAsync<EngineConnectionException>(() => strict.WaitAsync(TestTimeouts.Default));
        Assert.Equal(EngineConnectionError.HandshakeRefused, ex.Error);
        Assert.Contains("revision 3 only", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Send_PostWhoseAnswerIsLost_MayHaveBeenDelivered_TheOnesQueuedBehindItWereNot()
    {
        var connection = await ConnectAsync(Options(), "0" + OpenJson());

        var sent = connection.SendPacketAsync("2[\"sent\"]");
        var post = await _server.NextPostAsync();
        var queued = connection.SendPacketAsync("2[\"queued\"]");
        post.Response.TrySetException(new HttpRequestException(HttpRequestError.ResponseEnded, "The response ended prematurely."));

        var lost = await Assert.ThrowsAsync<EngineConnectionException>(() => sent.WaitAsync(TestTimeouts.Default));
        Assert.True(lost.MayHaveBeenDelivered, "the POST went out: only its answer was lost");
        var notSent = await Assert.ThrowsAsync<EngineConnectionException>(() => queued.WaitAsync(TestTimeouts.Default));
        Assert.False(notSent.MayHaveBeenDelivered, "queued behind the failed POST, never posted");
        Assert.False(connection.IsOpen);
        Assert.False(await _server.PostArrivesSoonAsync(), "nothing is posted after the failure");
    }

    [Fact]
    public async Task Send_PostThatCouldNotConnect_WasNotDelivered()
    {
        var connection = await ConnectAsync(Options(), "0" + OpenJson());

        var send = connection.SendPacketAsync("2[\"x\"]");
        (await _server.NextPostAsync()).Response.TrySetException(new HttpRequestException(HttpRequestError.ConnectionError, "Connection refused"));

        var ex = await Assert.ThrowsAsync<EngineConnectionException>(() => send.WaitAsync(TestTimeouts.Default));
        Assert.False(ex.MayHaveBeenDelivered);
    }

    [Fact]
    public async Task Send_PostWithoutAnswerWithinTheTimeout_MayHaveBeenDelivered()
    {
        var connection = await ConnectAsync(Options(pollingTimeout: TimeSpan.FromMilliseconds(300)), "0" + OpenJson());

        var send = connection.SendPacketAsync("2[\"x\"]");
        _ = await _server.NextPostAsync();

        var ex = await Assert.ThrowsAsync<EngineConnectionException>(() => send.WaitAsync(TestTimeouts.Default));
        Assert.True(ex.MayHaveBeenDelivered);
    }

    [Fact]
    public async Task Send_PostFailing_EndsTheConnection()
    {
        var connection = await ConnectAsync(Options(), "0" + OpenJson());

        var send = connection.SendPacketAsync("2[\"x\"]");
        (await _server.NextPostAsync()).Respond("""{"code":1,"message":"Session ID unknown"}""", HttpStatusCode.BadRequest);

        var ex = await Assert.ThrowsAsync<EngineConnectionException>(() => send.WaitAsync(TestTimeouts.Default));
        Assert.Equal(EngineConnectionError.ClosedByServer, ex.Error);
        Assert.False(connection.IsOpen);
    }

    [Fact]
    public async Task Close_PostsTheClosePacket()
    {
        var connection = await ConnectAsync(Options(), "0" + OpenJson());
        var receive = connection.ReceiveWithinAsync();
        await _server.NextGetAsync();

        var close = connection.CloseAsync().AsTask();
        var post = await _server.NextPostAsync();
        Assert.Equal("1", post.Body);
        post.RespondOk();
        await close.WaitAsync(TestTimeouts.Default);

        // The pending poll is cancelled with the connection.
        await Assert.ThrowsAsync<EngineConnectionException>(() => receive);
        Assert.False(connection.IsOpen);
        Assert.Equal(EngineConnectionError.ClosedByClient, connection.CloseReason);
    }

    [Fact]
    public async Task Heartbeat_V3_ClientPingsEveryPingInterval_AndAServerSilentAfterAPingIsDead()
    {
        var clock = new ManualTimeProvider();
        var timer = new TimerSettings(TimeSpan.FromMilliseconds(100), clock);
        var open = "0" + OpenJson(pingInterval: 1000, pingTimeout: 500);
        var connection = await ConnectAsync(Options(EngineRevisionSelection.V3, timer), $"{open.Length}:{open}");
        var receive = connection.ReceiveWithinAsync();
        var poll = await _server.NextGetAsync();

        clock.Advance(TimeSpan.FromMilliseconds(900));
        Assert.False(await _server.PostArrivesSoonAsync(), "pinged before pingInterval");
        clock.Advance(TimeSpan.FromMilliseconds(200));
        var ping = await _server.NextPostAsync();
        Assert.Equal("1:2", ping.Body);
        ping.RespondOk();

        // The pong proves the server alive: no failure after pingTimeout. The receive swallows it and polls again.
        poll.Respond("1:3");
        await _server.NextGetAsync();
        clock.Advance(TimeSpan.FromMilliseconds(700));
        Assert.True(connection.IsOpen);

        // Next ping at 2.1 s; no answer within pingTimeout → dead.
        clock.Advance(TimeSpan.FromMilliseconds(400));
        var ping2 = await _server.NextPostAsync();
        Assert.Equal("1:2", ping2.Body);
        ping2.RespondOk();
        clock.Advance(TimeSpan.FromMilliseconds(600));
        var ex = await Assert.ThrowsAsync<EngineConnectionException>(() => receive);
        Assert.Equal(EngineConnectionError.PingTimeout, ex.Error);
    }
    [Fact]
    public async Task HugePingIntervalAndTimeout_PollsAndPostsWithABoundedRequestTimeout()
    {
        // pingInterval + pingTimeout + 5 s is past what a timer can wait (uint.MaxValue - 1 ms): the request bound is
        // clamped, not thrown as ArgumentOutOfRangeException ('delay') at the first poll or post.
        var connection = await ConnectAsync(Options(), "0" + OpenJson(pingInterval: int.MaxValue, pingTimeout: int.MaxValue));
        var receive = connection.ReceiveWithinAsync();
        var poll = await _server.NextGetAsync();
        poll.Respond("4hello");
        Assert.Equal("hello", Encoding.UTF8.GetString((await receive).Data.Span));

        var send = connection.SendPacketAsync("x");
        var post = await _server.NextPostAsync();
        Assert.Equal("4x", post.Body);
        post.RespondOk();
        await send.WaitAsync(TestTimeouts.Default);
    }

    [Fact]
    public async Task MaxPayloadOfOne_IsRefusedAtConnect_NotAtTheFirstSend()
    {
        var connect = EngineConnection.ConnectAsync(Options());
        (await _server.NextGetAsync()).Respond("0" + OpenJson(maxPayload: 1));
        var ex = await Assert.ThrowsAsync<EngineConnectionException>(() => connect.WaitAsync(TestTimeouts.Default));
        Assert.Equal(EngineConnectionError.ProtocolError, ex.Error);
        Assert.Contains("maxPayload", ex.Message, StringComparison.Ordinal);
    }
}
