using System;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Net.WebSockets;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using SailSocket.Engine;
using SailSocket.UnitTests.Infrastructure;
using Xunit;

namespace SailSocket.UnitTests.Engine;

/// <summary>
/// <see cref="EngineOptions.Cookies"/> through the transports: a <c>Set-Cookie</c> on the polling handshake, a poll or
/// the WebSocket handshake is stored, and every later request — polls, POSTs and the real <see cref="ClientWebSocket"/>
/// upgrade over the same invoker — sends it; refusal bodies that echo credentials are redacted.
/// </summary>
[Collection(RealTimeGroup.Name)]
public sealed class EngineConnectionCookieTests : IAsyncLifetime
{
    private const string Sid = "OZHYK8gTW-cT96K0AAAB";
    private const string Open = $$"""0{"sid":"{{Sid}}","upgrades":["websocket"],"pingInterval":25000,"pingTimeout":60000,"maxPayload":100000000}""";
    private static readonly Uri s_server = new("http://127.0.0.1:1");

    private readonly ScriptedHttpHandler _server = new();
    private readonly CookieRecordingHandler _recorder;
    private EngineConnection? _connection;

    public EngineConnectionCookieTests() => _recorder = new CookieRecordingHandler(_server);

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        await _server.DisposeConnectionAsync(_connection);
        _recorder.Dispose();
    }

    private EngineOptions Options(EngineTransports transports, CookieContainer? cookies, params (string Name, string Value)[] headers) => new()
    {
        Url = s_server,
        HttpInvoker = _recorder.CreateInvoker(),
        Transports = transports,
        Cookies = cookies,
        Headers = headers.Select(h => new System.Collections.Generic.KeyValuePair<string, string>(h.Name, h.Value)).ToArray(),
        Query = [new("token", "query-secret-token")],
        ConnectTimeout = TestTimeouts.Default,
        UpgradeTimeout = TestTimeouts.Default,
    };

    private static HttpResponseMessage Response(string body, HttpStatusCode status = HttpStatusCode.OK, params string[] setCookies)
    {
        var response = new HttpResponseMessage(status) { Content = new ByteArrayContent(Encoding.UTF8.GetBytes(body)) };
        response.Headers.TryAddWithoutValidation("Set-Cookie", setCookies);
        return response;
    }

    private string? LastCookie(HttpMethod method) => _recorder.Requests.Last(r => r.Method == method && !r.WebSocket).Cookie;

    [Fact]
    public async Task Polling_StoresTheHandshakeCookies_AndSendsThemOnEveryPollAndPost()
    {
        var jar = new CookieContainer();
        var connect = EngineConnection.ConnectAsync(Options(EngineTransports.Polling, jar));
        var handshake = await _server.NextGetAsync();
        Assert.Null(LastCookie(HttpMethod.Get));
        handshake.Response.TrySetResult(Response(Open, HttpStatusCode.OK, "AWSALB=node-7; Path=/", "io=abc123; Path=/; HttpOnly"));
        _connection = await connect.WaitAsync(TestTimeouts.Default);

        var receive = _connection.ReceiveWithinAsync();
        var poll = await _server.NextGetAsync();
        Assert.Equal("AWSALB=node-7; io=abc123", LastCookie(HttpMethod.Get));

        // A poll that rotates the sticky cookie: the next requests send the new value.
        poll.Response.TrySetResult(Response("40", HttpStatusCode.OK, "AWSALB=node-8; Path=/"));
        await receive;
        var send = _connection.SendPacketAsync("2[\"x\"]");
        (await _server.NextPostAsync()).RespondOk();
        await send.WaitAsync(TestTimeouts.Default);
        Assert.Equal("AWSALB=node-8; io=abc123", LastCookie(HttpMethod.Post));
        Assert.Equal(2, jar.Count);
    }

    [Fact]
    public async Task Polling_ExplicitCookieHeader_Wins_AndStoredCookiesOfOtherNamesFollow()
    {
        var jar = new CookieContainer();
        jar.Add(new Cookie("sails.sid", "stored", "/", "127.0.0.1"));
        jar.Add(new Cookie("lb", "node1", "/", "127.0.0.1"));
        var connect = EngineConnection.ConnectAsync(Options(EngineTransports.Polling, jar, ("Cookie", "sails.sid=mine")));
        (await _server.NextGetAsync()).Respond(Open);
        _connection = await connect.WaitAsync(TestTimeouts.Default);

        Assert.Equal("sails.sid=mine; lb=node1", LastCookie(HttpMethod.Get));
        Assert.All(_recorder.Requests, r => Assert.DoesNotContain(" | ", r.Cookie ?? string.Empty, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Polling_WithoutAContainer_StoresNothing_AndSendsOnlyTheExplicitCookie()
    {
        var connect = EngineConnection.ConnectAsync(Options(EngineTransports.Polling, cookies: null, ("Cookie", "s=1")));
        (await _server.NextGetAsync()).Response.TrySetResult(Response(Open, HttpStatusCode.OK, "lb=node1; Path=/"));
        _connection = await connect.WaitAsync(TestTimeouts.Default);

        var receive = _connection.ReceiveWithinAsync();
        (await _server.NextGetAsync()).Respond("40");
        await receive;
        Assert.Equal("s=1", LastCookie(HttpMethod.Get));
    }

    [Fact]
    public async Task PollingThenUpgrade_TheStickyCookieOfThePollingHandshake_TravelsWithTheUpgrade()
    {
        var jar = new CookieContainer();
        _recorder.UpgradeSetCookies = ["ws=after-upgrade; Path=/"];
        var connect = EngineConnection.ConnectAsync(Options(EngineTransports.PollingThenUpgrade, jar, ("Cookie", "user=explicit")));
        (await _server.NextGetAsync()).Response.TrySetResult(Response(Open, HttpStatusCode.OK, "AWSALB=node-7; Path=/"));
        _connection = await connect.WaitAsync(TestTimeouts.Default);
        var receive = _connection.ReceiveWithinAsync();
        var poll = await _server.NextGetAsync();

        var server = await _recorder.NextWebSocketAsync();
        Assert.Equal(["user=explicit; AWSALB=node-7"], _recorder.WebSocketCookies);
        Assert.Equal("2probe", await ReceiveTextAsync(server));
        await SendTextAsync(server, "3probe");

        // As the server does on a probe: release the pending poll with a noop. The client may have issued one more poll
        // before it paused; that one gets a noop too.
        poll.Respond("6");
        var five = ReceiveTextAsync(server);
        while (await Task.WhenAny(five, _server.NextGetAsync()) is Task<ScriptedHttpHandler.PendingRequest> another)
        {
            (await another).Respond("6");
        }

        Assert.Equal("5", await five);
        await _connection.UpgradeTask.WaitAsync(TestTimeouts.Default);
        Assert.Null(_connection.UpgradeError);
        Assert.Equal("websocket", _connection.Transport);

        // The cookie set on the 101 is stored too.
        Assert.Contains("ws=after-upgrade", jar.GetCookieHeader(s_server), StringComparison.Ordinal);
        await SendTextAsync(server, "42[\"over websocket\"]");
        Assert.Equal("2[\"over websocket\"]", Encoding.UTF8.GetString((await receive).Data.Span));
        server.Abort();
    }

    [Fact]
    public async Task WebSocket_HandshakeSendsTheStoredCookies_AndStoresTheOnesOfThe101()
    {
        var jar = new CookieContainer();
        jar.Add(new Cookie("sails.sid", "s%3Aabc", "/", "127.0.0.1"));
        jar.Add(new Cookie("elsewhere", "1", "/", "localhost"));
        _recorder.UpgradeSetCookies = ["io=from-101; Path=/"];
        var connect = EngineConnection.ConnectAsync(Options(EngineTransports.WebSocket, jar));
        var server = await _recorder.NextWebSocketAsync();
        await SendTextAsync(server, Open);
        _connection = await connect.WaitAsync(TestTimeouts.Default);

        Assert.Equal(["sails.sid=s%3Aabc"], _recorder.WebSocketCookies);
        Assert.Equal(["io=from-101", "sails.sid=s%3Aabc"], jar.GetCookieHeader(s_server).Split("; ").Order(StringComparer.Ordinal));
        server.Abort();
    }

    [Fact]
    public async Task PollingHandshakeRefused_WithABodyThatEchoesTheCredentials_ReportsItRedacted()
    {
        var jar = new CookieContainer();
        jar.Add(new Cookie("sails.sid", "stored-session-secret", "/", "127.0.0.1"));
        var connect = EngineConnection.ConnectAsync(Options(EngineTransports.Polling, jar, ("Authorization", "Bearer bearer-secret-token"), ("Cookie", "explicit=explicit-secret")));
        var handshake = await _server.NextGetAsync();
        var echo = $"denied: cookie={LastCookie(HttpMethod.Get)} auth=Bearer bearer-secret-token url={handshake.Uri.PathAndQuery}";
        handshake.Response.TrySetResult(Response(echo, HttpStatusCode.Forbidden));

        var ex = await Assert.ThrowsAsync<EngineConnectionException>(() => connect.WaitAsync(TestTimeouts.Default));
        Assert.Equal(EngineConnectionError.HandshakeRefused, ex.Error);
        Assert.Equal(403, ex.HttpStatusCode);
        foreach (var text in new[] { ex.Message, ex.HttpResponseBody!, ex.ToString() })
        {
            Assert.Contains("denied", text, StringComparison.Ordinal);
            Assert.Contains(SecretRedaction.Placeholder, text, StringComparison.Ordinal);
            foreach (var secret in new[] { "stored-session-secret", "bearer-secret-token", "explicit-secret", "query-secret-token" })
            {
                Assert.DoesNotContain(secret, text, StringComparison.Ordinal);
            }
        }
    }

    [Fact]
    public async Task PollRefused_WithABodyThatEchoesTheSessionCookie_ReportsItRedacted()
    {
        var jar = new CookieContainer();
        var connect = EngineConnection.ConnectAsync(Options(EngineTransports.Polling, jar));
        (await _server.NextGetAsync()).Response.TrySetResult(Response(Open, HttpStatusCode.OK, "sails.sid=session-from-server; Path=/"));
        _connection = await connect.WaitAsync(TestTimeouts.Default);

        var receive = _connection.ReceiveWithinAsync();
        (await _server.NextGetAsync()).Response.TrySetResult(Response("{\"message\":\"bad session session-from-server\"}", HttpStatusCode.BadRequest));
        var ex = await Assert.ThrowsAsync<EngineConnectionException>(() => receive);
        Assert.DoesNotContain("session-from-server", ex.ToString(), StringComparison.Ordinal);
        Assert.Contains("bad session " + SecretRedaction.Placeholder, ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Cookie", "a=1\r\nX-Injected: 1")]
    [InlineData("Cookie", "a=\u00e9")]
    [InlineData("Cookie", "a=1\n")]
    [InlineData("X-Token\r\nX-Injected", "1")]
    [InlineData("Authorization", "Bearer \u0000abc")]
    public async Task HeaderWithCrLfOrNonAscii_IsRefusedBeforeAnyRequest(string name, string value)
    {
        foreach (var transports in new[] { EngineTransports.Polling, EngineTransports.WebSocket, EngineTransports.PollingThenUpgrade })
        {
            var ex = await Assert.ThrowsAsync<ArgumentException>(() => EngineConnection.ConnectAsync(Options(transports, new CookieContainer(), (name, value))).WaitAsync(TestTimeouts.Default));
            if (value.Length > 3)
            {
                Assert.DoesNotContain(value, ex.Message, StringComparison.Ordinal);
            }
        }

        Assert.Empty(_recorder.Requests);
    }

    [Theory]
    [InlineData("/socket.io/\r\nX-Injected: 1")]
    [InlineData("/sock\u00e9t/")]
    [InlineData("/socket.io/\u0000")]
    public async Task PathWithControlOrNonAsciiCharacters_IsRefusedBeforeAnyRequest(string path)
    {
        var options = new EngineOptions { Url = s_server, HttpInvoker = _recorder.CreateInvoker(), Transports = EngineTransports.Polling, Path = path };
        await Assert.ThrowsAsync<ArgumentException>(() => EngineConnection.ConnectAsync(options).WaitAsync(TestTimeouts.Default));
        Assert.Empty(_recorder.Requests);
    }

    [Fact]
    public async Task QueryWithCrLf_IsPercentEncoded_NeverRaw()
    {
        var connect = EngineConnection.ConnectAsync(new EngineOptions
        {
            Url = s_server,
            HttpInvoker = _recorder.CreateInvoker(),
            Transports = EngineTransports.Polling,
            Query = [new("x\r\ny", "a\r\nb c")],
            ConnectTimeout = TestTimeouts.Default,
        });
        var handshake = await _server.NextGetAsync();
        Assert.DoesNotContain('\r', handshake.Uri.OriginalString);
        Assert.DoesNotContain('\n', handshake.Uri.OriginalString);
        Assert.Contains("x%0D%0Ay=a%0D%0Ab%20c&", handshake.Uri.Query, StringComparison.Ordinal);
        handshake.Respond(Open);
        _connection = await connect.WaitAsync(TestTimeouts.Default);
    }

    private static async Task SendTextAsync(WebSocket socket, string text)
    {
        using var cts = new CancellationTokenSource(TestTimeouts.Default);
        await socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, endOfMessage: true, cts.Token);
    }

    private static async Task<string> ReceiveTextAsync(WebSocket socket)
    {
        using var cts = new CancellationTokenSource(TestTimeouts.Default);
        var buffer = new byte[4096];
        var count = 0;
        while (true)
        {
            var result = await socket.ReceiveAsync(buffer.AsMemory(count), cts.Token);
            count += result.Count;
            if (result.EndOfMessage)
            {
                return Encoding.UTF8.GetString(buffer, 0, count);
            }
        }
    }
}
