using System.Collections.Concurrent;
using SailSocket.Engine;
using SailSocket.TestServers;

namespace SailSocket.IntegrationTests.Reliability;

/// <summary>
/// A client and one socket connected to a Sails server through a <see cref="FaultProxy"/>, with what the fault tests look
/// at recorded: lifecycle events, and task exceptions nobody observed. Disposing it checks that there were none.
/// </summary>
internal sealed class FaultHarness : IAsyncDisposable
{
    public static readonly SailsReconnectionOptions FastReconnection = new()
    {
        Enabled = true,
        Delay = TimeSpan.FromMilliseconds(200),
        DelayMax = TimeSpan.FromMilliseconds(500),
    };

    private readonly ConcurrentQueue<Exception> _unobserved = new();
    private readonly ConcurrentQueue<string> _lifecycle = new();
    private readonly ConcurrentQueue<SailsDisconnectedEventArgs> _disconnects = new();
    private readonly ConcurrentQueue<SailsConnectionEventArgs> _connectErrors = new();
    private int _reconnects;

    private FaultHarness(FaultProxy proxy, SailsClient client)
    {
        Proxy = proxy;
        Client = client;
        TaskScheduler.UnobservedTaskException += OnUnobserved;
    }

    public FaultProxy Proxy { get; }

    public SailsClient Client { get; }

    public SailsSocket Socket { get; private set; } = null!;

    public IReadOnlyCollection<string> Lifecycle => _lifecycle;

    public IReadOnlyCollection<SailsConnectionEventArgs> ConnectErrors => _connectErrors;

    public int Reconnects => Volatile.Read(ref _reconnects);

    /// <summary>Starts a proxy to <paramref name="server"/> and connects one socket through it.</summary>
    public static async Task<FaultHarness> ConnectAsync(SailsServer server, EngineTransports transports, SailsReconnectionOptions? reconnection = null, EngineWebSocketEngine webSocketEngine = EngineWebSocketEngine.ClientWebSocket, bool receiveThread = false)
    {
        var proxy = FaultProxy.Start(server.Port);
        var client = new SailsClient(new SailsClientOptions
        {
            Url = proxy.Url,
            Transports = transports,
            WebSocketEngine = webSocketEngine,
            ReceiveThread = receiveThread,
            Reconnection = reconnection ?? FastReconnection,
            ConnectTimeout = TimeSpan.FromSeconds(5),
            RequestTimeout = TimeSpan.FromSeconds(15),
            // A half-open long-poll (the server never got our FIN, or only our side saw it) ends by this bound.
            PollingRequestTimeout = TimeSpan.FromSeconds(5),
        });
        var harness = new FaultHarness(proxy, client);
        var socket = await client.ConnectAsync(Bound.Seconds(15));
        harness.Watch(socket);
        return harness;
    }

    /// <summary>The next disconnect from now on, within <paramref name="seconds"/>.</summary>
    public async Task<SailsDisconnectedEventArgs> NextDisconnectAsync(int seen, double seconds)
    {
        try
        {
            await Bound.Until(() => _disconnects.Count > seen, seconds);
        }
        catch (TimeoutException ex)
        {
            throw new TimeoutException($"No disconnect within {seconds} s; state {Socket.State}; lifecycle [{string.Join(", ", _lifecycle)}].", ex);
        }

        return _disconnects.ElementAt(seen);
    }

    public int DisconnectCount => _disconnects.Count;

    /// <summary>Waits until the socket has reconnected <paramref name="count"/> times in all and is connected.</summary>
    public Task ReconnectedAsync(int count, double seconds) =>
        Bound.Until(() => Reconnects >= count && Socket.State == SailsSocketState.Connected, seconds);

    /// <summary>A request that must be answered: the socket works.</summary>
    /// <summary>
    /// Cuts the idle connection (<c>rst</c>, <c>fin</c>, <c>server-to-client</c> or <c>client-to-server</c>) and checks the
    /// socket reports one transport close, reconnects and works again.
    /// </summary>
    public async Task CutWhileIdleAndRecoverAsync(string cut)
    {
        await Bound.Until(() => Proxy.OpenConnectionCount > 0, 5);

        var cuts = cut switch
        {
            "rst" => Proxy.CutAll(reset: true),
            "fin" => Proxy.CutAll(reset: false),
            "server-to-client" => Proxy.CutDirection(FaultProxyDirection.ServerToClient),
            _ => Proxy.CutDirection(FaultProxyDirection.ClientToServer),
        };
        Assert.True(cuts > 0);

        var disconnect = await NextDisconnectAsync(0, 15);
        Assert.Equal(SailsDisconnectReason.TransportClose, disconnect.Reason);
        await ReconnectedAsync(1, 15);
        await AssertUsableAsync();
        Assert.Equal(1, DisconnectCount);
    }

    public async Task AssertUsableAsync()
    {
        var echo = (await Socket.GetAsync("/echo?usable=1", Bound.Seconds(15))).ReadBody(TestJson.Default.EchoReply)!;
        Assert.Equal("1", echo.Query.GetProperty("usable").GetString());
    }

    /// <summary>How many pets whose name starts with <paramref name="prefix"/> the server holds (asked on a fresh direct socket).</summary>
    public static async Task<string[]> PetNamesAsync(SailsServer server, string prefix)
    {
        await using var client = new SailsClient(new SailsClientOptions { Url = server.Url });
        await using var socket = await client.ConnectAsync(Bound.Seconds(15));
        var where = Uri.EscapeDataString($$$"""{"name":{"startsWith":"{{{prefix}}}"}}""");
        var pets = await socket.GetFromJsonAsync($"/pet?where={where}&limit=1000&sort=id%20ASC", TestJson.Default.PetArray, Bound.Seconds(15));
        return [.. pets!.Select(p => p.Name)];
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await Client.DisposeAsync().AsTask().Within(15);
            await Proxy.DisposeAsync();
            GC.Collect();
            GC.WaitForPendingFinalizers();
            GC.Collect();
        }
        finally
        {
            TaskScheduler.UnobservedTaskException -= OnUnobserved;
        }

        Assert.True(_unobserved.IsEmpty, "Unobserved task exceptions: " + string.Join("\n", _unobserved));
    }

    private void Watch(SailsSocket socket)
    {
        Socket = socket;
        socket.Disconnected += (_, e) =>
        {
            _lifecycle.Enqueue($"disconnected:{e.Reason}");
            _disconnects.Enqueue(e);
        };
        socket.Reconnected += (_, e) =>
        {
            _lifecycle.Enqueue($"reconnected:{e.Attempt}");
            Interlocked.Increment(ref _reconnects);
        };
        socket.ConnectError += (_, e) =>
        {
            _lifecycle.Enqueue($"connect_error:{e.Exception?.GetType().Name}");
            _connectErrors.Enqueue(e);
        };
    }

    private void OnUnobserved(object? sender, UnobservedTaskExceptionEventArgs e) => _unobserved.Enqueue(e.Exception);
}
