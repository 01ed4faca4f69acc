using System.Buffers;
using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using BenchmarkDotNet.Attributes;
using SailSocket.Engine.Transports.WebSockets;

namespace SailSocket.Benchmarks;

/// <summary>
/// <see cref="Messages"/> Sails-sized WebSocket messages (160 bytes) sent by the BCL's WebSocket over a real loopback
/// TCP connection (a task drains the other end): each frame its own write to the socket (what <c>ClientWebSocket</c>
/// does) against the same frames gathered by <see cref="CoalescingStream"/> and written once. With one message the
/// stream passes the write through: the lone-message case must cost nothing extra.
/// </summary>
public class CoalescedWriteBenchmarks
{
    private readonly byte[] _message = new byte[160];
    private Socket _listener = null!;
    private Socket _client = null!;
    private Socket _server = null!;
    private Task _drain = Task.CompletedTask;
    private WebSocket _direct = null!;
    private WebSocket _coalesced = null!;
    private CoalescingStream _stream = null!;

    [Params(1, 8, 32)]
    public int Messages { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _message.AsSpan().Fill((byte)'x');
        _listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        _listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _listener.Listen(1);
        _client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        _client.Connect(_listener.LocalEndPoint!);
        _server = _listener.Accept();
        _drain = Task.Run(async () =>
        {
            var buffer = new byte[64 * 1024];
            while (await _server.ReceiveAsync(buffer) > 0)
            {
            }
        });
        var network = new NetworkStream(_client, ownsSocket: false);
        _direct = WebSocket.CreateFromStream(network, new WebSocketCreationOptions { IsServer = false, KeepAliveInterval = TimeSpan.Zero });
        _stream = new CoalescingStream(network, ArrayPool<byte>.Shared);
        _coalesced = WebSocket.CreateFromStream(_stream, new WebSocketCreationOptions { IsServer = false, KeepAliveInterval = TimeSpan.Zero });
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _client.Shutdown(SocketShutdown.Both);
        _client.Dispose();
        _drain.Wait(TimeSpan.FromSeconds(5));
        _server.Dispose();
        _listener.Dispose();
    }

    [Benchmark(Baseline = true, Description = "one socket write per frame")]
    public async Task Direct()
    {
        for (var i = 0; i < Messages; i++)
        {
            await _direct.SendAsync(_message, WebSocketMessageType.Text, endOfMessage: true, CancellationToken.None);
        }
    }

    [Benchmark(Description = "CoalescingStream: one write per batch")]
    public async Task Coalesced()
    {
        if (Messages > 1)
        {
            _stream.Cork();
        }

        for (var i = 0; i < Messages; i++)
        {
            await _coalesced.SendAsync(_message, WebSocketMessageType.Text, endOfMessage: true, CancellationToken.None);
        }

        await _stream.FlushBatchAsync();
    }
}
