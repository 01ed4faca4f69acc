using System;
using System.Collections.Generic;
using System.Net;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;

namespace SailSocket.TestServers;

/// <summary>
/// A loopback TCP proxy between a client and a server that a test drives to inject faults: cut connections (RST or FIN,
/// both ways or one), stall them (stop forwarding but keep them open: the "proxy silently drops traffic" case), delay
/// or drip bytes, cut in the middle of the next chunk, refuse new connections, and resume.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item>Listens on 127.0.0.1 and a port the OS picks; connects to 127.0.0.1:<see cref="TargetPort"/>, which a test may
/// change (a restarted server on another port stays behind the same proxy URL).</item>
/// <item>Faults apply to the connections open now and to later ones, until <see cref="Resume"/>; cuts apply to the
/// connections open now only.</item>
/// <item>Every member is thread-safe. Every wait inside is bounded: connecting to the target by
/// <see cref="ConnectTimeout"/>, <see cref="DisposeAsync"/> by five seconds.</item>
/// <item>Nagle is off on both sides, so each forwarded piece leaves as its own TCP segment (what dripping relies on).</item>
/// </list>
/// </remarks>
public sealed class FaultProxy : IAsyncDisposable
{
    private const int ChunkSize = 16 * 1024;
    private static readonly TimeSpan s_disposeBound = TimeSpan.FromSeconds(5);

    private readonly TcpListener _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly object _gate = new();
    private readonly List<FaultProxyLink> _links = [];
    private readonly List<Task> _tasks = [];
    private readonly Task _acceptLoop;

    /// <summary>Completed while the direction forwards; a pending task while it is stalled. Index: direction - 1.</summary>
    private readonly TaskCompletionSource[] _flowing = [Completed(), Completed()];

    private int _targetPort;
    private int _refusing;
    private long _delayTicks;
    private int _dripBytes;
    private long _dripPauseTicks;
    private (FaultProxyDirection Direction, int Keep, int MinimumLength)? _cutMidChunk;
    private int _accepted;
    private int _refused;
    private readonly long[] _bytes = new long[2];
    private readonly long[] _sends = new long[2];

    private FaultProxy(TcpListener listener, int targetPort)
    {
        _listener = listener;
        _targetPort = targetPort;
        Port = ((IPEndPoint)listener.LocalEndpoint).Port;
        Url = new Uri($"http://127.0.0.1:{Port}");
        _acceptLoop = Task.Run(AcceptLoopAsync);
    }

    /// <summary>The port the proxy listens on (127.0.0.1).</summary>
    public int Port { get; }

    /// <summary>The proxy's base URL: give it to the client in place of the server's.</summary>
    public Uri Url { get; }

    /// <summary>The server port new connections go to.</summary>
    public int TargetPort
    {
        get => Volatile.Read(ref _targetPort);
        set => Volatile.Write(ref _targetPort, value);
    }

    /// <summary>The bound on connecting to the target; past it (or when it refuses) the client's connection is reset. Default 5 s.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>How many client connections were accepted (refused ones included).</summary>
    public int AcceptedCount => Volatile.Read(ref _accepted);

    /// <summary>How many client connections were reset at once because the proxy was refusing.</summary>
    public int RefusedCount => Volatile.Read(ref _refused);

    /// <summary>How many connections are open through the proxy now.</summary>
    public int OpenConnectionCount
    {
        get
        {
            lock (_gate)
            {
                return _links.Count;
            }
        }
    }

    /// <summary>Starts a proxy to 127.0.0.1:<paramref name="targetPort"/>.</summary>
    /// <param name="targetPort">The server's port.</param>
    /// <returns>The running proxy; dispose it to close every connection.</returns>
    public static FaultProxy Start(int targetPort)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(targetPort, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(targetPort, 65535);
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return new FaultProxy(listener, targetPort);
    }

    /// <summary>Bytes forwarded so far in one direction.</summary>
    /// <param name="direction"><see cref="FaultProxyDirection.ClientToServer"/> or <see cref="FaultProxyDirection.ServerToClient"/>.</param>
    /// <returns>The byte count.</returns>
    public long BytesForwarded(FaultProxyDirection direction) => Interlocked.Read(ref _bytes[Index(direction)]);

    /// <summary>Sends (TCP writes, each its own segment with Nagle off) made so far in one direction.</summary>
    /// <param name="direction"><see cref="FaultProxyDirection.ClientToServer"/> or <see cref="FaultProxyDirection.ServerToClient"/>.</param>
    /// <returns>The send count.</returns>
    public long SendsForwarded(FaultProxyDirection direction) => Interlocked.Read(ref _sends[Index(direction)]);

    /// <summary>Closes every open connection on both sides: with a reset (RST, linger 0) or gracefully (FIN).</summary>
    /// <param name="reset"><see langword="true"/> for RST, <see langword="false"/> for FIN.</param>
    /// <returns>How many connections were cut.</returns>
    public int CutAll(bool reset = true)
    {
        var links = Snapshot();
        foreach (var link in links)
        {
            link.Close(reset);
        }

        return links.Length;
    }

    /// <summary>
    /// Half-closes every open connection in one direction: the receiving side gets a FIN (end of stream) and nothing more
    /// is forwarded that way; the other direction stays open until one side closes it.
    /// </summary>
    /// <param name="direction"><see cref="FaultProxyDirection.ClientToServer"/> or <see cref="FaultProxyDirection.ServerToClient"/>.</param>
    /// <returns>How many connections were half-closed.</returns>
    public int CutDirection(FaultProxyDirection direction)
    {
        var index = Index(direction);
        var links = Snapshot();
        foreach (var link in links)
        {
            link.HalfClose(index);
        }

        return links.Length;
    }

    /// <summary>
    /// Stops forwarding (the bytes wait in the proxy and in the kernel's buffers) while every TCP connection stays open:
    /// to both ends the peer has gone silent. Applies to new connections too, until <see cref="Resume"/>.
    /// </summary>
    /// <param name="direction">Which way to stall. Default both.</param>
    public void Stall(FaultProxyDirection direction = FaultProxyDirection.Both)
    {
        lock (_gate)
        {
            for (var i = 0; i < 2; i++)
            {
                if (((int)direction & (1 << i)) != 0 && _flowing[i].Task.IsCompleted)
                {
                    _flowing[i] = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                }
            }
        }
    }

    /// <summary>Delays every chunk by <paramref name="delay"/> before forwarding it (both directions). Zero turns it off.</summary>
    /// <param name="delay">The delay.</param>
    public void Delay(TimeSpan delay)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(delay, TimeSpan.Zero);
        Interlocked.Exchange(ref _delayTicks, delay.Ticks);
    }

    /// <summary>
    /// Forwards <paramref name="bytes"/> bytes at a time with <paramref name="pause"/> between the pieces (both directions),
    /// so one WebSocket frame or JSON document reaches the peer in many TCP segments. Zero bytes turns it off.
    /// </summary>
    /// <param name="bytes">Bytes per piece.</param>
    /// <param name="pause">The pause after each piece.</param>
    public void Drip(int bytes, TimeSpan pause)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(bytes, 0);
        ArgumentOutOfRangeException.ThrowIfLessThan(pause, TimeSpan.Zero);
        Interlocked.Exchange(ref _dripPauseTicks, pause.Ticks);
        Volatile.Write(ref _dripBytes, bytes);
    }

    /// <summary>
    /// Arms a cut in the middle of the next chunk read in <paramref name="direction"/> that is at least
    /// <paramref name="minimumLength"/> bytes long: the first <paramref name="keepBytes"/> of it are forwarded (at least one
    /// byte is held back), then that connection is reset. Shorter chunks (pings, a POST's <c>ok</c>) pass.
    /// </summary>
    /// <param name="direction"><see cref="FaultProxyDirection.ClientToServer"/> or <see cref="FaultProxyDirection.ServerToClient"/>.</param>
    /// <param name="keepBytes">How much of the chunk to forward; -1 for half of it.</param>
    /// <param name="minimumLength">The shortest chunk the cut applies to. Default 1: the next chunk, whatever it is.</param>
    public void CutInNextChunk(FaultProxyDirection direction, int keepBytes = -1, int minimumLength = 1)
    {
        _ = Index(direction);
        ArgumentOutOfRangeException.ThrowIfLessThan(keepBytes, -1);
        ArgumentOutOfRangeException.ThrowIfLessThan(minimumLength, 1);
        lock (_gate)
        {
            _cutMidChunk = (direction, keepBytes, minimumLength);
        }
    }

    /// <summary>Whether a cut armed by <see cref="CutInNextChunk"/> is still waiting for its chunk.</summary>
    public bool MidChunkCutArmed
    {
        get
        {
            lock (_gate)
            {
                return _cutMidChunk is not null;
            }
        }
    }

    /// <summary>New connections are accepted and reset at once (the client sees a refused/reset connection) until <see cref="Resume"/>.</summary>
    public void RefuseConnections() => Volatile.Write(ref _refusing, 1);

    /// <summary>Clears every fault: forwarding resumes (stalled bytes go out in order), no delay, no drip, no armed cut, connections accepted.</summary>
    public void Resume()
    {
        Volatile.Write(ref _refusing, 0);
        Interlocked.Exchange(ref _delayTicks, 0);
        Volatile.Write(ref _dripBytes, 0);
        lock (_gate)
        {
            _cutMidChunk = null;
            foreach (var flowing in _flowing)
            {
                flowing.TrySetResult();
            }
        }
    }

    /// <summary>Stops listening, resets every connection and waits (at most five seconds) for the forwarding tasks.</summary>
    /// <returns>A task that completes when the proxy is down.</returns>
    public async ValueTask DisposeAsync()
    {
        if (_stop.IsCancellationRequested)
        {
            return;
        }

        _stop.Cancel();
        _listener.Stop();
        CutAll(reset: true);
        Resume();
        Task[] tasks;
        lock (_gate)
        {
            tasks = [.. _tasks, _acceptLoop];
        }

        try
        {
            await Task.WhenAll(tasks).WaitAsync(s_disposeBound).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            throw new InvalidOperationException($"FaultProxy: forwarding tasks did not end within {s_disposeBound}.");
        }

        _stop.Dispose();
    }

    private static TaskCompletionSource Completed()
    {
        var completed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        completed.SetResult();
        return completed;
    }

    private static int Index(FaultProxyDirection direction) => direction switch
    {
        FaultProxyDirection.ClientToServer => 0,
        FaultProxyDirection.ServerToClient => 1,
        _ => throw new ArgumentOutOfRangeException(nameof(direction), direction, "One direction, not both."),
    };

    private FaultProxyLink[] Snapshot()
    {
        lock (_gate)
        {
            return [.. _links];
        }
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptSocketAsync(_stop.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            Interlocked.Increment(ref _accepted);
            client.NoDelay = true;
            if (Volatile.Read(ref _refusing) != 0)
            {
                Interlocked.Increment(ref _refused);
                client.LingerState = new LingerOption(true, 0);
                client.Dispose();
                continue;
            }

            Track(Task.Run(() => OpenLinkAsync(client)));
        }
    }

    private void Track(Task task)
    {
        lock (_gate)
        {
            _tasks.RemoveAll(t => t.IsCompleted);
            _tasks.Add(task);
        }
    }

    private async Task OpenLinkAsync(Socket client)
    {
        var server = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        using (var bound = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token))
        {
            bound.CancelAfter(ConnectTimeout);
            try
            {
                await server.ConnectAsync(new IPEndPoint(IPAddress.Loopback, TargetPort), bound.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                server.Dispose();
                client.LingerState = new LingerOption(true, 0);
                client.Dispose();
                return;
            }
        }

        var link = new FaultProxyLink(client, server, _stop.Token);
        lock (_gate)
        {
            if (_stop.IsCancellationRequested)
            {
                link.Close(reset: true);
                return;
            }

            _links.Add(link);
        }

        try
        {
            await Task.WhenAll(
                PumpAsync(link, client, server, FaultProxyDirection.ClientToServer),
                PumpAsync(link, server, client, FaultProxyDirection.ServerToClient)).ConfigureAwait(false);
        }
        finally
        {
            link.Close(reset: false);
            lock (_gate)
            {
                _links.Remove(link);
            }
        }
    }

    private async Task PumpAsync(FaultProxyLink link, Socket from, Socket to, FaultProxyDirection direction)
    {
        var index = Index(direction);
        var buffer = new byte[ChunkSize];
        var token = link.Closed;
        try
        {
            while (true)
            {
                var read = await from.ReceiveAsync(buffer, SocketFlags.None, token).ConfigureAwait(false);
                if (read == 0)
                {
                    link.HalfClose(index);
                    return;
                }

                Task flowing;
                lock (_gate)
                {
                    flowing = _flowing[index].Task;
                }

                await flowing.WaitAsync(token).ConfigureAwait(false);
                var delay = Interlocked.Read(ref _delayTicks);
                if (delay > 0)
                {
                    await Task.Delay(TimeSpan.FromTicks(delay), token).ConfigureAwait(false);
                }

                if (link.IsHalfClosed(index))
                {
                    continue; // cut this way: what the sender still writes goes nowhere
                }

                if (TakeMidChunkCut(direction, read) is { } keep)
                {
                    var forward = Math.Clamp(keep < 0 ? read / 2 : keep, 0, read - 1);
                    if (forward > 0)
                    {
                        await SendAsync(to, buffer.AsMemory(0, forward), index, token).ConfigureAwait(false);
                    }

                    link.Close(reset: true);
                    return;
                }

                var drip = Volatile.Read(ref _dripBytes);
                if (drip <= 0)
                {
                    await SendAsync(to, buffer.AsMemory(0, read), index, token).ConfigureAwait(false);
                    continue;
                }

                var pause = TimeSpan.FromTicks(Interlocked.Read(ref _dripPauseTicks));
                for (var offset = 0; offset < read; offset += drip)
                {
                    await SendAsync(to, buffer.AsMemory(offset, Math.Min(drip, read - offset)), index, token).ConfigureAwait(false);
                    if (pause > TimeSpan.Zero)
                    {
                        await Task.Delay(pause, token).ConfigureAwait(false);
                    }
                }
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            link.Close(reset: true);
        }
    }

    private int? TakeMidChunkCut(FaultProxyDirection direction, int length)
    {
        lock (_gate)
        {
            if (_cutMidChunk is { } cut && cut.Direction == direction && length >= cut.MinimumLength)
            {
                _cutMidChunk = null;
                return cut.Keep;
            }

            return null;
        }
    }

    private async Task SendAsync(Socket to, ReadOnlyMemory<byte> data, int index, CancellationToken token)
    {
        while (!data.IsEmpty)
        {
            var sent = await to.SendAsync(data, SocketFlags.None, token).ConfigureAwait(false);
            data = data[sent..];
            Interlocked.Increment(ref _sends[index]);
            Interlocked.Add(ref _bytes[index], sent);
        }
    }
}
