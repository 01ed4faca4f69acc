using System;
using System.Diagnostics;
using System.IO;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;
using System.Threading.Tasks.Sources;

namespace SailSocket.Engine.Transports.WebSockets;

/// <summary>
/// A thread of one managed socket's own (<see cref="EngineOptions.ReceiveThread"/>) that opens the connection, then waits
/// for the socket's data and runs what that data completes: the receive loop above, and the continuations it runs in
/// turn, as Node's event loop does. The socket never enters the runtime's socket engine, so a busy socket costs no epoll
/// wake-up and no thread-pool work item per read.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item>The connect (TCP, TLS, the upgrade) runs on this thread with blocking calls (<see cref="SocketStream"/>'s
/// blocking mode), each aborted by the connect's token: a socket whose first wait was asynchronous would be registered
/// with the runtime's epoll for life, and every later packet would wake its thread and queue a work item.</item>
/// <item>Then <see cref="SocketStream"/> asks it for every read. A read the socket can answer now is answered on the
/// caller's thread; one that must wait is left here and the caller's awaiter returns. The thread looks for data for
/// <see cref="SpinMicroseconds"/>, then waits in <see cref="Socket.Poll(int, SelectMode)"/>, and completes the read when
/// data comes: the awaiter's continuation runs on it (the socket is non-blocking from then on).</item>
/// <item>Held up: a continuation that blocks the thread (in a caller's code) would keep the socket unread. At the second
/// tick of the connection's timer that finds the thread inside one completion (<see cref="OnTick"/>), a new thread takes
/// over the socket; the held-up one ends when the caller's code lets it go. The connection goes on, and nothing waits
/// for the blocked code longer than about two ticks.</item>
/// <item>Closing: <see cref="Close"/> fails a read waiting here at once; the thread ends at its next wake-up, at most
/// <see cref="PollMilliseconds"/> later.</item>
/// </list>
/// </remarks>
internal sealed class SocketReceiveThread : IValueTaskSource<int>
{
    /// <summary>How long the thread waits in one call for data, or for a read to serve, before it looks again.</summary>
    internal const int PollMilliseconds = 250;

    /// <summary>How long the thread looks for data before it sleeps in the poll (docs/benchmarks.md: 60 µs took a lone
    /// answer from a local server at 0.62–0.68 × the floor's latency; without it, 1.4–1.9 ×).</summary>
    internal const int SpinMicroseconds = 60;

    private static readonly long s_spinTicks = Stopwatch.Frequency * SpinMicroseconds / 1_000_000;

    private const int Idle = 0;
    private const int Pending = 1;
    private const int Serving = 2;
    private const int Closed = 3;

    private readonly object _gate = new();

    private ManualResetValueTaskSourceCore<int> _completion = new() { RunContinuationsAsynchronously = false };

    /// <summary>The connect the first thread runs; cleared once it has run.</summary>
    private Func<SocketReceiveThread, Task>? _connect;

    /// <summary>The socket served, once connected; set by <see cref="Serve(SocketStream)"/>.</summary>
    private Socket? _socket;

    /// <summary>The managed id of the thread that serves the socket now (a held-up one was replaced).</summary>
    private int _threadId;

    /// <summary>Where the waiting read goes; set before <see cref="_state"/> turns <see cref="Pending"/>.</summary>
    private Memory<byte> _buffer;

    /// <summary>Idle, Pending (a read waits here), Serving (the thread receives it), Closed.</summary>
    private int _state;

    /// <summary>Counts the completions started, by whichever thread.</summary>
    private int _completions;

    /// <summary>The managed id of the thread inside a completion now; 0 for none.</summary>
    private int _busyThread;

    /// <summary>What the previous tick saw: the completion the serving thread was inside, or -1 for none. Only the timer's tick touches it.</summary>
    private int _busySeen = -1;

    /// <summary>Threads started for this socket (tests): 1, and one more per takeover.</summary>
    private int _threadsStarted;

    private SocketReceiveThread(Func<SocketReceiveThread, Task> connect) => _connect = connect;

    /// <summary>Whether the connection is open and its reads are served here (before: the connect's blocking calls).</summary>
    public bool IsServing => Volatile.Read(ref _socket) is not null;

    /// <summary>Whether the calling thread is the one serving the socket now.</summary>
    private bool IsCurrent => Environment.CurrentManagedThreadId == Volatile.Read(ref _threadId);

    /// <summary>Threads started for this socket (tests): 1, and one more per takeover.</summary>
    internal int ThreadsStarted => Volatile.Read(ref _threadsStarted);

    /// <summary>
    /// Starts a thread that runs <paramref name="connect"/> (which calls <see cref="Serve(SocketStream)"/> once the
    /// connection is open), then serves that socket's reads; the task ends with the connect, its continuations on the
    /// thread pool.
    /// </summary>
    public static Task<T> Start<T>(Func<SocketReceiveThread, Task<T>> connect)
    {
        var done = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        var receiver = new SocketReceiveThread(async self =>
        {
            try
            {
                done.SetResult(await connect(self).ConfigureAwait(false));
            }
#pragma warning disable CA1031 // Reported to the caller through the task.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                done.SetException(ex);
            }
        });
        receiver.StartThread();
        return done.Task;
    }

    /// <summary>Serves the reads of <paramref name="stream"/>'s socket from now on: the connection is open.</summary>
    public void Serve(SocketStream stream)
    {
        var socket = stream.Socket;
        socket.Blocking = false;
        Volatile.Write(ref _socket, socket);
    }

    /// <summary>
    /// A read of <paramref name="buffer"/> (empty: wait for data without a buffer); <see langword="false"/> once closed
    /// (the caller reads as it would without this thread, and learns it).
    /// </summary>
    public bool TryRead(Memory<byte> buffer, out ValueTask<int> read)
    {
        if (Volatile.Read(ref _state) == Closed)
        {
            read = default;
            return false;
        }

        // A wait for data without a buffer, asked on the serving thread: its own poll answers it (one call, not two).
        var current = IsCurrent;
        if (!(buffer.IsEmpty && current) && TryReceiveNow(buffer, out var count, out var error, readable: false))
        {
            read = error is null ? new ValueTask<int>(count) : ValueTask.FromException<int>(error);
            return true;
        }

        _buffer = buffer;
        _completion.Reset();
        if (Interlocked.CompareExchange(ref _state, Pending, Idle) != Idle)
        {
            _buffer = default;
            read = default;
            return false;
        }

        if (!current)
        {
            Wake();
        }

        read = new ValueTask<int>(this, _completion.Version);
        return true;
    }

    /// <summary>
    /// On each tick of the connection's timer: when the serving thread has been inside one completion since the previous
    /// tick (held up in a caller's code), a new thread takes over the socket.
    /// </summary>
    public void OnTick()
    {
        var completion = Volatile.Read(ref _completions);
        var busy = Volatile.Read(ref _busyThread) is var id && id != 0 && id == Volatile.Read(ref _threadId);
        var seen = _busySeen;
        _busySeen = busy ? completion : -1;
        if (busy && seen == completion && Volatile.Read(ref _state) != Closed)
        {
            _busySeen = -1;
            StartThread();
        }
    }

    /// <summary>Fails a read waiting here and lets the thread end (the stream is being disposed).</summary>
    public void Close()
    {
        var previous = Interlocked.Exchange(ref _state, Closed);
        Wake();
        if (previous == Pending)
        {
            _buffer = default;
            _completion.SetException(new ObjectDisposedException(nameof(Socket)));
        }
    }

    int IValueTaskSource<int>.GetResult(short token) => _completion.GetResult(token);

    ValueTaskSourceStatus IValueTaskSource<int>.GetStatus(short token) => _completion.GetStatus(token);

    void IValueTaskSource<int>.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _completion.OnCompleted(continuation, state, token, flags);

    /// <summary>What <see cref="NetworkStream"/> throws for a failed receive.</summary>
    private static IOException ReadFailed(SocketException ex) =>
        new($"Unable to read data from the transport connection: {ex.Message}.", ex);

    private void StartThread()
    {
        var thread = new Thread(static state => ((SocketReceiveThread)state!).Run(), maxStackSize: 0) { IsBackground = true, Name = "SailSocket receive" };
        Interlocked.Increment(ref _threadsStarted);

        // From now on the held-up thread, if any, serves nothing more: it ends when the caller's code lets it go.
        Volatile.Write(ref _threadId, thread.ManagedThreadId);
        thread.UnsafeStart(this);
    }

    /// <summary>
    /// A receive that does not wait: whether it finished, with <paramref name="count"/> bytes in <paramref name="buffer"/>
    /// (0: the end of the stream, or an empty buffer's wait is over) or with <paramref name="error"/>.
    /// </summary>
    /// <param name="buffer">Where the data goes; empty to learn only whether data waits.</param>
    /// <param name="count">The bytes received.</param>
    /// <param name="error">What the read reports instead.</param>
    /// <param name="readable">Whether a poll has just found the socket readable (a wait without a buffer is then over).</param>
    private bool TryReceiveNow(Memory<byte> buffer, out int count, out Exception? error, bool readable)
    {
        count = 0;
        error = null;
        try
        {
            if (buffer.IsEmpty)
            {
                // Readable: data, the end of the stream, or an error the next read reports.
                return readable || _socket!.Poll(0, SelectMode.SelectRead);
            }

            count = _socket!.Receive(buffer.Span, SocketFlags.None, out var code);
            if (code == SocketError.WouldBlock)
            {
                return false;
            }

            if (code != SocketError.Success)
            {
                count = 0;
                error = ReadFailed(new SocketException((int)code));
            }

            return true;
        }
        catch (ObjectDisposedException ex)
        {
            error = ex;
            return true;
        }
    }

    private void Run()
    {
        if (Interlocked.Exchange(ref _connect, null) is { } connect)
        {
            // Blocking calls all the way (SocketStream's blocking mode): the task is complete when it returns, whichever
            // way it went; if something in it waited asynchronously after all, this thread waits for it.
            connect(this).GetAwaiter().GetResult();
            if (_socket is null)
            {
                return;
            }
        }

        var readable = false;
        while (IsCurrent)
        {
            switch (Volatile.Read(ref _state))
            {
                case Closed:
                    return;
                case Pending:
                    readable = Serve(readable);
                    break;
                default:
                    lock (_gate)
                    {
                        // Checked under the lock that Wake takes after setting the state: no wake-up is missed.
                        if (Volatile.Read(ref _state) == Idle)
                        {
                            Monitor.Wait(_gate, PollMilliseconds);
                        }
                    }

                    break;
            }
        }
    }

    /// <summary>
    /// Receives the waiting read if the socket has data, or waits for data a while; returns whether that wait found the
    /// socket readable.
    /// </summary>
    private bool Serve(bool readable)
    {
        if (Interlocked.CompareExchange(ref _state, Serving, Pending) != Pending)
        {
            return false;
        }

        // A wait without a buffer goes straight to the poll, which returns at once when data waits.
        var buffer = _buffer;
        int count = 0;
        Exception? error = null;
        if ((buffer.IsEmpty && !readable) || !TryReceiveNow(buffer, out count, out error, readable))
        {
            if (Interlocked.CompareExchange(ref _state, Pending, Serving) != Serving)
            {
                // Closed while this thread held the read (Close leaves a read being served to it): it fails here.
                _buffer = default;
                _completion.SetException(new ObjectDisposedException(nameof(Socket)));
                return false;
            }

            try
            {
                return SpinForData() || _socket!.Poll(PollMilliseconds * 1000, SelectMode.SelectRead);
            }
            catch (ObjectDisposedException)
            {
                // Disposed beside this wait: the next try reports it to the read.
                return true;
            }
        }

        _buffer = default;

        // Closed meanwhile: the read still gets what was received (the next one fails).
        Interlocked.CompareExchange(ref _state, Idle, Serving);
        var me = Environment.CurrentManagedThreadId;
        Interlocked.Increment(ref _completions);
        Volatile.Write(ref _busyThread, me);
        try
        {
            if (error is null)
            {
                _completion.SetResult(count);
            }
            else
            {
                _completion.SetException(error);
            }
        }
        finally
        {
            Interlocked.CompareExchange(ref _busyThread, 0, me);
        }

        return false;
    }

    /// <summary>
    /// Looks for data for up to <see cref="SpinMicroseconds"/> before the thread sleeps in the poll: an answer that comes
    /// that soon (a nearby server) is taken without the wake-up a sleeping thread pays, as the thread pool's spinning
    /// workers take it on the default path.
    /// </summary>
    private bool SpinForData()
    {
        var until = Stopwatch.GetTimestamp() + s_spinTicks;
        do
        {
            Thread.SpinWait(20);
            if (_socket!.Poll(0, SelectMode.SelectRead))
            {
                return true;
            }
        }
        while (Stopwatch.GetTimestamp() < until);
        return false;
    }

    private void Wake()
    {
        lock (_gate)
        {
            Monitor.PulseAll(_gate);
        }
    }
}
