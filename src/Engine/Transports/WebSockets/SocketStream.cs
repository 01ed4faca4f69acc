using System;
using System.Net;
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
    /// <param name="socket">The connected socket.</param>
    /// <param name="receiveThread">The socket's own thread (<see cref="EngineOptions.ReceiveThread"/>), which opens the
    /// connection with this stream's blocking calls and then serves its reads; <see langword="null"/> for none.</param>
    public SocketStream(Socket socket, SocketReceiveThread? receiveThread = null)
        : base(socket, ownsSocket: true)
    {
        ReceiveThread = receiveThread;
    }

    /// <summary>The thread that serves this socket's reads (<see cref="EngineOptions.ReceiveThread"/>); null for none.</summary>
    public SocketReceiveThread? ReceiveThread { get; }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (ReceiveThread is { } thread)
        {
            if (!thread.IsServing)
            {
                return ReadBlocking(buffer, cancellationToken);
            }

            if (!cancellationToken.CanBeCanceled && thread.TryRead(buffer, out var read))
            {
                return read;
            }
        }

        return cancellationToken.CanBeCanceled ? ReadAbortingAsync(buffer, cancellationToken) : base.ReadAsync(buffer, CancellationToken.None);
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (ReceiveThread is { IsServing: false })
        {
            return WriteBlocking(buffer, cancellationToken);
        }

        return cancellationToken.CanBeCanceled ? WriteAbortingAsync(buffer, cancellationToken) : SocketSendOperation.SendAsync(Socket, buffer);
    }

    /// <summary>
    /// Opens the TCP connection to the first of <paramref name="addresses"/> that answers, with blocking calls (the receive
    /// thread's connect), aborted by <paramref name="cancellationToken"/>.
    /// </summary>
    /// <exception cref="OperationCanceledException">Cancelled: the socket was aborted.</exception>
    /// <exception cref="SocketException">The host could not be reached.</exception>
    public static void ConnectBlocking(Socket socket, IPAddress[] addresses, int port, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        using var abort = cancellationToken.UnsafeRegister(static state => ((Socket)state!).Dispose(), socket);
        try
        {
            socket.Connect(addresses, port);
        }
        catch (Exception ex) when (ex is not OperationCanceledException && cancellationToken.IsCancellationRequested)
        {
            throw new OperationCanceledException("The connect was cancelled, which aborted the connection.", ex, cancellationToken);
        }
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            ReceiveThread?.Close();
        }

        base.Dispose(disposing);
    }

    /// <summary>What a cancelled read or write does: the socket is aborted, and a read waiting on the receive thread fails now.</summary>
    private static void Abort(object? state)
    {
        var stream = (SocketStream)state!;
        stream.ReceiveThread?.Close();
        stream.Socket.Dispose();
    }

    /// <summary>A read by a blocking call (the receive thread's connect), aborted by <paramref name="cancellationToken"/>.</summary>
    private ValueTask<int> ReadBlocking(Memory<byte> buffer, CancellationToken cancellationToken)
    {
        try
        {
            cancellationToken.ThrowIfCancellationRequested();
            using var abort = cancellationToken.UnsafeRegister(Abort, this);
            if (buffer.IsEmpty)
            {
                Socket.Poll(-1, SelectMode.SelectRead);
                return new ValueTask<int>(0);
            }

            return new ValueTask<int>(Read(buffer.Span));
        }
        catch (Exception ex) when (ex is not OperationCanceledException && cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromException<int>(new OperationCanceledException("The read was cancelled, which aborted the connection.", ex, cancellationToken));
        }
#pragma warning disable CA1031 // Reported through the returned task, as an asynchronous read would.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            return ValueTask.FromException<int>(ex);
        }
    }

    /// <summary>A write by a blocking call (the receive thread's connect), aborted by <paramref name="cancellationToken"/>.</summary>
    private ValueTask WriteBlocking(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken)
    {
        try
        {
            cancellationToken.ThrowIfCancellationRequested();
            using var abort = cancellationToken.UnsafeRegister(Abort, this);
            Write(buffer.Span);
            return ValueTask.CompletedTask;
        }
        catch (Exception ex) when (ex is not OperationCanceledException && cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromException(new OperationCanceledException("The write was cancelled, which aborted the connection.", ex, cancellationToken));
        }
#pragma warning disable CA1031 // Reported through the returned task, as an asynchronous write would.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            return ValueTask.FromException(ex);
        }
    }

    private async ValueTask<int> ReadAbortingAsync(Memory<byte> buffer, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        using var abort = cancellationToken.UnsafeRegister(Abort, this);
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
        using var abort = cancellationToken.UnsafeRegister(Abort, this);
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
