using System;
using System.Buffers;
using System.Collections.Generic;

namespace SailSocket.Engine;

/// <summary>
/// A pooled buffer that one outgoing Engine.IO text message is written into. It starts with the message type
/// character <c>4</c>; the layer above appends its packet, then passes the writer to <see cref="EngineConnection.SendAsync(EngineMessageWriter, System.Collections.Generic.IReadOnlyList{ReadOnlyMemory{byte}}, System.Threading.CancellationToken)"/>.
/// </summary>
/// <remarks>
/// The caller owns the writer from <see cref="Rent"/> until it calls <see cref="Dispose"/>, which returns the buffer to
/// the pool; the writer must not be used after that. Not thread-safe: one writer serves one message on one flow.
/// </remarks>
public sealed class EngineMessageWriter : IBufferWriter<byte>, IDisposable
{
    private const int MinimumBufferSize = 256;

    /// <summary>Writers kept for any thread once a thread's own slot is taken (a message rented on one thread and
    /// disposed on another after an asynchronous send); at most <see cref="MaxShared"/>.</summary>
    private const int MaxShared = 64;

    [ThreadStatic]
    private static EngineMessageWriter? s_cached;

    private static readonly Stack<EngineMessageWriter> s_shared = new();

    private ArrayPool<byte> _pool = ArrayPool<byte>.Shared;
    private byte[]? _buffer;
    private int _written;

    private EngineMessageWriter()
    {
    }

    /// <summary>The bytes written so far, including the leading <c>4</c>.</summary>
    public ReadOnlyMemory<byte> WrittenMemory => _buffer.AsMemory(0, _written);

    /// <summary>How many bytes have been written, including the leading <c>4</c>.</summary>
    public int WrittenCount => _written;

    /// <summary>Rents a writer for one text message packet; the caller disposes it.</summary>
    /// <param name="pool">The pool the buffer comes from.</param>
    /// <returns>A writer that already holds the type character <c>4</c>.</returns>
    public static EngineMessageWriter Rent(ArrayPool<byte> pool)
    {
        ArgumentNullException.ThrowIfNull(pool);
        var writer = s_cached ?? RentShared();
        s_cached = null;
        writer._pool = pool;
        writer._buffer = pool.Rent(MinimumBufferSize);
        writer._buffer[0] = (byte)'4';
        writer._written = 1;
        return writer;
    }

    /// <inheritdoc />
    public void Advance(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        if (_buffer is null || _written + count > _buffer.Length)
        {
            throw new InvalidOperationException("Advanced past the end of the buffer, or the writer is disposed.");
        }

        _written += count;
    }

    /// <inheritdoc />
    public Memory<byte> GetMemory(int sizeHint = 0) => Ensure(sizeHint).AsMemory(_written);

    /// <inheritdoc />
    public Span<byte> GetSpan(int sizeHint = 0) => Ensure(sizeHint).AsSpan(_written);

    /// <summary>Returns the buffer to the pool, and the writer for reuse. A second call does nothing, as long as no
    /// <see cref="Rent"/> has handed the writer out again: dispose once.</summary>
    public void Dispose()
    {
        var buffer = _buffer;
        if (buffer is null)
        {
            return;
        }

        _buffer = null;
        _written = 0;
        _pool.Return(buffer);
        if (s_cached is null)
        {
            s_cached = this;
            return;
        }

        lock (s_shared)
        {
            if (s_shared.Count < MaxShared)
            {
                s_shared.Push(this);
            }
        }
    }

    private static EngineMessageWriter RentShared()
    {
        lock (s_shared)
        {
            if (s_shared.TryPop(out var writer))
            {
                return writer;
            }
        }

        return new EngineMessageWriter();
    }

    private byte[] Ensure(int sizeHint)
    {
        var buffer = _buffer ?? throw new ObjectDisposedException(nameof(EngineMessageWriter));
        sizeHint = Math.Max(sizeHint, 1);
        if (buffer.Length - _written >= sizeHint)
        {
            return buffer;
        }

        var newSize = Math.Max(checked(_written + sizeHint), checked(buffer.Length * 2));
        var larger = _pool.Rent(newSize);
        buffer.AsSpan(0, _written).CopyTo(larger);
        _pool.Return(buffer);
        _buffer = larger;
        return larger;
    }
}
