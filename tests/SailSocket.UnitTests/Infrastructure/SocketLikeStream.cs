using System;
using System.IO;
using System.Threading;
using System.Threading.Tasks;

namespace SailSocket.UnitTests.Infrastructure;

/// <summary>
/// Wraps one end of a <c>FullDuplexStream</c> pair so that disposing it fails pending reads and writes, as disposing a
/// socket does.
/// </summary>
/// <remarks>
/// <see cref="System.Net.WebSockets.WebSocket.Abort"/> ends a pending receive by disposing the stream underneath. A
/// <c>NetworkStream</c> (what <c>ClientWebSocket</c> runs on) fails its pending read when disposed. The pipe-backed
/// streams of Nerdbank.Streams do not: a read pending at dispose waits for data that never comes. Without this wrapper,
/// every test where the client aborts (heartbeat timeout, close) would hang on the in-memory peer and not on a real socket.
/// </remarks>
internal sealed class SocketLikeStream(Stream inner) : Stream
{
    private readonly CancellationTokenSource _disposed = new();

    public override bool CanRead => true;

    public override bool CanWrite => true;

    public override bool CanSeek => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _disposed.Token);
        try
        {
            return await inner.ReadAsync(buffer, linked.Token);
        }
        catch (OperationCanceledException) when (_disposed.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new IOException("The connection was aborted (the stream was disposed).");
        }
    }

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _disposed.Token);
        try
        {
            await inner.WriteAsync(buffer, linked.Token);
        }
        catch (OperationCanceledException) when (_disposed.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new IOException("The connection was aborted (the stream was disposed).");
        }
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);

    public override void Write(byte[] buffer, int offset, int count) => inner.Write(buffer, offset, count);

    public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);

    public override void Flush() => inner.Flush();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing && !_disposed.IsCancellationRequested)
        {
            _disposed.Cancel();
            inner.Dispose();
        }

        base.Dispose(disposing);
    }
}
