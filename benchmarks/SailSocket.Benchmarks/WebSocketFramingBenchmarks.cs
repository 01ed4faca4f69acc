using System.Buffers;
using System.Net.WebSockets;
using BenchmarkDotNet.Attributes;
using SailSocket.Engine.Transports.WebSockets;

namespace SailSocket.Benchmarks;

/// <summary>
/// One WebSocket message each way through the framing alone, over a stream whose reads replay a server frame and whose
/// writes vanish: the BCL's client WebSocket (<see cref="WebSocket.CreateFromStream(Stream, WebSocketCreationOptions)"/>,
/// what the managed engine used) against <see cref="OwnedWebSocket"/>. Send: header, mask key, masked copy of a
/// <see cref="Size"/>-byte text payload. Receive: what <c>WebSocketTransport</c> does (a zero-byte receive, then the payload).
/// </summary>
public class WebSocketFramingBenchmarks
{
    private byte[] _payload = [];
    private byte[] _buffer = [];
    private WebSocket _bcl = null!;
    private WebSocket _owned = null!;

    /// <summary>A Sails request envelope is ~150–400 bytes; 16 KiB is a larger body.</summary>
    [Params(160, 16 * 1024)]
    public int Size { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _payload = new byte[Size];
        Array.Fill(_payload, (byte)'a');
        _buffer = new byte[Size + 64];
        var frame = new List<byte> { 0x81 };
        if (Size <= 125)
        {
            frame.Add((byte)Size);
        }
        else
        {
            frame.AddRange(new byte[] { 126, (byte)(Size >> 8), (byte)Size });
        }

        frame.AddRange(_payload);
        _bcl = WebSocket.CreateFromStream(new LoopingStream([], [.. frame]), new WebSocketCreationOptions { IsServer = false, KeepAliveInterval = TimeSpan.Zero });
        _owned = new OwnedWebSocket(new LoopingStream([], [.. frame]), ArrayPool<byte>.Shared);
        if (ReceiveBcl() != Size || ReceiveOwned() != Size)
        {
            throw new InvalidOperationException("A receive did not return the whole message.");
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _bcl.Dispose();
        _owned.Dispose();
    }

    [Benchmark(Baseline = true, Description = "send, BCL ManagedWebSocket")]
    public void SendBcl() => Complete(_bcl.SendAsync(_payload.AsMemory(), WebSocketMessageType.Text, true, CancellationToken.None));

    [Benchmark(Description = "send, OwnedWebSocket")]
    public void SendOwned() => Complete(_owned.SendAsync(_payload.AsMemory(), WebSocketMessageType.Text, true, CancellationToken.None));

    [Benchmark(Description = "receive, BCL ManagedWebSocket")]
    public int ReceiveBcl() => Receive(_bcl);

    [Benchmark(Description = "receive, OwnedWebSocket")]
    public int ReceiveOwned() => Receive(_owned);

    private int Receive(WebSocket socket)
    {
        var first = socket.ReceiveAsync(Memory<byte>.Empty, CancellationToken.None);
        if (!first.IsCompletedSuccessfully)
        {
            throw new InvalidOperationException("The receive did not complete at once.");
        }

        var count = 0;
        while (true)
        {
            var next = socket.ReceiveAsync(_buffer.AsMemory(count), CancellationToken.None);
            if (!next.IsCompletedSuccessfully)
            {
                throw new InvalidOperationException("The receive did not complete at once.");
            }

            var result = next.Result;
            count += result.Count;
            if (result.EndOfMessage)
            {
                return count;
            }
        }
    }

    private static void Complete(ValueTask send)
    {
        if (!send.IsCompletedSuccessfully)
        {
            throw new InvalidOperationException("The send did not complete at once.");
        }
    }
}
