using System;
using System.Collections.Concurrent;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Net.WebSockets;
using System.Security.Cryptography;
using System.Text;
using System.Threading;
using System.Threading.Channels;
using System.Threading.Tasks;
using Nerdbank.Streams;
using SailSocket.UnitTests.Infrastructure;

namespace SailSocket.UnitTests.Engine;

/// <summary>
/// Sits in front of a <see cref="ScriptedHttpHandler"/> and records the <c>Cookie</c> header of every request. WebSocket
/// handshakes (a GET with <c>Upgrade: websocket</c>) it answers itself with a real <c>101</c> over an in-memory duplex
/// stream, so a real <see cref="ClientWebSocket"/> connects through the same invoker as the polling requests, exactly as
/// with the shared <see cref="SocketsHttpHandler"/>; <see cref="UpgradeSetCookies"/> go on that answer.
/// </summary>
internal sealed class CookieRecordingHandler : DelegatingHandler
{
    private readonly Channel<WebSocket> _webSockets = Channel.CreateUnbounded<WebSocket>();

    public CookieRecordingHandler(HttpMessageHandler inner)
        : base(inner)
    {
    }

    /// <summary>Every request in arrival order: method, URL, whether it was a WebSocket handshake, and its Cookie header.</summary>
    public ConcurrentQueue<(HttpMethod Method, Uri Uri, bool WebSocket, string? Cookie)> Requests { get; } = new();

    /// <summary><c>Set-Cookie</c> values sent with the <c>101</c> answer of a WebSocket handshake.</summary>
    public string[] UpgradeSetCookies { get; set; } = [];

    /// <summary>The status a WebSocket handshake is answered with; anything but 101 refuses it.</summary>
    public HttpStatusCode UpgradeStatus { get; set; } = HttpStatusCode.SwitchingProtocols;

    public HttpMessageInvoker CreateInvoker() => new(this, disposeHandler: false);

    /// <summary>The server end of the next WebSocket the client opened, bounded by <see cref="TestTimeouts.Default"/>.</summary>
    public async Task<WebSocket> NextWebSocketAsync()
    {
        using var cts = new CancellationTokenSource(TestTimeouts.Default);
        return await _webSockets.Reader.ReadAsync(cts.Token);
    }

    /// <summary>The Cookie headers of the WebSocket handshakes so far; <c>(none)</c> for a handshake without one.</summary>
    public string[] WebSocketCookies => Requests.Where(r => r.WebSocket).Select(r => r.Cookie ?? "(none)").ToArray();

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var cookie = request.Headers.TryGetValues("Cookie", out var values) ? string.Join(" | ", values) : null;
        var isWebSocket = request.Headers.Upgrade.Any(u => string.Equals(u.Name, "websocket", StringComparison.OrdinalIgnoreCase));
        Requests.Enqueue((request.Method, request.RequestUri!, isWebSocket, cookie));
        return isWebSocket ? Task.FromResult(AcceptWebSocket(request)) : base.SendAsync(request, cancellationToken);
    }

    private HttpResponseMessage AcceptWebSocket(HttpRequestMessage request)
    {
        if (UpgradeStatus != HttpStatusCode.SwitchingProtocols)
        {
            var refused = new HttpResponseMessage(UpgradeStatus) { Content = new StringContent("refused") };
            refused.Headers.TryAddWithoutValidation("Set-Cookie", UpgradeSetCookies);
            return refused;
        }

        // RFC 6455 §4.2.2: the accept value proves the server read the key; the protocol fixes SHA-1.
        var key = request.Headers.GetValues("Sec-WebSocket-Key").Single();
#pragma warning disable CA5350 // Not a security use: RFC 6455 defines the accept value with SHA-1.
        var accept = Convert.ToBase64String(SHA1.HashData(Encoding.ASCII.GetBytes(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11")));
#pragma warning restore CA5350
        var (serverStream, clientStream) = FullDuplexStream.CreatePair();
        var response = new HttpResponseMessage(HttpStatusCode.SwitchingProtocols) { Content = new DuplexContent(clientStream) };
        response.Headers.Connection.Add("Upgrade");
        response.Headers.Upgrade.Add(new System.Net.Http.Headers.ProductHeaderValue("websocket"));
        response.Headers.TryAddWithoutValidation("Sec-WebSocket-Accept", accept);
        response.Headers.TryAddWithoutValidation("Set-Cookie", UpgradeSetCookies);
        _webSockets.Writer.TryWrite(WebSocket.CreateFromStream(serverStream, new WebSocketCreationOptions { IsServer = true, KeepAliveInterval = TimeSpan.Zero }));
        return response;
    }

    /// <summary>A response body that is the upgraded connection itself, readable and writable (ClientWebSocket requires both).</summary>
    private sealed class DuplexContent(Stream stream) : HttpContent
    {
        protected override Task SerializeToStreamAsync(Stream target, TransportContext? context) => throw new NotSupportedException();

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }

        protected override Stream CreateContentReadStream(CancellationToken cancellationToken) => stream;

        protected override Task<Stream> CreateContentReadStreamAsync() => Task.FromResult(stream);
    }
}
