using System.Net;
using System.Net.Sockets;
using SailSocket.Engine.Transports.WebSockets;
using SailSocket.UnitTests.Infrastructure;
using Xunit;

namespace SailSocket.UnitTests.Engine.WebSockets;

/// <summary>
/// A managed socket's own receive thread (<see cref="SailSocket.Engine.EngineOptions.ReceiveThread"/>), on a real loopback
/// connection: it opens the connection with blocking calls, then waits for data and completes reads on itself; closing
/// fails a waiting read at once; a thread held up in a continuation is replaced at the second tick.
/// </summary>
[Collection(RealTimeGroup.Name)]
public sealed class SocketReceiveThreadTests
{
    private const string ThreadName = "SailSocket receive";

    [Fact]
    public async Task The_connect_and_the_reads_that_wait_run_on_the_sockets_own_thread()
    {
        using var listener = Listen();
        string? connectedOn = null;
        var connect = SocketReceiveThread.Start(thread =>
        {
            connectedOn = Thread.CurrentThread.Name;
            return Task.FromResult(Connect(thread, listener, CancellationToken.None));
        });
        using var server = await listener.AcceptAsync().WaitAsync(TestTimeouts.Default);
        using var stream = await connect.WaitAsync(TestTimeouts.Default);
        Assert.Equal(ThreadName, connectedOn);
        Assert.True(stream.ReceiveThread!.IsServing);
        Assert.True(!stream.Socket.Blocking, "the socket is non-blocking once served");

        var buffer = new byte[8];
        var read = stream.ReadAsync(buffer);
        Assert.False(read.IsCompleted);
        var resumedOn = read.AsTask().ContinueWith(t => (t.Result, Thread.CurrentThread.Name), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        await server.SendAsync("hello"u8.ToArray());
        var (count, name) = await resumedOn.WaitAsync(TestTimeouts.Default);
        Assert.Equal(5, count);
        Assert.Equal("hello"u8.ToArray(), buffer[..5]);
        Assert.Equal(ThreadName, name);

        // Data that is there already is read on the caller's thread, at once.
        await server.SendAsync("now"u8.ToArray());
        await WaitUntilAsync(() => stream.Socket.Available == 3);
        var ready = stream.ReadAsync(buffer);
        Assert.True(ready.IsCompletedSuccessfully);
        Assert.Equal(3, await ready);

        // A wait without a buffer ends when data comes, and leaves the data to the next read.
        var wait = stream.ReadAsync(Memory<byte>.Empty).AsTask();
        await Task.Delay(TestTimeouts.Quiet);
        Assert.False(wait.IsCompleted);
        await server.SendAsync("x"u8.ToArray());
        Assert.Equal(0, await wait.WaitAsync(TestTimeouts.Default));
        Assert.Equal(1, await stream.ReadAsync(buffer).AsTask().WaitAsync(TestTimeouts.Default));

        // The end of the stream reads as 0.
        server.Shutdown(SocketShutdown.Send);
        Assert.Equal(0, await stream.ReadAsync(buffer).AsTask().WaitAsync(TestTimeouts.Default));
        Assert.Equal(1, stream.ReceiveThread.ThreadsStarted);
    }

    [Fact]
    public async Task Closing_fails_a_waiting_read_at_once_and_the_peer_sees_the_close()
    {
        using var listener = Listen();
        var connect = SocketReceiveThread.Start(thread => Task.FromResult(Connect(thread, listener, CancellationToken.None)));
        using var server = await listener.AcceptAsync().WaitAsync(TestTimeouts.Default);
        var stream = await connect.WaitAsync(TestTimeouts.Default);

        var read = stream.ReadAsync(new byte[8]).AsTask();
        await Task.Delay(TestTimeouts.Quiet);
        Assert.False(read.IsCompleted);
        var closedAt = DateTime.UtcNow;
        stream.Dispose();

        await Assert.ThrowsAsync<ObjectDisposedException>(() => read.WaitAsync(TestTimeouts.Default));
        Assert.Equal(0, await server.ReceiveAsync(new byte[1]).WaitAsync(TestTimeouts.Default));

        // Not held until the thread's poll ends (250 ms).
        Assert.True(DateTime.UtcNow - closedAt < TimeSpan.FromMilliseconds(SocketReceiveThread.PollMilliseconds), "the close waited for the receive thread's poll");
    }

    [Fact]
    public async Task A_read_waiting_at_close_always_completes_whatever_the_thread_is_doing()
    {
        // The close may come while the thread is looking at the socket for that very read (it holds it then): each of
        // these reads must still fail, never hang.
        using var listener = Listen();
        listener.Listen(16);
        for (var i = 0; i < 300; i++)
        {
            var connect = SocketReceiveThread.Start(thread => Task.FromResult(Connect(thread, listener, CancellationToken.None)));
            using var server = await listener.AcceptAsync().WaitAsync(TestTimeouts.Default);
            var stream = await connect.WaitAsync(TestTimeouts.Default);
            var read = stream.ReadAsync(new byte[8]).AsTask();
            Thread.SpinWait((i % 100) * 50);
            stream.Dispose();
            var outcome = await Record.ExceptionAsync(() => read.WaitAsync(TestTimeouts.Default));
            Assert.True(outcome is ObjectDisposedException or IOException, $"iteration {i}: {outcome}");
        }
    }

    [Fact]
    public async Task A_thread_held_up_in_a_continuation_is_replaced_at_the_second_tick_and_the_socket_goes_on()
    {
        using var listener = Listen();
        var connect = SocketReceiveThread.Start(thread => Task.FromResult(Connect(thread, listener, CancellationToken.None)));
        using var server = await listener.AcceptAsync().WaitAsync(TestTimeouts.Default);
        using var stream = await connect.WaitAsync(TestTimeouts.Default);
        var receiver = stream.ReceiveThread!;
        using var release = new ManualResetEventSlim();
        var second = new TaskCompletionSource<Task<int>>(TaskCreationOptions.RunContinuationsAsynchronously);

        // The first read's continuation asks for the next read, then blocks the receive thread (a caller's code).
        var buffer = new byte[8];
        var first = stream.ReadAsync(buffer).AsTask().ContinueWith(
            _ =>
            {
                second.SetResult(stream.ReadAsync(new byte[8]).AsTask());
                release.Wait(TestTimeouts.Default);
                return Environment.CurrentManagedThreadId;
            },
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
        await server.SendAsync("a"u8.ToArray());
        var next = await second.Task.WaitAsync(TestTimeouts.Default);

        // The first tick that finds the thread inside the completion only notes it; the second takes over.
        receiver.OnTick();
        Assert.Equal(1, receiver.ThreadsStarted);
        receiver.OnTick();
        Assert.Equal(2, receiver.ThreadsStarted);

        await server.SendAsync("bc"u8.ToArray());
        Assert.Equal(2, await next.WaitAsync(TestTimeouts.Default));
        Assert.False(first.IsCompleted, "the first thread is still held up");

        release.Set();
        await first.WaitAsync(TestTimeouts.Default);

        // The new thread goes on serving, and an idle one is never taken over.
        var third = stream.ReadAsync(buffer).AsTask();
        receiver.OnTick();
        receiver.OnTick();
        receiver.OnTick();
        await server.SendAsync("d"u8.ToArray());
        Assert.Equal(1, await third.WaitAsync(TestTimeouts.Default));
        Assert.Equal(2, receiver.ThreadsStarted);
    }

    [Fact]
    public async Task A_connect_cancelled_while_it_blocks_on_the_server_fails_at_once_as_cancelled()
    {
        using var listener = Listen();
        using var cancel = new CancellationTokenSource();
        var connect = SocketReceiveThread.Start(thread =>
        {
            var stream = Connect(thread, listener, cancel.Token, serve: false);

            // A handshake read the server never answers: a blocking call on this thread, aborted by the token.
            var read = stream.ReadAsync(new byte[8], cancel.Token);
            Exception? error = read.IsCompleted ? null : new InvalidOperationException("the connect's read did not block");
            try
            {
                read.GetAwaiter().GetResult();
            }
            catch (Exception ex) when (error is null)
            {
                error = ex;
            }

            return Task.FromResult((error, stream));
        });
        using var server = await listener.AcceptAsync().WaitAsync(TestTimeouts.Default);
        await Task.Delay(TestTimeouts.Quiet);
        Assert.False(connect.IsCompleted);

        await cancel.CancelAsync();
        var (error, stream) = await connect.WaitAsync(TestTimeouts.Default);
        using var _ = stream;
        var cancelled = Assert.IsAssignableFrom<OperationCanceledException>(error);
        Assert.Equal(cancel.Token, cancelled.CancellationToken);
        Assert.True(stream.Socket.SafeHandle.IsClosed);
    }

    [Fact]
    public async Task Every_thread_ends_once_its_socket_is_closed()
    {
        if (!OperatingSystem.IsLinux())
        {
            return; // counts the process's threads by name in /proc
        }

        using var listener = Listen();
        listener.Listen(16);
        var peers = new List<Socket>();
        var streams = new List<SocketStream>();
        for (var i = 0; i < 8; i++)
        {
            var connect = SocketReceiveThread.Start(thread => Task.FromResult(Connect(thread, listener, CancellationToken.None)));
            peers.Add(await listener.AcceptAsync().WaitAsync(TestTimeouts.Default));
            streams.Add(await connect.WaitAsync(TestTimeouts.Default));
        }

        // Half wait for data, half are idle (no read asked).
        var reads = streams.Take(4).Select(s => s.ReadAsync(new byte[4]).AsTask()).ToList();
        Assert.True(CountReceiveThreads() >= 8);

        foreach (var stream in streams)
        {
            stream.Dispose();
        }

        foreach (var read in reads)
        {
            await Assert.ThrowsAsync<ObjectDisposedException>(() => read.WaitAsync(TestTimeouts.Default));
        }

        await WaitUntilAsync(() => CountReceiveThreads() == 0);
        foreach (var peer in peers)
        {
            peer.Dispose();
        }
    }

    /// <summary>This process's threads named for a receive thread (Linux keeps the first 15 bytes of a name).</summary>
    private static int CountReceiveThreads() =>
        Directory.EnumerateDirectories("/proc/self/task").Count(static task =>
        {
            try
            {
                return File.ReadAllText(Path.Combine(task, "comm")).StartsWith(ThreadName[..15], StringComparison.Ordinal);
            }
            catch (IOException)
            {
                return false; // the thread ended meanwhile
            }
        });

    [Fact]
    public void A_blocking_connect_tries_each_address_in_turn()
    {
        // A host name's addresses (looked up before the thread starts): ::1 refuses (the listener is on 127.0.0.1 only).
        using var listener = Listen();
        var port = ((IPEndPoint)listener.LocalEndPoint!).Port;
        using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
        SocketStream.ConnectBlocking(socket, [IPAddress.IPv6Loopback, IPAddress.Loopback], port, CancellationToken.None);
        Assert.True(socket.Connected);
        Assert.Equal(port, ((IPEndPoint)socket.RemoteEndPoint!).Port);
    }

    private static Socket Listen()
    {
        var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(1);
        return listener;
    }

    /// <summary>What the managed connector does on the receive thread: a blocking connect, then the socket served.</summary>
    private static SocketStream Connect(SocketReceiveThread thread, Socket listener, CancellationToken cancellationToken, bool serve = true)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        var bound = (IPEndPoint)listener.LocalEndPoint!;
        SocketStream.ConnectBlocking(socket, [bound.Address], bound.Port, cancellationToken);
        var stream = new SocketStream(socket, thread);
        if (serve)
        {
            thread.Serve(stream);
        }

        return stream;
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + TestTimeouts.Default;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "the condition did not hold in time");
            await Task.Delay(5);
        }
    }
}
