using System;
using System.Threading;
using System.Threading.Tasks;
using SailSocket.Engine;
using SailSocket.Internal;
using SailSocket.SocketIo;

namespace SailSocket;

/// <summary>
/// One socket connected to a Sails app (the seed's <c>SailsSocket</c>): requests with <see cref="GetAsync(string, CancellationToken)"/>,
/// <see cref="PostAsync(string, CancellationToken)"/> and friends, and server events with <see cref="On"/>.
/// Create it with <see cref="SailsClient.ConnectAsync(CancellationToken)"/>.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item>All members are thread-safe: any number of requests may be in flight at once, from any threads; responses are
/// matched by ack id, whatever order the server answers in.</item>
/// <item>Event handlers run on the thread pool, one at a time per socket, in the order the server sent the events —
/// never on the receive loop, so a slow or throwing handler cannot stall the socket (exceptions go to
/// <see cref="HandlerException"/>).</item>
/// <item>Every request has a deadline (<see cref="SailsClientOptions.RequestTimeout"/>) kept by the client's shared
/// timer; cancelling a request's token stops waiting without touching the connection.</item>
/// <item>When the connection ends, requests waiting for a response fail with <see cref="SailsConnectionException"/> and
/// <see cref="Disconnected"/> is raised once. This version does not reconnect.</item>
/// </list>
/// </remarks>
public sealed partial class SailsSocket : IAsyncDisposable
{
    private readonly SailsClient _owner;
    private readonly SailsSocketSettings _settings;
    private SocketIoClient? _io;
    private int _disposed;

    private SailsSocket(SailsClient owner, SailsSocketSettings settings)
    {
        _owner = owner;
        _settings = settings;
        _dispatcher = new SerialDispatcher<SailsEvent>(DispatchEvent);
    }

    /// <summary>The server this socket is connected to.</summary>
    public Uri Url => _settings.Url;

    /// <summary>The socket id on the server (<c>sails.sockets.getId(req)</c>); empty before the connection is made.</summary>
    public string Id => _io?.Id ?? string.Empty;

    /// <summary>Whether the socket is connected.</summary>
    public bool IsConnected => _io?.IsConnected == true && Volatile.Read(ref _disposed) == 0;

    /// <summary>Disconnects from the server. Requests waiting for a response fail. Idempotent.</summary>
    /// <param name="cancellationToken">Bounds the wait for earlier sends before the disconnect packet.</param>
    /// <returns>A task that completes when the connection is closed.</returns>
    public async Task DisconnectAsync(CancellationToken cancellationToken = default)
    {
        if (_io is { } io)
        {
            await io.DisconnectAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Disconnects and releases the socket. Idempotent.</summary>
    /// <returns>A task that completes when everything is released.</returns>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        if (_io is { } io)
        {
            await io.DisposeAsync().ConfigureAwait(false);
        }

        _owner.Forget(this);
    }

    internal static async Task<SailsSocket> ConnectAsync(SailsClient owner, SailsSocketSettings settings, CancellationToken cancellationToken)
    {
        var socket = new SailsSocket(owner, settings);
        var options = new SocketIoOptions
        {
            Engine = new EngineOptions
            {
                Url = settings.Url,
                Path = owner.Options.Path,
                Query = settings.Query,
                Headers = settings.InitialConnectionHeaders,
                ConnectTimeout = settings.ConnectTimeout,
                MaxMessageSize = owner.Options.MaxMessageSize,
                BufferPool = owner.Options.BufferPool,
                Timer = owner.Timer,
                HttpInvoker = owner.HttpInvoker,
                WebSocketFactory = owner.Options.WebSocketFactory,
            },
            ConnectTimeout = settings.ConnectTimeout,
            Timer = owner.Timer,
            OnEvent = socket.OnSocketIoEvent,
            OnDisconnected = socket.OnSocketIoDisconnected,
        };

        var where = settings.Url.GetLeftPart(UriPartial.Authority);
        try
        {
            socket._io = await SocketIoClient.ConnectAsync(options, cancellationToken).ConfigureAwait(false);
            return socket;
        }
        catch (EngineConnectionException ex)
        {
            throw new SailsConnectionException($"Could not connect to the Sails server at {where}: {ex.Message}", ex, ex.HttpStatusCode);
        }
        catch (Exception ex) when (ex is EngineTimeoutException or SocketIoTimeoutException)
        {
            throw new SailsTimeoutException($"Connecting to the Sails server at {where} took longer than {settings.ConnectTimeout.TotalSeconds:0.###} s (ConnectTimeout).", ex);
        }
        catch (Exception ex) when (ex is SocketIoConnectException or SocketIoDisconnectedException)
        {
            throw new SailsConnectionException($"Could not connect to the Sails server at {where}: {ex.Message}", ex);
        }
    }

    private SocketIoClient Connection()
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        return _io ?? throw new SailsConnectionException("The socket is not connected.");
    }
}
