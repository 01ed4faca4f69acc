using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using SailSocket.Internal;
using SailSocket.SocketIo;

namespace SailSocket.Connection;

/// <summary>
/// One connection of a socket: its Socket.IO client, the attempt that made it, and the default request headers its
/// handshake settled. Its identity is the connection's: a callback from an older connection compares unequal, so no
/// generation counter is needed.
/// </summary>
internal sealed class LiveConnection : IAsyncDisposable
{
    private readonly ConnectionSupervisor _supervisor;
    private SocketIoClient? _io;
    private SocketIoOptions? _options;
    private SecretSet? _secrets;

    private LiveConnection(ConnectionSupervisor supervisor, int attempt, Uri node)
    {
        _supervisor = supervisor;
        Attempt = attempt;
        Node = node;
    }

    /// <summary>The node this connection went to (the socket's URL, or another of the cluster's after a failover).</summary>
    public Uri Node { get; }

    /// <summary>0 for the first connect, then the reconnection attempt that made this connection.</summary>
    public int Attempt { get; }

    /// <summary>The Socket.IO client. A connection is handed out only once connected, so it is always set.</summary>
    public SocketIoClient Io => _io!;

    /// <summary>The socket id the server gave this connection.</summary>
    public string Id => Io.Id;

    /// <summary>The default headers of every request sent on this connection, replayed subscriptions included.</summary>
    public Dictionary<string, string> RequestHeaders { get; private set; } = [];

    /// <summary>
    /// The credentials this connection's requests carry, for <see cref="SecretRedaction"/>: the handshake's headers,
    /// query and cookies, the auth payload and the default request headers. Built on the first failed request (a
    /// successful request never needs it), then kept; a race builds it twice, harmlessly.
    /// </summary>
    public SecretSet Secrets => _secrets ??= BuildSecrets();

    private SecretSet BuildSecrets()
    {
        var secrets = new SecretSet().AddHeaders(RequestHeaders);
        if (_options is { } options)
        {
            secrets.AddHeaders(options.Engine.Headers).AddQuery(options.Engine.Query).AddCookies(options.Engine.Cookies).AddJsonStrings(options.Auth.Span);
        }

        return secrets;
    }

    /// <summary>Makes one connection attempt.</summary>
    /// <param name="supervisor">Told once, with this connection, when it ends.</param>
    /// <param name="plan">What the attempt sends.</param>
    /// <param name="attempt">The attempt number.</param>
    /// <param name="node">The node to connect to.</param>
    /// <param name="onEvent">Receives the connection's events, on its receive loop.</param>
    /// <param name="cancellationToken">Stops the attempt.</param>
    /// <returns>The connection.</returns>
    public static async Task<LiveConnection> ConnectAsync(
        ConnectionSupervisor supervisor,
        HandshakePlan plan,
        int attempt,
        Uri node,
        SocketIoEventCallback onEvent,
        CancellationToken cancellationToken)
    {
        var live = new LiveConnection(supervisor, attempt, node);

        // One bound for the whole attempt: the cookie route, the handshake callback and the connect each have their own
        // ConnectTimeout too, but in turn they could take several times it.
        var bounds = plan.ClientOptions;
        using var deadline = new CancellationTokenSource(bounds.ConnectTimeout, bounds.TimeProvider);
        using var bound = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
        try
        {
            var (options, requestHeaders) = await plan.PrepareAsync(node, attempt, onEvent, live.OnDisconnected, bound.Token).ConfigureAwait(false);
            live.RequestHeaders = requestHeaders;
            live._options = options;
            live._io = await SocketIoClient.ConnectAsync(options, bound.Token).ConfigureAwait(false);
            return live;
        }
        catch (OperationCanceledException ex) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new SailsTimeoutException(
                $"Connecting to the Sails server at {SafeDescription.Origin(node)} took longer than {bounds.ConnectTimeout.TotalSeconds:0.###} s (ConnectTimeout), cookie route and handshake callback included.",
                ex);
        }
    }

    /// <summary>The Socket.IO layer's word that this connection ended (a method of its own: no closure per connection).</summary>
    private void OnDisconnected(SocketIoDisconnectedException reason) => _supervisor.OnConnectionLost(this, reason);

    /// <summary>Sends the Socket.IO disconnect, then closes.</summary>
    /// <param name="cancellationToken">Bounds the wait for earlier sends.</param>
    /// <returns>A task that completes when the connection is closed.</returns>
    public async Task DisconnectAsync(CancellationToken cancellationToken)
    {
        await Io.DisconnectAsync(cancellationToken).ConfigureAwait(false);
        await DisposeAsync().ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public ValueTask DisposeAsync() => _io?.DisposeAsync() ?? ValueTask.CompletedTask;
}
