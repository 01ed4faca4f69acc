using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using SailSocket.Engine;
using SailSocket.Protocol;
using SailSocket.SocketIo;

namespace SailSocket.Connection;

/// <summary>
/// Turns a socket's identity and the client's settings into what one connection attempt sends: the cookie route
/// visited, <see cref="SailsClientOptions.ConfigureHandshake"/> applied, the SDK query appended, and the lower layers'
/// options composed. The only place that builds <see cref="EngineOptions"/> and <see cref="SocketIoOptions"/>.
/// </summary>
internal sealed class HandshakePlan(SailsClient client, SocketIdentity identity)
{
    public SocketIdentity Identity { get; } = identity;

    /// <summary>When each node last failed, shared by the client's sockets.</summary>
    public NodeHealth Health => client.Health;

    /// <summary>The client's options: the connect bound and clock of each attempt.</summary>
    public SailsClientOptions ClientOptions => client.Options;

    /// <summary>Awaited before each reconnection attempt, after the backoff: a fleet's connect-rate gate, or null.</summary>
    public Func<CancellationToken, ValueTask>? AttemptGate => client.AttemptGate;

    /// <summary>The options of one attempt, and the default request headers of the connection it makes.</summary>
    /// <param name="node">The node this attempt goes to: <see cref="SocketIdentity.Url"/> or another of <see cref="SocketIdentity.Nodes"/>.</param>
    /// <param name="attempt">0 for the first connect, then the reconnection attempt number.</param>
    /// <param name="onEvent">Receives the connection's events, on its receive loop.</param>
    /// <param name="onDisconnected">Told once when the connection ends.</param>
    /// <param name="cancellationToken">Stops the attempt.</param>
    /// <returns>The lower layers' options and the request headers.</returns>
    /// <exception cref="ArgumentException">The handshake callback made an invalid header or query.</exception>
    public async Task<(SocketIoOptions Options, Dictionary<string, string> RequestHeaders)> PrepareAsync(
        Uri node,
        int attempt,
        SocketIoEventCallback onEvent,
        Action<SocketIoDisconnectedException> onDisconnected,
        CancellationToken cancellationToken)
    {
        var options = client.Options;
        var headers = new List<KeyValuePair<string, string>>(Identity.InitialConnectionHeaders);
        if (Identity.NoSession)
        {
            headers.Add(new("nosession", "true"));
        }

        var cookies = Identity.Cookies ?? client.Cookies;
        var handshake = new SailsHandshake(node, headers, [.. Identity.Query], attempt, Identity.Headers, cookies, client.Http);
        if (options.UseCorsRouteToGetCookie)
        {
            // The session cookie lands in the cookie store, which the handshake sends from.
            await client.Http.FetchSessionCookieAsync(node, cookies, cancellationToken).ConfigureAwait(false);
        }

        if (Identity.ConfigureHandshake is { } configure)
        {
            await configure(handshake, cancellationToken).ConfigureAwait(false);
        }

        SailsRequestValidation.CheckHeaders(handshake.Headers);
        SailsRequestValidation.CheckSdkVersion(handshake.Headers, nameof(SailsClientOptions.InitialConnectionHeaders));
        SailsRequestValidation.CheckSdkVersion(handshake.Query, nameof(SailsClientOptions.Query));
        var requestHeaders = handshake.TakeRequestHeaders();

        // sails.io.js appends the SDK metadata after the user's query (docs/protocol.md §4.1).
        // Arrays of the exact size, none when empty: the connection keeps its options for its life (one per socket).
        KeyValuePair<string, string>[] query =
        [
            .. handshake.Query,
            new("__sails_io_sdk_version", SailsSdkInfo.Version),
            new("__sails_io_sdk_platform", SailsSdkInfo.Platform),
            new("__sails_io_sdk_language", SailsSdkInfo.Language),
        ];

        var socketIo = new SocketIoOptions
        {
            Engine = new EngineOptions
            {
                Url = node,
                Path = options.Path,
                Query = query,
                Headers = handshake.Headers.Count == 0 ? [] : [.. handshake.Headers],

                // Sent inside every JWR, never by the lower layers: their text must not echo them either.
                RedactedHeaders = requestHeaders.Count == 0 ? [] : [.. requestHeaders],
                ConnectTimeout = options.ConnectTimeout,
                MaxMessageSize = options.MaxMessageSize,
                BufferPool = options.BufferPool,
                TimeProvider = options.TimeProvider,
                TimerResolution = options.TimerResolution,
                HttpInvoker = client.HttpInvoker,
                Cookies = cookies,
                WebSocketFactory = options.WebSocketFactory,
                Transports = options.Transports,

                // The managed engine opens its own connections: a proxy is tunnelled only by ClientWebSocket's handler.
                WebSocketEngine = options.Proxy is null ? options.WebSocketEngine : EngineWebSocketEngine.ClientWebSocket,
                ReceiveThread = options.ReceiveThread,
                RemoteCertificateValidationCallback = options.RemoteCertificateValidationCallback,
                Revision = options.Revision,
                PollingRequestTimeout = options.PollingRequestTimeout,
                UpgradeTimeout = options.UpgradeTimeout,
                FrameObserver = options.FrameObserver,
            },
            Auth = handshake.Auth,
            ConnectTimeout = options.ConnectTimeout,
            MaxPendingAcks = options.MaxPendingRequests,
            TimerResolution = options.TimerResolution,
            OnEvent = onEvent,
            OnDisconnected = onDisconnected,
        };
        return (socketIo, requestHeaders);
    }
}
