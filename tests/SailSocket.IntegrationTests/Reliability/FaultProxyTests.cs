using System.Net;
using System.Net.Sockets;
using SailSocket.TestServers;

namespace SailSocket.IntegrationTests.Reliability;

/// <summary>The fault proxy itself, against a TCP echo server: each fault does what the fault tests rely on.</summary>
public sealed class FaultProxyTests : IAsyncLifetime
{
    private readonly TcpListener _echo = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private Task _echoLoop = Task.CompletedTask;
    private FaultProxy _proxy = null!;

    public Task InitializeAsync()
    {
        _echo.Start();
        _echoLoop = Task.Run(EchoLoopAsync);
        _proxy = FaultProxy.Start(((IPEndPoint)_echo.LocalEndpoint).Port);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _proxy.DisposeAsync();
        _stop.Cancel();
        _echo.Stop();
        await _echoLoop.Within(5);
    }

    [Fact]
    public async Task Forwards_both_ways_and_drips_one_byte_per_segment()
    {
        using var client = await ConnectAsync();
        await client.SendAsync("hello"u8.ToArray());
        Assert.Equal("hello", await ReadAsync(client, 5));

        // The echo's sends are counted once they complete, which may be after the client read it: let the count settle
        // (sends and bytes are counted together), or the drip's ten would be read against a count still missing them.
        await Bound.Until(() => _proxy.BytesForwarded(FaultProxyDirection.ServerToClient) >= 5, 5);
        _proxy.Drip(1, TimeSpan.FromMilliseconds(1));
        var before = _proxy.SendsForwarded(FaultProxyDirection.ServerToClient);
        await client.SendAsync("0123456789"u8.ToArray());
        Assert.Equal("0123456789", await ReadAsync(client, 10));

        // The proxy counts a send once it has completed, which may be just after the client has read its byte.
        await Bound.Until(() => _proxy.SendsForwarded(FaultProxyDirection.ServerToClient) - before >= 10, 5);
        Assert.Equal(10, _proxy.SendsForwarded(FaultProxyDirection.ServerToClient) - before);
    }

    [Fact]
    public async Task A_stall_holds_the_bytes_with_the_connection_open_and_resume_delivers_them_in_order()
    {
        using var client = await ConnectAsync();
        _proxy.Stall();
        await client.SendAsync("abc"u8.ToArray());
        var read = ReadAsync(client, 6);

        // A quiet period, not a barrier: a stalled proxy forwards nothing, so nothing can follow the bytes it holds.
        await Task.Delay(300);
        Assert.False(read.IsCompleted);
        Assert.Equal(0, _proxy.BytesForwarded(FaultProxyDirection.ClientToServer));
        Assert.Equal(1, _proxy.OpenConnectionCount);
        await client.SendAsync("def"u8.ToArray());

        _proxy.Resume();
        Assert.Equal("abcdef", await read.Within(5));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task CutAll_ends_the_clients_stream_with_a_reset_or_a_fin(bool reset)
    {
        using var client = await ConnectAsync();
        await Bound.Until(() => _proxy.OpenConnectionCount == 1, 5);
        Assert.Equal(1, _proxy.CutAll(reset));
        var buffer = new byte[16];
        if (reset)
        {
            await Assert.ThrowsAsync<SocketException>(async () => await client.ReceiveAsync(buffer, Bound.Seconds(5)));
        }
        else
        {
            Assert.Equal(0, await client.ReceiveAsync(buffer, Bound.Seconds(5)));
        }
    }

    [Fact]
    public async Task CutDirection_server_to_client_sends_a_fin_to_the_client_only()
    {
        using var client = await ConnectAsync();
        await Bound.Until(() => _proxy.OpenConnectionCount == 1, 5);
        _proxy.CutDirection(FaultProxyDirection.ServerToClient);
        Assert.Equal(0, await client.ReceiveAsync(new byte[16], Bound.Seconds(5)));
    }

    [Fact]
    public async Task A_cut_in_the_next_chunk_forwards_part_of_it_then_resets()
    {
        using var client = await ConnectAsync();
        _proxy.CutInNextChunk(FaultProxyDirection.ServerToClient, keepBytes: 4);
        await client.SendAsync("0123456789"u8.ToArray());
        var received = new List<byte>();
        var buffer = new byte[16];
        var error = await Record.ExceptionAsync(async () =>
        {
            while (true)
            {
                var n = await client.ReceiveAsync(buffer, Bound.Seconds(5));
                if (n == 0)
                {
                    return;
                }

                received.AddRange(buffer.AsSpan(0, n).ToArray());
            }
        });
        Assert.True(error is null or SocketException, error?.ToString());
        Assert.Equal("0123"u8.ToArray(), received);
        Assert.False(_proxy.MidChunkCutArmed);
    }

    [Fact]
    public async Task Refused_connections_are_reset_until_resume()
    {
        _proxy.RefuseConnections();
        var outcome = await Record.ExceptionAsync(async () =>
        {
            using var refused = await ConnectAsync();
            Assert.Equal(0, await refused.ReceiveAsync(new byte[1], Bound.Seconds(5)));
        });
        Assert.True(outcome is null or SocketException, outcome?.ToString());
        await Bound.Until(() => _proxy.RefusedCount == 1, 5);
        _proxy.Resume();
        using var client = await ConnectAsync();
        await client.SendAsync("ok"u8.ToArray());
        Assert.Equal("ok", await ReadAsync(client, 2));
    }

    [Fact]
    public async Task Delay_holds_each_chunk()
    {
        using var client = await ConnectAsync();
        _proxy.Delay(TimeSpan.FromMilliseconds(300));
        var started = DateTime.UtcNow;
        await client.SendAsync("x"u8.ToArray());
        Assert.Equal("x", await ReadAsync(client, 1));
        Assert.True(DateTime.UtcNow - started >= TimeSpan.FromMilliseconds(550)); // once each way
    }

    private async Task<Socket> ConnectAsync()
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, _proxy.Port), Bound.Seconds(5));
        return socket;
    }

    private static async Task<string> ReadAsync(Socket socket, int count)
    {
        var buffer = new byte[count];
        var read = 0;
        var ct = Bound.Seconds(5);
        while (read < count)
        {
            var n = await socket.ReceiveAsync(buffer.AsMemory(read), SocketFlags.None, ct);
            Assert.NotEqual(0, n);
            read += n;
        }

        return System.Text.Encoding.ASCII.GetString(buffer);
    }

    private async Task EchoLoopAsync()
    {
        var connections = new List<Task>();
        try
        {
            while (true)
            {
                var socket = await _echo.AcceptSocketAsync(_stop.Token);
                connections.Add(Task.Run(async () =>
                {
                    using (socket)
                    {
                        var buffer = new byte[1024];
                        try
                        {
                            int n;
                            while ((n = await socket.ReceiveAsync(buffer, SocketFlags.None, _stop.Token)) > 0)
                            {
                                await socket.SendAsync(buffer.AsMemory(0, n), SocketFlags.None, _stop.Token);
                            }
                        }
                        catch (Exception ex) when (ex is SocketException or OperationCanceledException)
                        {
                        }
                    }
                }));
            }
        }
        catch (Exception ex) when (ex is SocketException or OperationCanceledException or ObjectDisposedException)
        {
        }

        await Task.WhenAll(connections);
    }
}
