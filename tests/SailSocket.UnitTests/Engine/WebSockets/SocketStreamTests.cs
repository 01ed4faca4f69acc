using System.Net;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using SailSocket.Engine.Transports.WebSockets;
using SailSocket.UnitTests.Infrastructure;
using Xunit;

namespace SailSocket.UnitTests.Engine.WebSockets;

/// <summary>
/// The managed engine's stream over its socket, on a real loopback connection: a cancellable token never reaches the
/// socket (so an idle socket keeps no connect-time token source alive), cancelling aborts, and writes through the pooled
/// send operations deliver every byte, in order, or fail as <see cref="NetworkStream"/> does.
/// </summary>
[Collection(RealTimeGroup.Name)]
public sealed class SocketStreamTests
{
    [Fact]
    public async Task A_read_that_waited_with_a_cancellable_token_keeps_no_reference_to_its_source()
    {
        var (client, server) = await PairAsync();
        using var peer = server;
        using var stream = new SocketStream(client);

        var source = ReadWithSource(stream, server);
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();

        // Over a NetworkStream the socket's cached receive operation keeps the disposed registration, and through it the
        // source (on Linux): the chain of linked connect bounds every idle managed socket used to hold.
        Assert.False(source.IsAlive, "the socket still references the token source of a finished read");

        // The stream goes on working, and an idle wait with no token holds nothing either.
        var buffer = new byte[4];
        var read = stream.ReadAsync(buffer).AsTask();
        await server.SendAsync("next"u8.ToArray());
        Assert.Equal(4, await read.WaitAsync(TestTimeouts.Default));
    }

    [Fact]
    public async Task Cancelling_a_pending_read_aborts_the_socket_and_carries_the_token()
    {
        var (client, server) = await PairAsync();
        using var peer = server;
        using var stream = new SocketStream(client);
        using var cancel = new CancellationTokenSource();

        var read = stream.ReadAsync(new byte[16], cancel.Token).AsTask();
        await Task.Delay(TestTimeouts.Quiet);
        Assert.False(read.IsCompleted);
        await cancel.CancelAsync();

        var error = await Assert.ThrowsAnyAsync<OperationCanceledException>(() => read.WaitAsync(TestTimeouts.Default));
        Assert.Equal(cancel.Token, error.CancellationToken);
        Assert.True(client.SafeHandle.IsClosed);

        // The peer sees the connection end: closed, or reset.
        try
        {
            Assert.Equal(0, await server.ReceiveAsync(new byte[1]).WaitAsync(TestTimeouts.Default));
        }
        catch (SocketException ex) when (ex.SocketErrorCode == SocketError.ConnectionReset)
        {
        }
    }

    [Fact]
    public async Task An_already_cancelled_token_fails_at_once_without_touching_the_socket()
    {
        var (client, server) = await PairAsync();
        using var peer = server;
        using var stream = new SocketStream(client);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => stream.ReadAsync(new byte[1], new CancellationToken(canceled: true)).AsTask());
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => stream.WriteAsync(new byte[1], new CancellationToken(canceled: true)).AsTask());

        await stream.WriteAsync("ok"u8.ToArray());
        var buffer = new byte[2];
        Assert.Equal(2, await server.ReceiveAsync(buffer).WaitAsync(TestTimeouts.Default));
    }

    [Fact]
    public async Task Writes_that_wait_for_a_slow_reader_deliver_every_byte_in_order()
    {
        var (client, server) = await PairAsync();
        using var peer = server;
        using var stream = new SocketStream(client);
        client.SendBufferSize = 8192;
        server.ReceiveBufferSize = 8192;

        // Small writes (completing at once) around one large write that must wait for the reader many times over.
        var large = new byte[4 * 1024 * 1024];
        new Random(18).NextBytes(large);
        var expected = new List<byte>();
        var writes = Task.Run(async () =>
        {
            for (var i = 0; i < 100; i++)
            {
                await stream.WriteAsync(new[] { (byte)i });
            }

            await stream.WriteAsync(large, CancellationToken.None);
            await stream.WriteAsync("end"u8.ToArray(), new CancellationTokenSource().Token);
        });
        for (var i = 0; i < 100; i++)
        {
            expected.Add((byte)i);
        }

        expected.AddRange(large);
        expected.AddRange("end"u8.ToArray());

        var received = new byte[expected.Count];
        var count = 0;
        var chunk = new byte[3000];
        while (count < received.Length)
        {
            var read = await server.ReceiveAsync(chunk).WaitAsync(TestTimeouts.Default);
            Assert.NotEqual(0, read);
            chunk.AsSpan(0, read).CopyTo(received.AsSpan(count));
            count += read;
        }

        await writes.WaitAsync(TestTimeouts.Default);
        Assert.True(expected.ToArray().AsSpan().SequenceEqual(received), "the bytes received differ from the bytes written");
        Assert.InRange(SocketSendOperation.PooledCount, 0, SocketSendOperation.MaxPooled);
    }

    [Fact]
    public async Task Cancelling_a_write_the_peer_does_not_read_aborts_with_the_token()
    {
        var (client, server) = await PairAsync();
        using var peer = server;
        using var stream = new SocketStream(client);
        using var cancel = new CancellationTokenSource();

        var write = stream.WriteAsync(new byte[16 * 1024 * 1024], cancel.Token).AsTask();
        await Task.Delay(TestTimeouts.Quiet);
        Assert.False(write.IsCompleted);
        await cancel.CancelAsync();

        var error = await Assert.ThrowsAnyAsync<OperationCanceledException>(() => write.WaitAsync(TestTimeouts.Default));
        Assert.Equal(cancel.Token, error.CancellationToken);
        Assert.True(client.SafeHandle.IsClosed);
    }

    [Fact]
    public async Task Writing_to_a_reset_connection_fails_with_IOException_and_to_a_disposed_one_with_ObjectDisposedException()
    {
        var (client, server) = await PairAsync();
        var stream = new SocketStream(client);
        server.LingerState = new LingerOption(enable: true, seconds: 0);
        server.Dispose(); // RST

        var deadline = DateTime.UtcNow + TestTimeouts.Default;
        IOException? failure = null;
        while (failure is null && DateTime.UtcNow < deadline)
        {
            try
            {
                await stream.WriteAsync(new byte[1024]);
                await Task.Delay(10);
            }
            catch (IOException ex)
            {
                failure = ex;
            }
        }

        Assert.NotNull(failure);
        Assert.IsType<SocketException>(failure.InnerException);

        stream.Dispose();
        await Assert.ThrowsAsync<ObjectDisposedException>(() => stream.WriteAsync(new byte[1]).AsTask());
    }

    /// <summary>
    /// A read with a cancellable token that waits, then completes; returns a weak reference to the (disposed) source.
    /// Not async, so that nothing of this frame (a completed state machine) can keep the source alive.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static WeakReference ReadWithSource(Stream stream, Socket server)
    {
        var source = new CancellationTokenSource();
        var buffer = new byte[8];
        var read = stream.ReadAsync(buffer, source.Token).AsTask();
        Thread.Sleep(TestTimeouts.Quiet);
        Assert.False(read.IsCompleted); // it waited, as the handshake's reads do
        server.Send("data"u8);
        Assert.True(read.Wait(TestTimeouts.Default));
        Assert.Equal(4, read.Result);
        source.Dispose();
        return new WeakReference(source);
    }

    private static async Task<(Socket Client, Socket Server)> PairAsync()
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(1);
        var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        var accept = listener.AcceptAsync();
        await client.ConnectAsync(listener.LocalEndPoint!).WaitAsync(TestTimeouts.Default);
        return (client, await accept.WaitAsync(TestTimeouts.Default));
    }
}
