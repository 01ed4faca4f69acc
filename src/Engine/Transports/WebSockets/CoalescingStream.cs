using System;
using System.Buffers;
using System.IO;
using System.Threading;
using System.Threading.Tasks;

namespace SailSocket.Engine.Transports.WebSockets;

/// <summary>
/// The stream under a managed WebSocket: writes go straight through, except between <see cref="Cork"/> and
/// <see cref="FlushAsync(CancellationToken)"/> (the send queue's batch), and the calling thread's between
/// <see cref="BeginGather"/> and <see cref="EndGather"/> (a burst of ack continuations), where they are gathered in one
/// pooled buffer and leave in one write to the network (one TCP segment or TLS record instead of one per frame). Reads first return the bytes that arrived behind the
/// upgrade response, then read the network through a buffer held only while bytes wait in it.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item>One reader and one writer may run at once (what a WebSocket does); neither is safe to call concurrently with itself.</item>
/// <item>Order is kept: a write that is not gathered while gathered bytes wait goes out behind them, in the same write.</item>
/// <item>No buffer is held while idle: the gathering buffer is rented at the first gathered write and returned by the flush,
/// the read buffer is returned when its last byte is read, and a zero-byte read goes to the network as it is (it waits
/// for data without a buffer).</item>
/// <item>The BCL's System.IO.Pipelines would do this, but on net8.0 it is a NuGet package, not part of
/// Microsoft.NETCore.App, and the shipped libraries use nothing but the BCL.</item>
/// </list>
/// </remarks>
internal sealed class CoalescingStream : Stream
{
    /// <summary>
    /// The read buffer: one read from the network takes up to this much, so frames that arrive together (the header and
    /// payload of one, or a burst of acks) cost one read instead of two or three per frame. The BCL WebSocket reads a
    /// frame's header (2–14 bytes) and then its payload separately; under <c>ClientWebSocket</c> the HTTP connection's
    /// 4 KiB buffer absorbs that, and an idle connection keeps it. Here it is held only while bytes wait.
    /// </summary>
    internal const int ReadBufferSize = 4096;

    /// <summary>First gathering buffer: a batch of Sails requests (a few hundred bytes each) fits.</summary>
    private const int InitialBatchSize = 4096;

    /// <summary>
    /// The most bytes gathered before they are written anyway: 64 KiB, a TLS record is at most 16 KiB and a socket's send
    /// buffer about this size, so a larger batch saves nothing more.
    /// </summary>
    internal const int MaxBatchSize = 64 * 1024;

    private readonly Stream _inner;
    private readonly ArrayPool<byte> _pool;

    /// <summary>
    /// Bytes read from the network (or that came behind the upgrade response) and not yet handed out; rented when a read
    /// finds none waiting, returned to the pool as soon as they are all handed out.
    /// </summary>
    private byte[]? _readBuffer;
    private int _readOffset;
    private int _readEnd;

    /// <summary>Whether writes are being gathered.</summary>
    private bool _corked;

    /// <summary>
    /// The managed thread id whose writes are gathered (<see cref="BeginGather"/>), whatever <see cref="_corked"/> says;
    /// 0 for none. Other threads' writes first write what was gathered, so the order of writes is kept.
    /// </summary>
    private int _gatherThread;

    /// <summary>Counts <see cref="BeginGather"/> calls that succeeded: a watcher that sees the same gather twice knows it is stale.</summary>
    private int _gatherGeneration;

    /// <summary>The gathered bytes; rented on the first corked write, returned by the flush.</summary>
    private byte[]? _batch;
    private int _batchCount;
    private int _disposed;

    /// <summary>Wraps <paramref name="inner"/>; <paramref name="early"/> (rented from <paramref name="pool"/>, now owned by this stream) holds bytes to read first.</summary>
    public CoalescingStream(Stream inner, ArrayPool<byte> pool, byte[]? early = null, int earlyOffset = 0, int earlyEnd = 0)
    {
        _inner = inner;
        _pool = pool;
        if (early is not null && earlyEnd > earlyOffset)
        {
            _readBuffer = early;
            _readOffset = earlyOffset;
            _readEnd = earlyEnd;
        }
        else if (early is not null)
        {
            pool.Return(early);
        }
    }

    /// <summary>Whether writes are being gathered now.</summary>
    public bool IsCorked => _corked;

    /// <summary>The thread serving the socket's reads under this stream (<see cref="EngineOptions.ReceiveThread"/>); null for none.</summary>
    public SocketReceiveThread? ReceiveThread { get; init; }

    /// <summary>Bytes gathered and not yet written (tests).</summary>
    internal int BufferedCount => _batchCount;

    /// <summary>Whether a gathering buffer is held (tests: none while idle).</summary>
    internal bool HoldsBuffer => _batch is not null || _readBuffer is not null;

    public override bool CanRead => true;

    public override bool CanWrite => true;

    public override bool CanSeek => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    /// <summary>Starts gathering writes until the next <see cref="FlushAsync(CancellationToken)"/>.</summary>
    public void Cork() => _corked = true;

    /// <summary>The thread whose writes are being gathered (<see cref="BeginGather"/>); 0 for none.</summary>
    public int GatherThread => Volatile.Read(ref _gatherThread);

    /// <summary>Identifies the current gather (changes with each <see cref="BeginGather"/>).</summary>
    public int GatherGeneration => Volatile.Read(ref _gatherGeneration);

    /// <summary>
    /// Gathers the writes of the calling thread until <see cref="EndGather"/>; writes of other threads go out as before,
    /// after what was gathered. False (nothing changes) when another gather is open.
    /// </summary>
    public bool BeginGather()
    {
        if (Interlocked.CompareExchange(ref _gatherThread, Environment.CurrentManagedThreadId, 0) != 0)
        {
            return false;
        }

        Interlocked.Increment(ref _gatherGeneration);
        return true;
    }

    /// <summary>Stops gathering the calling thread's writes; what was gathered stays until <see cref="WriteGatheredAsync"/> or the next write.</summary>
    public void EndGather() => Interlocked.CompareExchange(ref _gatherThread, 0, Environment.CurrentManagedThreadId);

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (_readBuffer is not null)
        {
            return new ValueTask<int>(buffer.IsEmpty ? 0 : CopyBuffered(buffer.Span));
        }

        // A zero-byte read waits for data without a buffer; a large one goes straight into the caller's memory.
        if (buffer.IsEmpty || buffer.Length >= ReadBufferSize)
        {
            return _inner.ReadAsync(buffer, cancellationToken);
        }

        return ReadBufferedAsync(buffer, cancellationToken);
    }

    /// <summary>Reads what the network has (up to <see cref="ReadBufferSize"/>) into a rented buffer and hands out the start.</summary>
    private async ValueTask<int> ReadBufferedAsync(Memory<byte> buffer, CancellationToken cancellationToken)
    {
        var rented = _pool.Rent(ReadBufferSize);
        int read;
        try
        {
            read = await _inner.ReadAsync(rented, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            _pool.Return(rented);
            throw;
        }

        if (read == 0)
        {
            _pool.Return(rented);
            return 0;
        }

        _readBuffer = rented;
        _readOffset = 0;
        _readEnd = read;
        return CopyBuffered(buffer.Span);
    }

    /// <summary>Hands out buffered bytes; returns the buffer to the pool once they are all out.</summary>
    private int CopyBuffered(Span<byte> destination)
    {
        var early = _readBuffer!;
        var count = Math.Min(destination.Length, _readEnd - _readOffset);
        early.AsSpan(_readOffset, count).CopyTo(destination);
        _readOffset += count;
        if (_readOffset == _readEnd && Interlocked.CompareExchange(ref _readBuffer, null, early) == early)
        {
            // Only the one who takes it out returns it: a dispose running beside the reader may have taken it first.
            _pool.Return(early);
        }

        return count;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer) => _readBuffer is not null ? CopyBuffered(buffer) : _inner.Read(buffer);

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (!_corked && !IsGatheringThread())
        {
            if (_batch is null)
            {
                return _inner.WriteAsync(buffer, cancellationToken);
            }

            // Another thread gathered writes: they go first, with this one behind them when it fits.
            if (_batchCount + buffer.Length > MaxBatchSize)
            {
                return WriteAfterGatheredAsync(buffer, cancellationToken);
            }

            Append(buffer.Span);
            return WriteGatheredAsync(cancellationToken);
        }

        if (_batchCount + buffer.Length > MaxBatchSize)
        {
            return WriteLargeAsync(buffer, cancellationToken);
        }

        Append(buffer.Span);
        return default;
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Write(byte[] buffer, int offset, int count) => WriteAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    /// <summary>Writes what was gathered in one write and stops gathering; returns the gathering buffer to the pool.</summary>
    public override Task FlushAsync(CancellationToken cancellationToken) => FlushBatchAsync(cancellationToken).AsTask();

    /// <summary>The allocation-free form of <see cref="FlushAsync(CancellationToken)"/>.</summary>
    public ValueTask FlushBatchAsync(CancellationToken cancellationToken = default)
    {
        _corked = false;
        return WriteGatheredAsync(cancellationToken);
    }

    /// <summary>Writes what was gathered, if anything, in one write; gathering goes on as it was (corked or not).</summary>
    public ValueTask WriteGatheredAsync(CancellationToken cancellationToken = default)
    {
        var batch = _batch;
        if (batch is null)
        {
            return default;
        }

        var count = _batchCount;
        _batch = null;
        _batchCount = 0;
        ValueTask write;
        try
        {
            write = _inner.WriteAsync(batch.AsMemory(0, count), cancellationToken);
        }
        catch
        {
            _pool.Return(batch);
            throw;
        }

        if (write.IsCompletedSuccessfully)
        {
            write.GetAwaiter().GetResult();
            _pool.Return(batch);
            return default;
        }

        return FinishFlushAsync(write, batch);
    }

    public override void Flush() => FlushBatchAsync().AsTask().GetAwaiter().GetResult();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing && Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _inner.Dispose();
            if (Interlocked.Exchange(ref _readBuffer, null) is { } early)
            {
                _pool.Return(early);
            }

            // A batch still gathered belongs to a writer that the dispose cut short: it is returned by that writer's flush, or dropped.
        }

        base.Dispose(disposing);
    }

    private async ValueTask FinishFlushAsync(ValueTask write, byte[] batch)
    {
        try
        {
            await write.ConfigureAwait(false);
        }
        finally
        {
            _pool.Return(batch);
        }
    }

    private bool IsGatheringThread()
    {
        var thread = Volatile.Read(ref _gatherThread);
        return thread != 0 && thread == Environment.CurrentManagedThreadId;
    }

    /// <summary>A write of another thread behind gathered writes that together do not fit: the gathered bytes go first.</summary>
    private async ValueTask WriteAfterGatheredAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken)
    {
        await WriteGatheredAsync(cancellationToken).ConfigureAwait(false);
        await _inner.WriteAsync(buffer, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A gathered write that does not fit: the gathered bytes go first, then this one goes on being gathered (or straight out when it alone is too large).</summary>
    private async ValueTask WriteLargeAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken)
    {
        // Gathering goes on (corked, or for the gathering thread) after the gathered bytes have gone.
        await WriteGatheredAsync(cancellationToken).ConfigureAwait(false);
        if (buffer.Length > MaxBatchSize)
        {
            await _inner.WriteAsync(buffer, cancellationToken).ConfigureAwait(false);
            return;
        }

        Append(buffer.Span);
    }

    private void Append(ReadOnlySpan<byte> data)
    {
        var batch = _batch;
        if (batch is null)
        {
            batch = _batch = _pool.Rent(Math.Max(InitialBatchSize, data.Length));
        }
        else if (batch.Length - _batchCount < data.Length)
        {
            var larger = _pool.Rent(Math.Min(MaxBatchSize, Math.Max(batch.Length * 2, _batchCount + data.Length)));
            batch.AsSpan(0, _batchCount).CopyTo(larger);
            _pool.Return(batch);
            batch = _batch = larger;
        }

        data.CopyTo(batch.AsSpan(_batchCount));
        _batchCount += data.Length;
    }
}
