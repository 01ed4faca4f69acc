using System;
using System.Threading;
using System.Threading.Tasks;
using SailSocket.Engine;
using SailSocket.Internal;
using SailSocket.SocketIo;

namespace SailSocket;

/// <summary>
/// One socket to a Sails app (the seed's <c>SailsSocket</c>): requests with <see cref="GetAsync(string, CancellationToken)"/>,
/// <see cref="PostAsync(string, CancellationToken)"/> and friends, and server events with <see cref="On"/>.
/// Create it with <see cref="SailsClient.ConnectAsync(CancellationToken)"/> (connected when returned) or
/// <see cref="SailsClient.CreateSocket"/> (connects in the background; requests wait in a queue).
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item>All members are thread-safe: any number of requests may be in flight at once, from any threads; responses are
/// matched by ack id, whatever order the server answers in.</item>
/// <item>Requests made while the socket is connecting or reconnecting are queued in order (bounded by
/// <see cref="SailsClientOptions.MaxQueuedRequests"/>) and sent exactly once when it connects; while queued they still
/// honour their timeout and cancellation.</item>
/// <item>Requests already sent when the connection drops fail at once with <see cref="SailsRequestInterruptedException"/>:
/// the server may or may not have processed them. They are never resent.</item>
/// <item>Event handlers and lifecycle events run on the thread pool, one at a time per socket, in the order things
/// happened — never on the receive loop, so a slow or throwing handler cannot stall the socket (exceptions go to
/// <see cref="HandlerException"/>).</item>
/// <item>Every request has a deadline (<see cref="SailsClientOptions.RequestTimeout"/>) kept by the client's shared
/// timer; cancelling a request's token stops waiting without touching the connection.</item>
/// <item>Requests return a <see cref="ValueTask{TResult}"/> backed by pooled objects, so a request allocates little more
/// than its response. Await it once; to keep it, await it again or combine it (<see cref="Task.WhenAll(Task[])"/>), call
/// <see cref="ValueTask{TResult}.AsTask"/> once first.</item>
/// </list>
/// </remarks>
public sealed partial class SailsSocket : IAsyncDisposable, ITimerTarget, ISerialHandler<DispatchItem>
{
    private readonly SailsClient _owner;
    private readonly SailsSocketSettings _settings;

    /// <summary>
    /// The shared timer's ticks expire queued requests: a socket registers with it when it first queues a request (under
    /// <see cref="_gate"/>), so an idle socket that never queued holds no registration and costs no tick.
    /// </summary>
    private IDisposable? _timerRegistration;

    /// <summary>Guards the state, the current connection, the connect loop and the request queue.</summary>
    private readonly object _gate = new();
    private SailsSocketState _state = SailsSocketState.Disconnected;

    /// <summary>The live connection; set from the moment it connects until its loss is handled.</summary>
    private SocketIoClient? _io;

    /// <summary>The attempt number of <see cref="_io"/>; callbacks of older connections are ignored.</summary>
    private int _ioGeneration;
    private int _lastGeneration;
    private string _id = string.Empty;
    private int _disposed;

    internal SailsSocket(SailsClient owner, SailsSocketSettings settings)
    {
        _owner = owner;
        _settings = settings;
        _dispatcher = new SerialDispatcher<DispatchItem>(this);
    }

    /// <summary>The server this socket connects to.</summary>
    public Uri Url => _settings.Url;

    /// <summary>The socket id on the server (<c>sails.sockets.getId(req)</c>) of the current or last connection; empty before the first.</summary>
    /// <remarks>The id changes on every reconnect: the server sees a new socket, without the old one's rooms.</remarks>
    public string Id => Volatile.Read(ref _id);

    /// <summary>Where the socket is in its life.</summary>
    public SailsSocketState State
    {
        get
        {
            lock (_gate)
            {
                return _state;
            }
        }
    }

    /// <summary>Whether the socket is connected.</summary>
    public bool IsConnected => State == SailsSocketState.Connected;

    /// <summary>Disposes the socket: disconnects, fails queued requests, releases everything. Idempotent.</summary>
    /// <returns>A task that completes when everything is released.</returns>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await DisconnectAsync(CancellationToken.None).ConfigureAwait(false);
        IDisposable? timerRegistration;
        lock (_gate)
        {
            _state = SailsSocketState.Closed;
            timerRegistration = _timerRegistration;
            _timerRegistration = null;
        }

        timerRegistration?.Dispose();
        CompleteEventStreams();
        _owner.Forget(this);
    }

    void ITimerTarget.OnTick(long timestamp) => ExpireQueuedRequests(timestamp);

    void ISerialHandler<DispatchItem>.Handle(DispatchItem item) => Dispatch(item);

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);

    private static Exception MapConnectError(Exception ex, SailsSocketSettings settings)
    {
        var where = SafeDescription.Origin(settings.Url);
        return ex switch
        {
            EngineConnectionException engine => new SailsConnectionException($"Could not connect to the Sails server at {where}: {engine.Message}", engine, engine.HttpStatusCode),
            SailsConnectionException => ex,
            EngineTimeoutException or SocketIoTimeoutException => new SailsTimeoutException($"Connecting to the Sails server at {where} took longer than {settings.ConnectTimeout.TotalSeconds:0.###} s (ConnectTimeout).", ex),
            SocketIoConnectException or SocketIoDisconnectedException => new SailsConnectionException($"Could not connect to the Sails server at {where}: {ex.Message}", ex),
            System.Net.Http.HttpRequestException => new SailsConnectionException($"Could not fetch the session cookie from {where}: {ex.Message}", ex),
            _ => ex,
        };
    }
}
