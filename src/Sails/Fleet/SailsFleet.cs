using System;
using System.Collections;
using System.Collections.Generic;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Tasks;
using SailSocket.Connection;

namespace SailSocket.Fleet;

/// <summary>
/// Many sockets spread over the nodes of one Sails app, for load and test harnesses: opened at a bounded rate, reconnected
/// through the same bound after a node dies, and counted per node (<see cref="GetSnapshot"/>).
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item>The fleet owns one <see cref="SailsClient"/> (<see cref="Client"/>, built from <see cref="SailsFleetOptions.ClientOptions"/>):
/// one HTTP handler, one cookie store and one timer for every socket. Sockets of a node share one resolved identity, so
/// a fleet socket costs what a socket made by <see cref="SailsClient.CreateSocket(SailsSocketOptions)"/> without options costs (docs/fleets.md).</item>
/// <item>Every connection attempt of a fleet socket, first connects and reconnection attempts alike, passes the fleet's
/// connect-rate gate (<see cref="SailsFleetOptions.ConnectRate"/>, <see cref="SailsFleetOptions.ConnectBurst"/>,
/// <see cref="SailsFleetOptions.ConnectJitter"/>) after the reconnection backoff.</item>
/// <item>All members are thread-safe. <see cref="GetSnapshot"/> reads every socket's state and counters once, without
/// locks beyond each socket's own: about a millisecond for 15,000 sockets.</item>
/// <item><see cref="DisposeAsync"/> disposes every socket and the client. Idempotent.</item>
/// </list>
/// </remarks>
/// <example>
/// <code>
/// await using var fleet = new SailsFleet(new SailsFleetOptions
/// {
///     Nodes = [new Uri("http://10.0.0.1:1337"), new Uri("http://10.0.0.2:1337")],
///     SocketCount = 2_000,
/// });
/// await fleet.ConnectAsync(cancellationToken);
/// await fleet.ForEachAsync((socket, i, ct) => new ValueTask(socket.GetAsync("/user", ct).AsTask()), 64, cancellationToken);
/// Console.WriteLine(fleet.GetSnapshot());
/// </code>
/// </example>
public sealed class SailsFleet : IReadOnlyList<SailsSocket>, IAsyncDisposable
{
    private readonly Uri[] _nodes;
    private readonly SailsSocket[] _sockets;

    /// <summary>The node each socket was placed on (index into <see cref="_nodes"/>).</summary>
    private readonly int[] _placement;

    /// <summary>Per node, the sockets placed on it.</summary>
    private readonly SailsSocket[][] _placed;

    /// <summary>Per node, the latencies of the requests made through <see cref="RequestAsync"/>.</summary>
    private readonly LatencyRecorder[] _latency;

    private readonly ConnectRateGate _gate;
    private readonly TimeProvider _clock;
    private int _disposed;

    /// <summary>Creates the fleet's client and its sockets, none connected yet: call <see cref="ConnectAsync"/>.</summary>
    /// <param name="options">The nodes, the size, the placement and the connect rate.</param>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is null.</exception>
    /// <exception cref="ArgumentException">An option is invalid (the parameter name is the option), or the placement
    /// returned a URL that is not one of the nodes (parameter <c>Placement</c>).</exception>
    public SailsFleet(SailsFleetOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        Options = options;
        _nodes = [.. options.Nodes];
        _placement = Place(options, _nodes);

        var client = options.ClientOptions;
        _clock = client.TimeProvider;
        _gate = new ConnectRateGate(_clock, options.ConnectRate, options.ConnectBurst, options.ConnectJitter);
        Client = new SailsClient(client) { AttemptGate = _gate.WaitAsync };

        var identities = new SocketIdentity[_nodes.Length];
        var counts = new int[_nodes.Length];
        _latency = new LatencyRecorder[_nodes.Length];
        for (var n = 0; n < _nodes.Length; n++)
        {
            // One identity per node, shared by its sockets, as a client shares its default one: no copy per socket.
            // With failover, its list is this node then the others (SailsClientOptions.Urls, when set, wins).
            identities[n] = SocketIdentity.Resolve(client, new SailsSocketOptions { Url = _nodes[n] }, nameof(SailsFleetOptions.Nodes), options.Failover ? _nodes : null);
            _latency[n] = new LatencyRecorder();
        }

        foreach (var n in _placement)
        {
            counts[n]++;
        }

        _placed = new SailsSocket[_nodes.Length][];
        for (var n = 0; n < _nodes.Length; n++)
        {
            _placed[n] = new SailsSocket[counts[n]];
            counts[n] = 0;
        }

        _sockets = new SailsSocket[_placement.Length];
        for (var i = 0; i < _sockets.Length; i++)
        {
            var n = _placement[i];
            var socket = Client.CreateSocketWith(identities[n], startConnecting: false);
            _sockets[i] = socket;
            _placed[n][counts[n]++] = socket;
        }
    }

    /// <summary>The fleet's options.</summary>
    public SailsFleetOptions Options { get; }

    /// <summary>The client every socket of the fleet belongs to (its cookie store, its options).</summary>
    public SailsClient Client { get; }

    /// <summary>The nodes, in the order of <see cref="SailsFleetOptions.Nodes"/>.</summary>
    public IReadOnlyList<Uri> Nodes => _nodes;

    /// <summary>The number of sockets, <see cref="SailsFleetOptions.SocketCount"/>.</summary>
    public int Count => _sockets.Length;

    /// <summary>Connection attempts the connect-rate gate has let through so far (first connects and reconnection attempts).</summary>
    public long ConnectAttempts => _gate.Admitted;

    /// <summary>The socket with the given index.</summary>
    /// <param name="index">0 to <see cref="Count"/> - 1.</param>
    /// <returns>The socket.</returns>
    /// <exception cref="IndexOutOfRangeException"><paramref name="index"/> is out of range.</exception>
    public SailsSocket this[int index] => _sockets[index];

    /// <summary>The sockets in index order.</summary>
    /// <returns>An enumerator.</returns>
    public IEnumerator<SailsSocket> GetEnumerator() => ((IEnumerable<SailsSocket>)_sockets).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>The node the placement gave a socket.</summary>
    /// <param name="index">The socket's index.</param>
    /// <returns>The node's index in <see cref="Nodes"/>.</returns>
    /// <exception cref="IndexOutOfRangeException"><paramref name="index"/> is out of range.</exception>
    public int GetPlacement(int index) => _placement[index];

    /// <summary>The sockets the placement put on a node, in index order.</summary>
    /// <param name="node">The node's index in <see cref="Nodes"/>.</param>
    /// <returns>The sockets.</returns>
    /// <exception cref="IndexOutOfRangeException"><paramref name="node"/> is out of range.</exception>
    public IReadOnlyList<SailsSocket> GetSocketsPlacedOn(int node) => _placed[node];

    /// <summary>
    /// Connects every socket that is not connected: one connection attempt after another, at most
    /// <see cref="SailsFleetOptions.ConnectRate"/> per second, each socket's connect bounded by
    /// <see cref="SailsClientOptions.ConnectTimeout"/> from its own start.
    /// </summary>
    /// <param name="cancellationToken">Stops starting connects and stops waiting; attempts under way go on in the background.</param>
    /// <returns>A task that completes when every socket is connected.</returns>
    /// <exception cref="SailsConnectionException">Some sockets did not connect: the message gives how many, the inner
    /// exception is the first one's error. The others stay connected; the fleet stays usable.</exception>
    /// <exception cref="ObjectDisposedException">The fleet is disposed.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public async Task ConnectAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        var connects = new Task[_sockets.Length];
        for (var i = 0; i < _sockets.Length; i++)
        {
            var socket = _sockets[i];
            if (socket.IsConnected)
            {
                connects[i] = Task.CompletedTask;
                continue;
            }

            await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
            connects[i] = socket.ConnectAsync(cancellationToken);
        }

        try
        {
            await Task.WhenAll(connects).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
#pragma warning disable CA1031 // Each socket's failure is counted below; the first becomes the inner exception.
        catch
#pragma warning restore CA1031
        {
            var failed = 0;
            Exception? first = null;
            foreach (var connect in connects)
            {
                if (!connect.IsCompletedSuccessfully)
                {
                    failed++;
                    first ??= connect.Exception?.InnerException;
                }
            }

            throw new SailsConnectionException($"{failed} of {_sockets.Length} fleet sockets did not connect. First error: {first?.Message}", first);
        }
    }

    /// <summary>Sends a request on one socket and counts it in the figures of the node the socket is counted under when it ends.</summary>
    /// <param name="index">The socket's index.</param>
    /// <param name="request">The request.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>The response, as <see cref="SailsSocket.RequestAsync"/> returns it.</returns>
    /// <remarks>A response counts in <see cref="SailsFleetNodeSnapshot.Latency"/>, an exception in its
    /// <see cref="SailsLatencyHistogram.Failed"/>. Counting costs no allocation.</remarks>
    /// <exception cref="IndexOutOfRangeException"><paramref name="index"/> is out of range.</exception>
    /// <exception cref="SailsConnectionException">See <see cref="SailsSocket.RequestAsync"/>: every exception it documents.</exception>
    public ValueTask<SailsResponse> RequestAsync(int index, SailsRequest request, CancellationToken cancellationToken = default)
    {
        var socket = _sockets[index];
        return RequestCoreAsync(socket, index, request, cancellationToken);
    }

    /// <summary>
    /// Runs an action on every socket, at most <paramref name="maxConcurrency"/> at a time, and counts what completed
    /// and what failed (a harness's "send one request on every socket").
    /// </summary>
    /// <param name="action">Called with a socket, its index and <paramref name="cancellationToken"/>.</param>
    /// <param name="maxConcurrency">How many actions run at once, at least 1. Default 64.</param>
    /// <param name="cancellationToken">Stops starting actions; passed to each.</param>
    /// <returns>The counts, and the first failures.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="action"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxConcurrency"/> is less than 1.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public async Task<SailsFleetRunResult> ForEachAsync(Func<SailsSocket, int, CancellationToken, ValueTask> action, int maxConcurrency = 64, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(action);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxConcurrency, 1);
        var next = -1;
        var completed = 0;
        var failed = 0;
        var errors = new List<Exception>();

        async Task WorkAsync()
        {
            while (true)
            {
                var i = Interlocked.Increment(ref next);
                if (i >= _sockets.Length)
                {
                    return;
                }

                cancellationToken.ThrowIfCancellationRequested();
                try
                {
                    await action(_sockets[i], i, cancellationToken).ConfigureAwait(false);
                    Interlocked.Increment(ref completed);
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    throw;
                }
#pragma warning disable CA1031 // A harness counts every failure of its action; the first few are kept.
                catch (Exception ex)
#pragma warning restore CA1031
                {
                    Interlocked.Increment(ref failed);
                    lock (errors)
                    {
                        if (errors.Count < SailsFleetRunResult.MaxErrors)
                        {
                            errors.Add(ex);
                        }
                    }
                }
            }
        }

        var workers = new Task[Math.Min(maxConcurrency, _sockets.Length)];
        for (var w = 0; w < workers.Length; w++)
        {
            workers[w] = WorkAsync();
        }

        await Task.WhenAll(workers).ConfigureAwait(false);
        return new SailsFleetRunResult(completed, failed, errors);
    }

    /// <summary>The figures of every node now: sockets by state, requests in flight and queued, latencies.</summary>
    /// <returns>The snapshot.</returns>
    public SailsFleetSnapshot GetSnapshot()
    {
        var count = _nodes.Length;
        var connected = new int[count];
        var connecting = new int[count];
        var reconnecting = new int[count];
        var disconnected = new int[count];
        var inFlight = new long[count];
        var queued = new long[count];
        for (var i = 0; i < _sockets.Length; i++)
        {
            var socket = _sockets[i];
            var state = socket.State;
            var n = NodeOf(i, state);
            switch (state)
            {
                case SailsSocketState.Connected:
                    connected[n]++;
                    break;
                case SailsSocketState.Connecting:
                    connecting[n]++;
                    break;
                case SailsSocketState.Reconnecting:
                    reconnecting[n]++;
                    break;
                default:
                    disconnected[n]++;
                    break;
            }

            inFlight[n] += socket.ActiveRequestCount;
            queued[n] += socket.QueuedRequestCount;
        }

        var nodes = new SailsFleetNodeSnapshot[count];
        for (var n = 0; n < count; n++)
        {
            nodes[n] = new SailsFleetNodeSnapshot(_nodes[n], _placed[n].Length, connected[n], connecting[n], reconnecting[n], disconnected[n], inFlight[n], queued[n], _latency[n].Snapshot());
        }

        return new SailsFleetSnapshot(nodes, _clock.GetUtcNow());
    }

    /// <summary>Disposes every socket and the client (each socket within 4 s whatever its server does). Idempotent.</summary>
    /// <returns>A task that completes when everything is released.</returns>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await Client.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>The node a socket counts under: the one it is connected to, else its placement.</summary>
    private int NodeOf(int index, SailsSocketState state)
    {
        if (state == SailsSocketState.Connected && _sockets[index].CurrentUrl is { } current)
        {
            // The identities were resolved from these very instances: a reference match is the common case.
            for (var n = 0; n < _nodes.Length; n++)
            {
                if (ReferenceEquals(_nodes[n], current))
                {
                    return n;
                }
            }

            for (var n = 0; n < _nodes.Length; n++)
            {
                if (_nodes[n].Equals(current))
                {
                    return n;
                }
            }
        }

        return _placement[index];
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<SailsResponse> RequestCoreAsync(SailsSocket socket, int index, SailsRequest request, CancellationToken cancellationToken)
    {
        var started = _clock.GetTimestamp();
        try
        {
            var response = await socket.RequestAsync(request, cancellationToken).ConfigureAwait(false);
            _latency[NodeOf(index, socket.State)].Record(_clock.GetElapsedTime(started));
            return response;
        }
        catch
        {
            _latency[NodeOf(index, socket.State)].RecordFailure();
            throw;
        }
    }

    /// <summary>Runs the placement for every socket and checks what it returns.</summary>
    private static int[] Place(SailsFleetOptions options, Uri[] nodes)
    {
        var placement = new int[options.SocketCount];
        if (options.Placement is not { } place)
        {
            for (var i = 0; i < placement.Length; i++)
            {
                placement[i] = i % nodes.Length;
            }

            return placement;
        }

        var index = new Dictionary<Uri, int>(nodes.Length);
        for (var n = 0; n < nodes.Length; n++)
        {
            index.TryAdd(nodes[n], n);
        }

        for (var i = 0; i < placement.Length; i++)
        {
            var node = place(i, nodes);
            if (node is null || !index.TryGetValue(node, out var n))
            {
#pragma warning disable CA2208 // The option at fault is named, as Validate names the options.
                throw new ArgumentException($"The placement returned {(node is null ? "null" : "a URL that is not one of the nodes")} for socket {i}.", nameof(SailsFleetOptions.Placement));
#pragma warning restore CA2208
            }

            placement[i] = n;
        }

        return placement;
    }
}
