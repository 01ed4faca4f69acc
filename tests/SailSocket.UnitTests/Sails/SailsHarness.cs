using System;
using System.Threading;
using System.Threading.Channels;
using System.Threading.Tasks;
using SailSocket.UnitTests.Infrastructure;

namespace SailSocket.UnitTests.Sails;

/// <summary>
/// A <see cref="SailsClient"/> wired to a scripted <see cref="SailsServer"/> and an <see cref="ObservedClock"/>: no network,
/// no real time. Heartbeats are never due (the peers announce huge intervals) and the shared timer ticks once a second.
/// </summary>
internal sealed class SailsHarness : IAsyncDisposable
{
    public static readonly Uri ServerUrl = new("http://127.0.0.1:1");

    public SailsHarness(
        SailsReconnectionOptions? reconnection = null,
        bool autoConnect = true,
        int maxQueuedRequests = 1024,
        int maxPendingEvents = 10_000,
        long maxPendingEventBytes = 64L * 1024 * 1024,
        TimeSpan? connectTimeout = null,
        TimeSpan? requestTimeout = null,
        Func<SailsHandshake, CancellationToken, ValueTask>? configureHandshake = null,
        SailsLogSink? logSink = null)
    {
        Client = new SailsClient(new SailsClientOptions
        {
            Url = ServerUrl,
            WebSocketFactory = Server.Factory,
            TimeProvider = Clock,
            TimerResolution = TimeSpan.FromSeconds(1),
            Reconnection = reconnection ?? new SailsReconnectionOptions(),
            AutoConnect = autoConnect,
            MaxQueuedRequests = maxQueuedRequests,
            MaxPendingEvents = maxPendingEvents,
            MaxPendingEventBytes = maxPendingEventBytes,
            ConnectTimeout = connectTimeout ?? TimeSpan.FromMinutes(10),
            RequestTimeout = requestTimeout ?? TimeSpan.FromMinutes(10),
            ConfigureHandshake = configureHandshake,
            LogSink = logSink,
        });
    }

    public SailsServer Server { get; } = new();

    public ObservedClock Clock { get; } = new();

    public SailsClient Client { get; }

    /// <summary>Reconnection without jitter: the delay before attempt n is <paramref name="delay"/> · 2^(n-1), capped.</summary>
    public static SailsReconnectionOptions Reconnect(TimeSpan delay, int attempts = int.MaxValue, TimeSpan? delayMax = null) => new()
    {
        Enabled = true,
        Attempts = attempts,
        Delay = delay,
        DelayMax = delayMax ?? TimeSpan.FromMinutes(5),
        RandomizationFactor = 0,
    };

    /// <summary>Connects a socket: the client's connect and the server's handshake, together.</summary>
    public async Task<(SailsSocket Socket, SailsPeer Peer)> ConnectAsync(string sid = "sid-1")
    {
        var connecting = Client.ConnectAsync();
        var peer = await Server.AcceptAsync(sid);
        var socket = await connecting.WaitAsync(TestTimeouts.Default);
        return (socket, peer);
    }

    public async ValueTask DisposeAsync()
    {
        await Client.DisposeAsync().AsTask().WaitAsync(TestTimeouts.Default);
        await Server.DisposeAsync();
    }
}

/// <summary>A socket's lifecycle events, each kind in arrival order, to await one by one.</summary>
internal sealed class LifecycleRecorder
{
    public LifecycleRecorder(SailsSocket socket)
    {
        socket.Connected += (_, e) => Connected.Writer.TryWrite(e);
        socket.Disconnected += (_, e) => Disconnected.Writer.TryWrite(e);
        socket.Reconnecting += (_, e) => Reconnecting.Writer.TryWrite(e);
        socket.Reconnected += (_, e) => Reconnected.Writer.TryWrite(e);
        socket.ConnectError += (_, e) => ConnectError.Writer.TryWrite(e);
        socket.ReconnectFailed += (_, e) => ReconnectFailed.Writer.TryWrite(e);
        socket.Resubscribed += (_, e) => Resubscribed.Writer.TryWrite(e);
    }

    public Channel<SailsConnectionEventArgs> Connected { get; } = Channel.CreateUnbounded<SailsConnectionEventArgs>();

    public Channel<SailsDisconnectedEventArgs> Disconnected { get; } = Channel.CreateUnbounded<SailsDisconnectedEventArgs>();

    public Channel<SailsConnectionEventArgs> Reconnecting { get; } = Channel.CreateUnbounded<SailsConnectionEventArgs>();

    public Channel<SailsConnectionEventArgs> Reconnected { get; } = Channel.CreateUnbounded<SailsConnectionEventArgs>();

    public Channel<SailsConnectionEventArgs> ConnectError { get; } = Channel.CreateUnbounded<SailsConnectionEventArgs>();

    public Channel<SailsConnectionEventArgs> ReconnectFailed { get; } = Channel.CreateUnbounded<SailsConnectionEventArgs>();

    public Channel<SailsResubscribedEventArgs> Resubscribed { get; } = Channel.CreateUnbounded<SailsResubscribedEventArgs>();

    /// <summary>The next item of one kind, bounded by <see cref="TestTimeouts.Default"/>.</summary>
    public static async Task<T> NextAsync<T>(Channel<T> channel)
    {
        using var cts = new CancellationTokenSource(TestTimeouts.Default);
        return await channel.Reader.ReadAsync(cts.Token);
    }
}
