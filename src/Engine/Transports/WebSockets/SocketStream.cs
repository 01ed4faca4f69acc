using System;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;

namespace SailSocket.Engine.Transports.WebSockets;

/// <summary>
/// The managed engine's stream over its socket (under <see cref="System.Net.Security.SslStream"/> for wss): a
/// <see cref="NetworkStream"/> that keeps nothing per socket an idle connection does not need.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item>No cancellable token reaches the socket. On Unix the socket keeps its receive operation for reuse, and a
/// receive that waited with a cancellable token leaves its (disposed) registration in it: the handshake's reads wait
/// with the connect's token, the last link of a chain of linked sources (the Sails, Socket.IO and Engine connect bounds
/// and the caller's token), so every idle socket kept that chain alive, about 1.4 KB. Here a cancellable token aborts
/// the socket instead, and the read or write fails with <see cref="OperationCanceledException"/>: what cancelling means
/// everywhere the managed engine passes one (a connect or upgrade that gives up, a WebSocket receive or send, which
/// aborts the WebSocket as in the BCL). Reads with an uncancellable token (the receive loop's) go straight to
/// <see cref="NetworkStream"/>, as before.</item>
/// <item>Writes take a pooled <see cref="SocketSendOperation"/> for their length instead of the send operation the
/// socket would create at its first write and keep for its life.</item>
/// </list>
/// docs/benchmarks.md, "Issue 18: a leaner wss socket", has the figures.
/// </remarks>
internal sealed class SocketStream : NetworkStream
{
    /// <summary>A stream over the connected <paramref name="socket"/>, which it owns.</summary>
    public SocketStream(Socket socket)
        : base(socket, ownsSocket: true)
    {
    }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        cancellationToken.CanBeCanceled ? ReadAbortingAsync(buffer, cancellationToken) : base.ReadAsync(buffer, CancellationToken.None);

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) =>
        cancellationToken.CanBeCanceled ? WriteAbortingAsync(buffer, cancellationToken) : SocketSendOperation.SendAsync(Socket, buffer);

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    private async ValueTask<int> ReadAbortingAsync(Memory<byte> buffer, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        using var abort = cancellationToken.UnsafeRegister(static state => ((Socket)state!).Dispose(), Socket);
        try
        {
            return await base.ReadAsync(buffer, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException && cancellationToken.IsCancellationRequested)
        {
            throw new OperationCanceledException("The read was cancelled, which aborted the connection.", ex, cancellationToken);
        }
    }

    private async ValueTask WriteAbortingAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        using var abort = cancellationToken.UnsafeRegister(static state => ((Socket)state!).Dispose(), Socket);
        try
        {
            await SocketSendOperation.SendAsync(Socket, buffer).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException && cancellationToken.IsCancellationRequested)
        {
            throw new OperationCanceledException("The write was cancelled, which aborted the connection.", ex, cancellationToken);
        }
    }
}
