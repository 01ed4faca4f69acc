using System;
using System.IO;
using System.Threading;
using System.Threading.Tasks;

namespace SailSocket.Testing.Transport;

/// <summary>
/// One end of an in-memory full-duplex connection (two <see cref="InMemoryPipe"/>s), what
/// <see cref="System.Net.WebSockets.WebSocket.CreateFromStream(Stream, System.Net.WebSockets.WebSocketCreationOptions)"/>
/// runs a real WebSocket over on each side: the client gets a real WebSocket, with no socket and no port.
/// </summary>
internal sealed class InMemoryStream : Stream
{
    private readonly InMemoryPipe _input;
    private readonly InMemoryPipe _output;
    private int _disposed;

    private InMemoryStream(InMemoryPipe input, InMemoryPipe output)
    {
        _input = input;
        _output = output;
    }

    /// <summary>Two connected ends: what one writes, the other reads.</summary>
    public static (InMemoryStream Server, InMemoryStream Client) CreatePair()
    {
        var toClient = new InMemoryPipe();
        var toServer = new InMemoryPipe();
        return (new InMemoryStream(toServer, toClient), new InMemoryStream(toClient, toServer));
    }

    public override bool CanRead => true;

    public override bool CanWrite => true;

    public override bool CanSeek => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        _input.ReadAsync(buffer, cancellationToken);

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) =>
        _output.WriteAsync(buffer, cancellationToken);

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override void Write(byte[] buffer, int offset, int count) => WriteAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override void Flush()
    {
    }

    public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _output.CompleteWriter();
            _input.CompleteReader();
        }

        base.Dispose(disposing);
    }
}
