using System.Buffers;
using System.Net.WebSockets;
using BenchmarkDotNet.Attributes;
using SailSocket.Engine;

namespace SailSocket.Benchmarks;

/// <summary>
/// The per-message cost of the receive path over an in-memory stream: the same server frames (1,000 Socket.IO events of
/// ≈ 75 B, served in an endless loop after an Engine.IO open packet) read by a bare <see cref="WebSocket"/> loop (the
/// floor), by the same loop doing what the Engine's WebSocket transport does around each read (a pooled buffer; a
/// zero-byte read first, so that an idle socket holds no buffer), and by <see cref="EngineConnection.ReceiveAsync"/>. The sockets and the connection are opened
/// once in the global setup, so only receives are measured; connecting is measured apart in
/// <see cref="ReceivePathConnectBenchmarks"/>.
/// </summary>
public class ReceivePathBenchmarks
{
    private const int Messages = 1000;

    /// <summary>What the Engine's WebSocket transport rents for a message.</summary>
    private const int ReceiveBufferSize = 4096;
    private WebSocket _raw = null!;
    private WebSocket _rawPooled = null!;
    private WebSocket _rawZeroByte = null!;
    private EngineConnection _engine = null!;
    private byte[] _buffer = null!;

    [GlobalSetup]
    public void Setup()
    {
        var loop = ServerScript.Events(Messages);
        _raw = ServerScript.ClientOver(new LoopingStream([], loop));
        _rawPooled = ServerScript.ClientOver(new LoopingStream([], loop));
        _rawZeroByte = ServerScript.ClientOver(new LoopingStream([], loop));
        _engine = EngineConnection.ConnectAsync(ServerScript.EngineOptions(new LoopingStream(ServerScript.OpenFrame(), loop))).GetAwaiter().GetResult();
        _buffer = new byte[4096];
        if (Raw() != Engine() || RawPooled() != Engine() || RawZeroByte() != Engine())
        {
            throw new InvalidOperationException("The receive paths read different bytes.");
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _engine.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _raw.Dispose();
        _rawPooled.Dispose();
        _rawZeroByte.Dispose();
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Messages, Description = "bare WebSocket.ReceiveAsync loop (floor)")]
    public long Raw() => RawAsync().GetAwaiter().GetResult();

    [Benchmark(OperationsPerInvoke = Messages, Description = "bare loop, a pooled buffer per message")]
    public long RawPooled() => RawPooledAsync().GetAwaiter().GetResult();

    [Benchmark(OperationsPerInvoke = Messages, Description = "bare loop, zero-byte read first, then a pooled buffer (the transport's pattern)")]
    public long RawZeroByte() => RawZeroByteAsync().GetAwaiter().GetResult();

    [Benchmark(OperationsPerInvoke = Messages, Description = "SailSocket EngineConnection.ReceiveAsync")]
    public long Engine() => EngineAsync().GetAwaiter().GetResult();

    private async Task<long> RawAsync()
    {
        long total = 0;
        for (var i = 0; i < Messages; i++)
        {
            var result = await _raw.ReceiveAsync(_buffer.AsMemory(), CancellationToken.None).ConfigureAwait(false);
            total += result.Count - 1; // without the Engine.IO type character, as EngineConnection hands it over
        }

        return total;
    }

    private async Task<long> RawPooledAsync()
    {
        long total = 0;
        for (var i = 0; i < Messages; i++)
        {
            var buffer = ArrayPool<byte>.Shared.Rent(ReceiveBufferSize);
            var result = await _rawPooled.ReceiveAsync(buffer.AsMemory(), CancellationToken.None).ConfigureAwait(false);
            total += result.Count - 1;
            ArrayPool<byte>.Shared.Return(buffer);
        }

        return total;
    }

    private async Task<long> RawZeroByteAsync()
    {
        long total = 0;
        for (var i = 0; i < Messages; i++)
        {
            await _rawZeroByte.ReceiveAsync(Memory<byte>.Empty, CancellationToken.None).ConfigureAwait(false);
            var buffer = ArrayPool<byte>.Shared.Rent(ReceiveBufferSize);
            var result = await _rawZeroByte.ReceiveAsync(buffer.AsMemory(), CancellationToken.None).ConfigureAwait(false);
            total += result.Count - 1;
            ArrayPool<byte>.Shared.Return(buffer);
        }

        return total;
    }

    private async Task<long> EngineAsync()
    {
        long total = 0;
        for (var i = 0; i < Messages; i++)
        {
            var message = await _engine.ReceiveAsync().ConfigureAwait(false);
            total += message.Data.Length;
        }

        return total;
    }
}
