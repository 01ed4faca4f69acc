using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Net.Http;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;
using System.Security.Authentication;
using System.Threading;
using System.Threading.Tasks;
using SailSocket.Engine.Diagnostics;
using SailSocket.Engine.Protocol;
using SailSocket.Engine.Transports;
using SailSocket.Engine.Transports.WebSockets;

namespace SailSocket.Engine;

/// <summary>
/// One Engine.IO session (revision 3 or 4) over a WebSocket or HTTP long-polling, optionally upgraded from polling to
/// WebSocket: handshake, heartbeat, whole messages in both directions, close.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item><see cref="ReceiveAsync"/>: one caller at a time (the layer above runs one receive loop). Heartbeat pings are
/// answered inside it, so keep it running.</item>
/// <item><see cref="SendAsync(EngineMessageWriter, IReadOnlyList{ReadOnlyMemory{byte}}, CancellationToken)"/>: safe to call concurrently; messages go out one at a time, in the order the send lock
/// is acquired.</item>
/// <item>Revision 4: a server that stops pinging for pingInterval + pingTimeout is declared dead by a tick of the heartbeat timer (<see cref="EngineOptions.TimerResolution"/>).
/// Revision 3: the client pings every pingInterval from the timer, and a server that sends nothing within pingTimeout of a ping is dead.
/// Either way
/// the connection is aborted and every operation fails with <see cref="EngineConnectionException"/>
/// (<see cref="EngineConnectionError.PingTimeout"/>).</item>
/// <item><see cref="DisposeAsync"/> is idempotent and safe to call at any time.</item>
/// </list>
/// </remarks>
public sealed partial class EngineConnection : IAsyncDisposable, ISendErrorMap
{
    private static readonly TimeSpan s_closeTimeout = TimeSpan.FromSeconds(2);

    /// <summary>Which revision each server (scheme, host, port, path) answered with under <see cref="EngineRevisionSelection.Auto"/>.</summary>
    private static readonly ConcurrentDictionary<string, EngineRevision> s_revisions = new(StringComparer.Ordinal);

    // A WebSocket-only connection without a shared handler: ClientWebSocket's own handler follows redirects, so it gets
    // this one (never disposed, as ClientWebSocket's own default handler is not): a 3xx handshake is refused, not followed.
    private static readonly Lazy<HttpMessageInvoker> s_webSocketInvoker = new(() => OwnedHttpHandler.Create(OwnedHttpHandler.Use.WebSocket, useCookies: false, validate: null));

    private readonly EngineOptions _options;

    /// <summary>The handler this connection created because the options gave none; disposed with the connection.</summary>
    private readonly HttpMessageInvoker? _ownedInvoker;

    /// <summary>The transport packets go through: the WebSocket, or polling until an upgrade completes.</summary>
    private IEngineTransport _transport;

    /// <summary>The first error that ended the connection; <see langword="null"/> while it is open.</summary>
    private EngineConnectionException? _closeError;
    private int _disposed;

    private EngineConnection(EngineOptions options, IEngineTransport transport, EngineHandshake handshake, EngineRevision revision, HttpMessageInvoker? ownedInvoker)
    {
        _options = options;
        _transport = transport;
        _ownedInvoker = ownedInvoker;
        _polling = transport as PollingTransport;
        if (transport is WebSocketTransport webSocket)
        {
            webSocket.MapSendError = this;
        }

        Handshake = handshake;
        Revision = revision;
        StartHeartbeatWatchdog();
    }

    /// <summary>The Engine.IO revision of this session (3 carries Socket.IO protocol 4, 4 carries protocol 5).</summary>
    public EngineRevision Revision { get; }

    /// <summary>The transport in use right now: <c>websocket</c> or <c>polling</c>.</summary>
    public string Transport => Volatile.Read(ref _transport).Name;

    /// <summary>Whether the transport in use is a WebSocket opened by <see cref="EngineWebSocketEngine.Managed"/> (tests).</summary>
    internal bool UsesManagedWebSocket => Volatile.Read(ref _transport) is WebSocketTransport { CanBatch: true };

    /// <summary>The server's open packet.</summary>
    public EngineHandshake Handshake { get; }

    /// <summary>Whether the connection is open: no error has ended it and it has not been closed.</summary>
    public bool IsOpen => Volatile.Read(ref _closeError) is null;

    /// <summary>Why the connection ended; <see langword="null"/> while it is open.</summary>
    public EngineConnectionError? CloseReason => Volatile.Read(ref _closeError)?.Error;

    /// <summary>A read-only view of this connection, for the layers above to show without handing out the connection.</summary>
    public EngineConnectionInfo Info => new(this);

    /// <summary>
    /// Opens a connection with the configured transports and revision (<see cref="EngineOptions.Transports"/>,
    /// <see cref="EngineOptions.Revision"/>): a WebSocket handshake then the open packet, or a polling handshake GET whose
    /// body starts with it. With <see cref="EngineTransports.PollingThenUpgrade"/> the upgrade to WebSocket starts in the
    /// background once connected.
    /// </summary>
    /// <param name="options">Where and how to connect.</param>
    /// <param name="cancellationToken">Cancels the attempt.</param>
    /// <returns>The open connection; the caller disposes it.</returns>
    /// <exception cref="ArgumentException">The options are invalid.</exception>
    /// <exception cref="EngineConnectionException">The server is unreachable, refused the handshake (with its HTTP status and
    /// <see cref="EngineConnectionException.HttpResponseBody"/>), or does not speak Engine.IO.</exception>
    /// <exception cref="EngineTimeoutException">No open packet within <see cref="EngineOptions.ConnectTimeout"/>.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public static async Task<EngineConnection> ConnectAsync(EngineOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var where = EngineUri.Build(options, EngineRevision.V4, options.Transports == EngineTransports.WebSocket, null).GetLeftPart(UriPartial.Path);
        // One key per server whatever the transport: the http(s) form of the endpoint.
        var revisionKey = EngineUri.Build(options, EngineRevision.V4, webSocket: false, null).GetLeftPart(UriPartial.Path);
        var revision = options.Revision switch
        {
            EngineRevisionSelection.V3 => EngineRevision.V3,
            EngineRevisionSelection.Auto when s_revisions.TryGetValue(revisionKey, out var known) => known,
            _ => EngineRevision.V4,
        };

        using var deadline = new CancellationTokenSource(options.ConnectTimeout, options.TimeProvider);
        using var bound = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);

        // Polling needs an HTTP handler of its own when none is shared; so does a WebSocket-only connection with its own
        // certificate validation. Otherwise a WebSocket-only connection uses the one static handler.
        var ownedInvoker = options.HttpInvoker is not null ? null
            : options.Transports != EngineTransports.WebSocket ? OwnedHttpHandler.Create(options, OwnedHttpHandler.Use.Polling)
            : options.RemoteCertificateValidationCallback is not null ? OwnedHttpHandler.Create(options, OwnedHttpHandler.Use.WebSocket)
            : null;
        try
        {
            EngineConnection connection;
            try
            {
                connection = await OpenAsync(options, revision, ownedInvoker, bound.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (
                options.Revision == EngineRevisionSelection.Auto && revision == EngineRevision.V4
                && (ex is EngineProtocolException || ex is EngineConnectionException { Error: EngineConnectionError.HandshakeRefused or EngineConnectionError.NotEngineIo }))
            {
                // Automatic selection: a server that refuses revision 4 may speak 3 (docs/protocol.md §2.1, §2.9).
                connection = await OpenAsync(options, EngineRevision.V3, ownedInvoker, bound.Token).ConfigureAwait(false);
            }

            if (options.Revision == EngineRevisionSelection.Auto)
            {
                s_revisions[revisionKey] = connection.Revision;
            }

            return connection;
        }
        catch (Exception ex)
        {
            ownedInvoker?.Dispose();
            cancellationToken.ThrowIfCancellationRequested();
            if (bound.IsCancellationRequested)
            {
                throw new EngineTimeoutException($"No Engine.IO open packet from {where} within {options.ConnectTimeout.TotalSeconds:0.###} s (EngineOptions.ConnectTimeout).");
            }

            throw ex switch
            {
                EngineConnectionException => ex,
                EngineProtocolException => new EngineConnectionException(EngineConnectionError.NotEngineIo, $"The server at {where} does not speak Engine.IO: {ex.Message}", ex),
                _ => MapConnectError(ex, where),
            };
        }
    }

    /// <summary>One connect attempt with one revision over the configured first transport.</summary>
    private static async Task<EngineConnection> OpenAsync(EngineOptions options, EngineRevision revision, HttpMessageInvoker? ownedInvoker, CancellationToken cancellationToken)
    {
        var invoker = options.HttpInvoker ?? ownedInvoker ?? s_webSocketInvoker.Value;
        if (options.Transports != EngineTransports.WebSocket)
        {
            var (polling, pollingHandshake) = await PollingTransport.ConnectAsync(invoker!, options, revision, cancellationToken).ConfigureAwait(false);
            if (MaxPayloadTooSmall(pollingHandshake) is { } tooSmall)
            {
                polling.ReleaseReceiveBuffer();
                polling.Dispose();
                throw tooSmall;
            }

            var connection = new EngineConnection(options, polling, pollingHandshake, polling.Revision, ownedInvoker);
            if (options.Transports == EngineTransports.PollingThenUpgrade && pollingHandshake.Upgrades.Contains("websocket"))
            {
                connection.StartUpgrade(invoker);
            }

            return connection;
        }

        var uri = EngineUri.Build(options, revision, webSocket: true, sessionId: null);
        WebSocket? webSocket = null;
        WebSocketTransport? transport = null;
        try
        {
            // Under automatic selection a refused revision 4 is retried with 3: only that refusal is reported.
            var readRefusalBody = !(options.Revision == EngineRevisionSelection.Auto && revision == EngineRevision.V4);
            (webSocket, var stream) = await OpenWebSocketAsync(options, uri, invoker, readRefusalBody, cancellationToken).ConfigureAwait(false);
            transport = new WebSocketTransport(webSocket, options.BufferPool, options.MaxMessageSize, revision, stream);
            var first = await transport.ReceiveAsync(cancellationToken).ConfigureAwait(false);
            options.FrameObserver?.OnReceived(first.Data.Span, first.IsBinary);
            var handshake = ReadOpenPacket(first);
            transport.ReleaseReceiveBuffer();
            if (MaxPayloadTooSmall(handshake) is { } tooSmall)
            {
                throw tooSmall;
            }

            return new EngineConnection(options, transport, handshake, revision, ownedInvoker);
        }
        catch
        {
            if (transport is not null)
            {
                transport.ReleaseReceiveBuffer();
                transport.Dispose();
            }
            else
            {
                webSocket?.Dispose();
            }

            throw;
        }
    }

    /// <summary>Receives the next message packet; answers heartbeats and skips noops on the way.</summary>
    /// <param name="cancellationToken">Cancelling aborts the connection (as it does for a WebSocket receive).</param>
    /// <returns>The message; its memory is valid until the next call.</returns>
    /// <exception cref="EngineConnectionException">The connection ended; <see cref="EngineConnectionException.Error"/> says why.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    /// <remarks>Await the result once (a pooled state machine: it goes back to the pool when the result is read).</remarks>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<EngineMessage> ReceiveAsync(CancellationToken cancellationToken = default)
    {
        while (true)
        {
            ThrowIfClosed();
            TransportMessage message;
            try
            {
                message = await Volatile.Read(ref _transport).ReceiveAsync(cancellationToken).ConfigureAwait(false);
                if (message.IsPaused)
                {
                    // Polling has handed over everything it received; the rest comes on the upgraded WebSocket.
                    await _switched!.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
                    continue;
                }
            }
            catch (Exception ex)
            {
                if (cancellationToken.IsCancellationRequested)
                {
                    Fail(new EngineConnectionException(EngineConnectionError.ClosedByClient, "The receive was cancelled, which aborts the connection."));
                    throw new OperationCanceledException(cancellationToken);
                }

                throw Fail(ex switch
                {
                    EngineConnectionException connectionError => connectionError,
                    EngineProtocolException protocolError => ProtocolError(protocolError),
                    _ => new EngineConnectionException(EngineConnectionError.TransportError, $"The connection broke: {ex.Message}", ex),
                });
            }

            OnPacketReceived();
            EngineMetrics.Received(message.Data.Length);
            if (message.IsClose)
            {
                throw Fail(new EngineConnectionException(EngineConnectionError.ClosedByServer, "The server closed the connection."));
            }

            _options.FrameObserver?.OnReceived(message.Data.Span, message.IsBinary);

            if (message.IsBinary)
            {
                return new EngineMessage(isBinary: true, message.Data);
            }

            var data = message.Data;
            if (data.IsEmpty)
            {
                throw Fail(ProtocolError(new EngineProtocolException("Empty text message: an Engine.IO packet needs a type character.", 0)));
            }

            switch (data.Span[0])
            {
                case (byte)'4':
                    return new EngineMessage(isBinary: false, data[1..]);
                case (byte)'b':
                    try
                    {
                        return new EngineMessage(isBinary: true, EngineBinaryPacket.Decode(data.Span, Revision));
                    }
                    catch (EngineProtocolException ex)
                    {
                        throw Fail(ProtocolError(ex));
                    }

                case (byte)'2' when Revision == EngineRevision.V4:
                    await OnPingAsync(data[1..], cancellationToken).ConfigureAwait(false);
                    break;
                case (byte)'3' or (byte)'6':
                    break;
                case (byte)'1':
                    throw Fail(new EngineConnectionException(EngineConnectionError.ClosedByServer, "The server sent an Engine.IO close packet."));
                default:
                    throw Fail(ProtocolError(new EngineProtocolException($"Unknown or unexpected Engine.IO packet type 0x{data.Span[0]:X2}.", 0)));
            }
        }
    }

    /// <summary>
    /// Gathers the messages the calling thread sends from now until <see cref="EndSendBatch"/> into one network write
    /// (on a WebSocket of the managed engine; elsewhere nothing changes). Their sends complete as they are gathered.
    /// </summary>
    /// <returns>Whether a batch was opened; call <see cref="EndSendBatch"/> on the same thread only if it was. False when
    /// the transport cannot gather or another thread's batch is open.</returns>
    /// <remarks>For code that sends several messages in one burst without waiting in between (the Socket.IO layer, for the
    /// continuations of acks that arrived together). Other threads' messages are not held: they go out behind what was
    /// gathered. Should the thread be held up before <see cref="EndSendBatch"/>, what it gathered is written at the next
    /// tick of the connection's timer (<see cref="EngineOptions.TimerResolution"/>).</remarks>
    public bool BeginSendBatch() => Volatile.Read(ref _transport).BeginSendBatch();

    /// <summary>Ends the batch <see cref="BeginSendBatch"/> opened on this thread: what was gathered is written now.</summary>
    /// <remarks>A write that fails ends the connection, as a failed send does (<see cref="ReceiveAsync"/> reports it).</remarks>
    public void EndSendBatch() => Volatile.Read(ref _transport).EndSendBatch();

    /// <summary>Sends a text message (from <see cref="EngineMessageWriter.Rent"/>), then optional binary messages right after it.</summary>
    /// <param name="message">The message; still owned (and disposed) by the caller.</param>
    /// <param name="binaryMessages">Binary messages that must follow immediately (Socket.IO attachments), or <see langword="null"/>.</param>
    /// <param name="cancellationToken">Bounds the wait for earlier sends; once this message is on the wire it is not cancelled.</param>
    /// <returns>A task that completes when the message has been handed to the socket.</returns>
    /// <exception cref="EngineMessageTooLargeException">A message is larger than the server's <c>maxPayload</c>; nothing was sent.</exception>
    /// <exception cref="EngineConnectionException">The connection has ended.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled before the message was sent.</exception>
    /// <remarks>Await the result once. Not async itself: the checks report through the returned task, and the send is
    /// one pooled state machine. A write that makes no progress is bounded all the same: see
    /// <see cref="SendAsync(EngineMessageWriter, IReadOnlyList{ReadOnlyMemory{byte}}, TimeSpan, CancellationToken)"/>.</remarks>
    public ValueTask SendAsync(EngineMessageWriter message, IReadOnlyList<ReadOnlyMemory<byte>>? binaryMessages = null, CancellationToken cancellationToken = default) =>
        SendAsync(message, binaryMessages, Timeout.InfiniteTimeSpan, cancellationToken);

    /// <summary>
    /// Sends a text message with a deadline: if the transport has not taken it within <paramref name="timeout"/> (waiting
    /// for earlier sends included) and no send has completed for a tick of the timer, the server has stopped reading: the
    /// connection is aborted and every send and receive fails with <see cref="EngineConnectionException"/>
    /// (<see cref="EngineConnectionError.TransportError"/>).
    /// </summary>
    /// <param name="message">The message; still owned (and disposed) by the caller.</param>
    /// <param name="binaryMessages">Binary messages that must follow immediately (Socket.IO attachments), or <see langword="null"/>.</param>
    /// <param name="timeout">How long the message may wait to be written; <see cref="Timeout.InfiniteTimeSpan"/> for no
    /// deadline of its own. Whatever it is, one write that runs longer than the server's pingInterval + pingTimeout ends
    /// the connection the same way (by then the server has given up on the heartbeats stuck behind it).</param>
    /// <param name="cancellationToken">Bounds the wait for earlier sends; once this message is on the wire it is not cancelled.</param>
    /// <returns>A task that completes when the message has been handed to the socket.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="timeout"/> is not positive nor infinite.</exception>
    /// <exception cref="EngineMessageTooLargeException">A message is larger than the server's <c>maxPayload</c>; nothing was sent.</exception>
    /// <exception cref="EngineConnectionException">The connection has ended, or ended because the server stopped reading.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled before the message was sent.</exception>
    /// <remarks>Await the result once. The stall is checked on the ticks of <see cref="EngineOptions.TimerResolution"/>:
    /// the connection ends at most two ticks after the deadline.</remarks>
    public ValueTask SendAsync(EngineMessageWriter message, IReadOnlyList<ReadOnlyMemory<byte>>? binaryMessages, TimeSpan timeout, CancellationToken cancellationToken)
    {
        long deadline;
        try
        {
            ArgumentNullException.ThrowIfNull(message);
            if (timeout <= TimeSpan.Zero && timeout != Timeout.InfiniteTimeSpan)
            {
                throw new ArgumentOutOfRangeException(nameof(timeout), timeout, "The timeout must be positive or Timeout.InfiniteTimeSpan.");
            }

            deadline = DeadlineOf(timeout);
            ThrowIfTooLarge(message.WrittenCount);
            if (binaryMessages is not null)
            {
                for (var i = 0; i < binaryMessages.Count; i++)
                {
                    // Revision 3 puts the type byte 0x04 before binary data on a WebSocket (docs/protocol.md §2.5).
                    ThrowIfTooLarge(binaryMessages[i].Length + (Revision == EngineRevision.V3 ? 1 : 0));
                }
            }
        }
#pragma warning disable CA1031 // Reported through the returned task, as an async method would.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            return ValueTask.FromException(ex);
        }

        return SendCoreAsync(message.WrittenMemory, binaryMessages, cancellationToken, deadline);
    }

    /// <summary>
    /// Closes the connection: a WebSocket close frame (or a polling close packet), bounded by 2 s whatever the server does,
    /// then abort. Pending receives and sends end.
    /// </summary>
    /// <param name="cancellationToken">Ends the close handshake early: the connection is aborted at once (a token already
    /// cancelled skips the handshake).</param>
    /// <returns>A task that completes when the connection is closed.</returns>
    public async ValueTask CloseAsync(CancellationToken cancellationToken = default)
    {
        var first = Interlocked.CompareExchange(ref _closeError, new EngineConnectionException(EngineConnectionError.ClosedByClient, "The connection was closed by this client."), null) is null;
        StopHeartbeatWatchdog();
        StopUpgrade();
        var transport = Volatile.Read(ref _transport);
        if (first)
        {
            await transport.CloseAsync(s_closeTimeout, _options.TimeProvider, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            transport.Abort();
        }

        _polling?.Abort();
    }

    /// <summary>Closes the connection if open and releases its resources. Idempotent.</summary>
    /// <returns>A task that completes when everything is released.</returns>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await CloseAsync().ConfigureAwait(false);
        await WaitForUpgradeAsync().ConfigureAwait(false);
        var transport = Volatile.Read(ref _transport);
        transport.Dispose();
        if (_polling is not null && !ReferenceEquals(_polling, transport))
        {
            _polling.Dispose();
        }

        _ownedInvoker?.Dispose();
    }

    /// <summary>Releases the buffer of the last received message once no receive will run again.</summary>
    /// <remarks>Call only after the receive loop has ended; the next <see cref="ReceiveAsync"/> would release it anyway.</remarks>
    public void ReleaseReceiveBuffer()
    {
        Volatile.Read(ref _transport).ReleaseReceiveBuffer();
        _polling?.ReleaseReceiveBuffer();
    }

    /// <summary>
    /// The smallest <c>maxPayload</c> a handshake may announce (0, "not said", aside): 16 bytes, room for every packet the
    /// protocols send by themselves — a pong, the upgrade probe <c>2probe</c> (8 bytes in revision-3 polling framing),
    /// the Socket.IO CONNECT of the main namespace (<c>40</c>).
    /// </summary>
    internal const long MinimumMaxPayload = 16;

    /// <summary>
    /// A handshake whose <c>maxPayload</c> cannot carry the protocol's own packets is refused at connect
    /// (<see cref="EngineConnectionError.ProtocolError"/>), instead of failing the first send afterwards.
    /// </summary>
    private static EngineConnectionException? MaxPayloadTooSmall(EngineHandshake handshake) =>
        handshake.MaxPayload is > 0 and < MinimumMaxPayload
            ? ProtocolError(new EngineProtocolException($"The open packet's maxPayload ({handshake.MaxPayload} bytes) cannot carry the protocol's own packets (at least {MinimumMaxPayload} bytes are needed).", 0))
            : null;

    private static EngineHandshake ReadOpenPacket(TransportMessage first)
    {
        if (first.IsClose)
        {
            throw new EngineConnectionException(EngineConnectionError.NotEngineIo, "The server closed the WebSocket before sending an Engine.IO open packet.");
        }

        var span = first.Data.Span;
        if (first.IsBinary || span.IsEmpty || span[0] != (byte)'0')
        {
            throw new EngineProtocolException("The first message is not an Engine.IO open packet ('0{...}').", 0);
        }

        return EngineHandshakeReader.Read(span[1..]);
    }

    // readRefusalBody: whether a refused handshake is asked again to read the body of the refusal (WebSocketRefusal);
    // not when the refusal is not what the caller will see. The stream is the managed engine's (null otherwise): the
    // transport batches its writes through it.
    private static async ValueTask<(WebSocket WebSocket, CoalescingStream? Stream)> OpenWebSocketAsync(EngineOptions options, Uri uri, HttpMessageInvoker? invoker, bool readRefusalBody, CancellationToken cancellationToken)
    {
        if (options.WebSocketFactory is { } factory)
        {
            return (await factory(uri, cancellationToken).ConfigureAwait(false), null);
        }

        if (options.WebSocketEngine == EngineWebSocketEngine.Managed && ManagedWebSocketConnector.CanConnectDirectly(uri))
        {
            return await ManagedWebSocketConnector.ConnectAsync(options, uri, readRefusalBody, cancellationToken).ConfigureAwait(false);
        }

        var client = new ClientWebSocket();
        try
        {
            client.Options.CollectHttpResponseDetails = true;

            // Engine.IO has its own heartbeat and the server never sends WebSocket pings (protocol.md §2.5).
            client.Options.KeepAliveInterval = TimeSpan.Zero;
            foreach (var (name, value) in options.Headers)
            {
                client.Options.SetRequestHeader(name, value);
            }

            EngineCookies.AddTo(client.Options, options, uri);
            await client.ConnectAsync(uri, invoker, cancellationToken).ConfigureAwait(false);
            EngineCookies.Store(options.Cookies, uri, client);
            return (client, null);
        }
        catch (WebSocketException ex) when (client.HttpStatusCode != 0)
        {
            var status = (int)client.HttpStatusCode;
            if (HandshakeRedirect.Is(status))
            {
                // Not followed: a refused handshake, its Location named by origin only; no second request to read a body.
                var location = client.HttpResponseHeaders?.FirstOrDefault(h => string.Equals(h.Key, "Location", StringComparison.OrdinalIgnoreCase)).Value?.FirstOrDefault();
                client.Dispose();
                throw HandshakeRedirect.Refusal("WebSocket", uri.GetLeftPart(UriPartial.Path), status, location, uri, ex);
            }

            client.Dispose();

            // ClientWebSocket keeps the body of the refusal to itself: ask again to read it, as polling reads its own.
            var body = readRefusalBody ? await WebSocketRefusal.ReadBodyAsync(options, uri, invoker, cancellationToken).ConfigureAwait(false) : null;
            throw new EngineConnectionException(
                EngineConnectionError.HandshakeRefused,
                $"The server refused the WebSocket handshake at {uri.GetLeftPart(UriPartial.Path)} with HTTP {status}" + (body is null ? "." : $": {body}"),
                ex,
                status)
            { HttpResponseBody = body };
        }
        catch
        {
            client.Dispose();
            throw;
        }
    }

    private static EngineConnectionException MapConnectError(Exception ex, string where)
    {
        for (var inner = ex; inner is not null; inner = inner.InnerException)
        {
            if (inner is HttpRequestException { HttpRequestError: HttpRequestError.ConfigurationLimitExceeded })
            {
                // The server did answer: with more response headers (a Set-Cookie flood, a huge cookie) than the handler takes.
                return new EngineConnectionException(
                    EngineConnectionError.ProtocolError,
                    $"The server at {where} answered with response headers beyond the HTTP handler's bound (SocketsHttpHandler.MaxResponseHeadersLength; {EngineCookies.MaxResponseHeadersKiB} KiB on the handlers SailSocket creates): {inner.Message}",
                    ex);
            }

            if (inner is HttpRequestException { HttpRequestError: HttpRequestError.ResponseEnded })
            {
                // Reached, but closed without a status line: what an Engine.IO server does (after its destroyUpgradeTimeout)
                // to a WebSocket upgrade on a path it does not serve, and what a proxy that passes only plain HTTP may do.
                return new EngineConnectionException(
                    EngineConnectionError.Unreachable,
                    $"The server at {where} closed the connection without answering the handshake (an Engine.IO server does this to a WebSocket upgrade on a path it does not serve: check the path; so may a proxy that passes only plain HTTP): {inner.Message}",
                    ex);
            }

            if (inner is SocketException or HttpRequestException or AuthenticationException)
            {
                return new EngineConnectionException(EngineConnectionError.Unreachable, $"Could not reach {where}: {inner.Message}", ex);
            }
        }

        return new EngineConnectionException(EngineConnectionError.TransportError, $"The connection to {where} failed: {ex.Message}", ex);
    }

    private static EngineConnectionException ProtocolError(EngineProtocolException ex) =>
        new(EngineConnectionError.ProtocolError, $"The server broke the Engine.IO protocol: {ex.Message}", ex);

    private static void Observe(Diagnostics.EngineFrameObserver observer, ReadOnlyMemory<byte> text, IReadOnlyList<ReadOnlyMemory<byte>>? binary)
    {
        observer.OnSent(text.Span, isBinary: false);
        if (binary is not null)
        {
            foreach (var attachment in binary)
            {
                observer.OnSent(attachment.Span, isBinary: true);
            }
        }
    }

    /// <summary>Sends through the current transport; a send that completes at once costs no state machine.</summary>
    private ValueTask SendCoreAsync(ReadOnlyMemory<byte> text, IReadOnlyList<ReadOnlyMemory<byte>>? binary, CancellationToken cancellationToken, long deadline = long.MaxValue)
    {
        if (Volatile.Read(ref _closeError) is { } closed)
        {
            return ValueTask.FromException(ClosedError(closed));
        }

        var transport = Volatile.Read(ref _transport);
        ValueTask send;
        try
        {
            EngineMetrics.Sent(text.Length, binary);
            if (_options.FrameObserver is { } observer)
            {
                Observe(observer, text, binary);
            }

            send = transport.SendAsync(text, binary, deadline, cancellationToken);
        }
#pragma warning disable CA1031 // Mapped below like an error of the send itself.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            send = ValueTask.FromException(ex);
        }

        if (send.IsCompletedSuccessfully)
        {
            send.GetAwaiter().GetResult();
            return default;
        }

        // A WebSocket's send queue maps its errors itself (MapSendError): its task is returned as it is, with no state
        // machine even when the send waited for others.
        return transport is WebSocketTransport ? send : FinishSendAsync(send, cancellationToken);
    }

    /// <summary>Awaits a polling send that did not complete at once and maps its error.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask FinishSendAsync(ValueTask send, CancellationToken cancellationToken)
    {
        try
        {
            await send.ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex) when (ex is not EngineMessageTooLargeException)
        {
            ExceptionDispatchInfo.Throw(SendError(ex));
            throw;
        }
    }

    /// <summary>Given to the WebSocket transport, so that its sends fail the way this connection's do.</summary>
    Exception ISendErrorMap.Map(Exception error) => SendError(error);

    /// <summary>What the sender of a failed send sees; the connection ends with the error (without any delivery doubt).</summary>
    private EngineConnectionException SendError(Exception ex)
    {
        if (ex is not EngineConnectionException connectionError)
        {
            return Fail(new EngineConnectionException(EngineConnectionError.TransportError, $"Sending failed: {ex.Message}", ex));
        }

        if (!connectionError.MayHaveBeenDelivered)
        {
            return Fail(connectionError);
        }

        // Only this sender learns that its message may have reached the server (so it does not send it again); the
        // connection keeps a reason without that doubt, which is what later senders and readers get.
        Fail(new EngineConnectionException(connectionError.Error, connectionError.Message, connectionError.InnerException, connectionError.HttpStatusCode) { HttpResponseBody = connectionError.HttpResponseBody });
        return connectionError;
    }

    private void ThrowIfTooLarge(long size)
    {
        var limit = Handshake.MaxPayload;
        if (limit > 0 && size > limit)
        {
            throw new EngineMessageTooLargeException(size, limit);
        }
    }

    private void ThrowIfClosed()
    {
        if (Volatile.Read(ref _closeError) is { } closed)
        {
            throw ClosedError(closed);
        }
    }

    /// <summary>A fresh exception for an operation on a closed connection, from the error that closed it.</summary>
    private static EngineConnectionException ClosedError(EngineConnectionException error) =>
        new(error.Error, error.Message, error.InnerException, error.HttpStatusCode);

    /// <summary>Records the first error that ends the connection and aborts the socket; returns the error to throw.</summary>
    private EngineConnectionException Fail(EngineConnectionException error)
    {
        var existing = Interlocked.CompareExchange(ref _closeError, error, null);
        StopHeartbeatWatchdog();
        StopUpgrade();
        Volatile.Read(ref _transport).Abort();
        _polling?.Abort();
        return existing ?? error;
    }
}
