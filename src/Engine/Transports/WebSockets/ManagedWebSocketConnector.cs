using System;
using System.Buffers;
using System.Collections.Generic;
using System.IO;
using System.Net;
using System.Net.Http;
using System.Net.Security;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace SailSocket.Engine.Transports.WebSockets;

/// <summary>
/// Opens a WebSocket without <see cref="ClientWebSocket"/> (<see cref="EngineWebSocketEngine.Managed"/>): a TCP
/// connection to the host (every address DNS gives, in turn), TLS for <c>wss</c> validated by the system's rules (or
/// <see cref="EngineOptions.RemoteCertificateValidationCallback"/>), the
/// HTTP/1.1 upgrade written and read here (<see cref="WebSocketUpgradeRequest"/>, <see cref="WebSocketUpgradeResponseReader"/>),
/// then an <see cref="OwnedWebSocket"/> (SailSocket's own RFC 6455 framing) over a <see cref="CoalescingStream"/>.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item>Bounded by the caller's token (the connect or upgrade bound): DNS, TCP, TLS, the request and the response.</item>
/// <item>As strict as the BCL: status 101, <c>Upgrade: websocket</c>, <c>Connection: upgrade</c>, the exact
/// <c>Sec-WebSocket-Accept</c>, no extension or subprotocol the client did not ask for, a head of at most 64 KiB.</item>
/// <item>A refusal's body is read from the same answer (at most <see cref="PollingTransport.MaxErrorBodyLength"/> bytes,
/// while the bound lasts) and redacted (<see cref="SecretRedaction"/>) before it reaches a message.</item>
/// <item>An idle socket holds no buffer of its own: the head buffer is returned once read (or handed to the stream for
/// frames that came behind it, and returned when they are read).</item>
/// </list>
/// </remarks>
internal static class ManagedWebSocketConnector
{
    /// <summary>First buffer for the response head: an Engine.IO server's 101 is about 130 bytes, a refusal a few hundred.</summary>
    private const int InitialHeadBuffer = 1024;

    /// <summary>
    /// Whether the managed engine can serve <paramref name="uri"/>: not when the system proxy applies to it (the connector
    /// opens a direct connection; <see cref="ClientWebSocket"/> through the HTTP handler tunnels instead).
    /// </summary>
    public static bool CanConnectDirectly(Uri uri)
    {
        try
        {
            var http = EngineCookies.ToHttp(uri);
            var proxy = HttpClient.DefaultProxy;
            return proxy.IsBypassed(http) || proxy.GetProxy(http) is null || proxy.GetProxy(http) == http;
        }
#pragma warning disable CA1031 // A proxy that cannot answer: leave the decision to the HTTP handler.
        catch (Exception)
#pragma warning restore CA1031
        {
            return false;
        }
    }

    /// <summary>Opens the WebSocket of handshake URL <paramref name="uri"/>.</summary>
    /// <param name="options">Headers, cookies, query (for redaction), buffer pool.</param>
    /// <param name="uri">The <c>ws</c>/<c>wss</c> handshake URL.</param>
    /// <param name="readRefusalBody">Whether a refusal's body is read for the message.</param>
    /// <param name="cancellationToken">The bound on the whole attempt.</param>
    /// <returns>The open WebSocket (the caller disposes it) and the stream under it.</returns>
    /// <exception cref="EngineConnectionException">Refused, redirected, closed without an answer, or a malformed answer.</exception>
    /// <exception cref="SocketException">The host could not be reached.</exception>
    /// <exception cref="System.Security.Authentication.AuthenticationException">TLS failed (an untrusted certificate).</exception>
    public static async ValueTask<(WebSocket WebSocket, CoalescingStream Stream)> ConnectAsync(EngineOptions options, Uri uri, bool readRefusalBody, CancellationToken cancellationToken)
    {
        // The host string of the options' URL when it is the same host: one string for all the sockets of a client,
        // which the connected socket's DnsEndPoint and the TLS options keep, rather than one per handshake URL.
        var named = options.Url is { } url && url.Host == uri.Host ? url : uri;
        var host = named.HostNameType == UriHostNameType.Dns ? named.IdnHost : named.Host.Trim('[', ']');
        if (options.ReceiveThread)
        {
            // The name is looked up here, asynchronously under the token (a blocking lookup on the thread could not be
            // aborted); then the socket's own thread opens it with blocking calls, and serves its reads.
            var addresses = IPAddress.TryParse(host, out var literal) ? [literal] : await Dns.GetHostAddressesAsync(host, cancellationToken).ConfigureAwait(false);
            if (addresses.Length == 0)
            {
                throw new SocketException((int)SocketError.HostNotFound);
            }

            return await SocketReceiveThread.Start(thread => ConnectCoreAsync(options, uri, host, addresses, readRefusalBody, thread, cancellationToken).AsTask()).ConfigureAwait(false);
        }

        return await ConnectCoreAsync(options, uri, host, addresses: null, readRefusalBody, receiveThread: null, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The connect itself; with <paramref name="receiveThread"/>, run on that thread with blocking calls.</summary>
    /// <param name="options">As <see cref="ConnectAsync"/>.</param>
    /// <param name="uri">As <see cref="ConnectAsync"/>.</param>
    /// <param name="host">The host name (or address) to connect to and to check the certificate against.</param>
    /// <param name="addresses">With <paramref name="receiveThread"/>: <paramref name="host"/>'s addresses, tried in turn.</param>
    /// <param name="readRefusalBody">As <see cref="ConnectAsync"/>.</param>
    /// <param name="receiveThread">The socket's own thread, or <see langword="null"/>.</param>
    /// <param name="cancellationToken">As <see cref="ConnectAsync"/>.</param>
    private static async ValueTask<(WebSocket WebSocket, CoalescingStream Stream)> ConnectCoreAsync(
        EngineOptions options, Uri uri, string host, IPAddress[]? addresses, bool readRefusalBody, SocketReceiveThread? receiveThread, CancellationToken cancellationToken)
    {
        var where = uri.GetLeftPart(UriPartial.Path);
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        ConnectPortSelection.Apply(socket);
        Stream? stream = null;
        byte[]? head = null;
        try
        {
            if (receiveThread is null)
            {
                await socket.ConnectAsync(new DnsEndPoint(host, uri.Port), cancellationToken).ConfigureAwait(false);
            }
            else
            {
                SocketStream.ConnectBlocking(socket, addresses!, uri.Port, cancellationToken);
            }

            var plain = new SocketStream(socket, receiveThread);
            stream = plain;
            if (uri.Scheme is "wss" or "https")
            {
                var tls = new SslStream(stream, leaveInnerStreamOpen: false);
                stream = tls;
                await tls.AuthenticateAsClientAsync(
                    new SslClientAuthenticationOptions { TargetHost = host, CertificateRevocationCheckMode = System.Security.Cryptography.X509Certificates.X509RevocationMode.NoCheck, RemoteCertificateValidationCallback = options.RemoteCertificateValidationCallback },
                    cancellationToken).ConfigureAwait(false);
            }

            var key = WebSocketUpgradeRequest.NewKey();
            var cookie = EngineCookies.BuildHeader(options.Headers, options.Cookies, uri);
            var request = new ArrayBufferWriter<byte>(512);
            WebSocketUpgradeRequest.Write(request, uri, key, options.Headers, cookie);
            await stream.WriteAsync(request.WrittenMemory, cancellationToken).ConfigureAwait(false);

            head = options.BufferPool.Rent(InitialHeadBuffer);
            var count = 0;
            WebSocketUpgradeResponse response;
            while (true)
            {
                if (count == head.Length)
                {
                    var larger = options.BufferPool.Rent(Math.Min(head.Length * 2, WebSocketUpgradeResponseReader.MaxHeadLength + 4));
                    head.AsSpan(0, count).CopyTo(larger);
                    options.BufferPool.Return(head);
                    head = larger;
                }

                var read = await stream.ReadAsync(head.AsMemory(count), cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    // What an Engine.IO server does (after its destroyUpgradeTimeout) to an upgrade on a path it does not serve.
                    throw new EngineConnectionException(
                        EngineConnectionError.Unreachable,
                        $"The server at {where} closed the connection without answering the handshake (an Engine.IO server does this to a WebSocket upgrade on a path it does not serve: check the path; so may a proxy that passes only plain HTTP).");
                }

                count += read;
                bool complete;
                try
                {
                    complete = WebSocketUpgradeResponseReader.TryRead(head.AsSpan(0, count), out response);
                }
                catch (EngineProtocolException ex)
                {
                    throw new EngineConnectionException(EngineConnectionError.ProtocolError, $"The server at {where} answered the WebSocket handshake with a malformed HTTP response: {ex.Message}", ex);
                }

                if (complete)
                {
                    break;
                }
            }

            if (response.StatusCode != 101)
            {
                throw await RefusalAsync(options, uri, where, cookie, stream, head, count, response, readRefusalBody, cancellationToken).ConfigureAwait(false);
            }

            Validate(head.AsSpan(0, response.HeadLength), response, key, where);
            if (options.Cookies is { } jar)
            {
                EngineCookies.Store(jar, uri, WebSocketUpgradeResponseReader.GetValues(head.AsSpan(0, response.HeadLength), "Set-Cookie"u8));
            }

            // Frames that came with the head are read first; the head buffer goes with them, or back to the pool now.
            var coalescing = new CoalescingStream(stream, options.BufferPool, head, response.HeadLength, count)
            {
                ReceiveThread = receiveThread,
            };
            head = null;
            stream = coalescing;
            var webSocket = new OwnedWebSocket(coalescing, options.BufferPool);
            receiveThread?.Serve(plain);
            stream = null;
            return (webSocket, coalescing);
        }
        catch
        {
            if (head is not null)
            {
                options.BufferPool.Return(head);
            }

            if (stream is not null)
            {
                await stream.DisposeAsync().ConfigureAwait(false);
            }
            else
            {
                socket.Dispose();
            }

            throw;
        }
    }

    /// <summary>RFC 6455 §4.1, the client's checks of the server's handshake (items 1–6).</summary>
    private static void Validate(ReadOnlySpan<byte> head, WebSocketUpgradeResponse response, string key, string where)
    {
        string? problem = null;
        if (!response.UpgradeIsWebSocket)
        {
            problem = "its Upgrade header is not 'websocket'";
        }
        else if (!response.ConnectionHasUpgrade)
        {
            problem = "its Connection header does not hold 'upgrade'";
        }
        else if (response.AcceptStart < 0)
        {
            problem = "it has no Sec-WebSocket-Accept header";
        }
        else
        {
            Span<byte> expected = stackalloc byte[WebSocketUpgradeRequest.AcceptLength];
            WebSocketUpgradeRequest.ComputeAccept(key, expected);
            if (!head.Slice(response.AcceptStart, response.AcceptLength).SequenceEqual(expected))
            {
                problem = "its Sec-WebSocket-Accept does not match the key sent";
            }
            else if (response.HasExtensions)
            {
                problem = "it names a WebSocket extension the client did not ask for";
            }
            else if (response.HasSubProtocol)
            {
                problem = "it names a subprotocol the client did not ask for";
            }
        }

        if (problem is not null)
        {
            throw new EngineConnectionException(EngineConnectionError.ProtocolError, $"The server at {where} switched protocols but {problem} (RFC 6455 §4.1).");
        }
    }

    /// <summary>The exception for a non-101 answer: a redirect named by origin only, or a refusal with its redacted body.</summary>
    private static async ValueTask<EngineConnectionException> RefusalAsync(
        EngineOptions options, Uri uri, string where, string? cookie, Stream stream, byte[] head, int count, WebSocketUpgradeResponse response, bool readBody, CancellationToken cancellationToken)
    {
        var status = response.StatusCode;
        if (HandshakeRedirect.Is(status))
        {
            var location = response.LocationStart < 0 ? null : Encoding.Latin1.GetString(head, response.LocationStart, response.LocationLength);
            return HandshakeRedirect.Refusal("WebSocket", where, status, location, uri);
        }

        string? body = null;
        if (readBody && status is >= 400 and <= 599 && !response.IsChunked && response.ContentLength != 0)
        {
            body = await ReadBodyAsync(options, cookie, stream, head, count, response, cancellationToken).ConfigureAwait(false);
        }

        return new EngineConnectionException(
            EngineConnectionError.HandshakeRefused,
            $"The server refused the WebSocket handshake at {where} with HTTP {WebSocketUpgradeResponseReader.Format(status)}" + (body is null ? "." : $": {body}"),
            null,
            status)
        { HttpResponseBody = body };
    }

    /// <summary>Reads at most <see cref="PollingTransport.MaxErrorBodyLength"/> bytes of a refusal's body, best effort, and redacts it.</summary>
    private static async ValueTask<string?> ReadBodyAsync(EngineOptions options, string? cookie, Stream stream, byte[] head, int count, WebSocketUpgradeResponse response, CancellationToken cancellationToken)
    {
        var limit = PollingTransport.MaxErrorBodyLength;
        var wanted = response.ContentLength < 0 ? limit : (int)Math.Min(response.ContentLength, limit);
        var body = new byte[wanted];
        var have = Math.Min(count - response.HeadLength, wanted);
        head.AsSpan(response.HeadLength, have).CopyTo(body);
        try
        {
            using var deadline = new CancellationTokenSource(WebSocketRefusal.Timeout, options.TimeProvider);
            using var bound = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
            while (have < wanted)
            {
                var read = await stream.ReadAsync(body.AsMemory(have), bound.Token).ConfigureAwait(false);
                if (read == 0)
                {
                    break;
                }

                have += read;
            }
        }
#pragma warning disable CA1031 // Diagnostics only: the refusal is reported with what arrived.
        catch (Exception)
#pragma warning restore CA1031
        {
        }

        var text = Encoding.UTF8.GetString(body, 0, have);
        var sent = new List<KeyValuePair<string, string>>(options.Headers);
        if (cookie is not null)
        {
            sent.Add(new("Cookie", cookie));
        }

        sent.AddRange(options.RedactedHeaders);
        text = SecretRedaction.Redact(text, sent, options.Query, truncated: have >= limit && response.ContentLength != have).Trim();
        return text.Length == 0 ? null : text;
    }
}
