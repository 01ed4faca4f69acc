using System;
using System.Collections.Concurrent;
using System.IO;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Threading;
using System.Threading.Tasks;
using System.Threading.Tasks.Sources;

namespace SailSocket.Engine.Transports.WebSockets;

/// <summary>
/// A socket send taken from a pool shared by every managed socket of the process: what <see cref="SocketStream"/>
/// writes with in place of the send operation a <see cref="Socket"/> creates at its first send and keeps for its life
/// (296 bytes, and a 64-byte callback, held by every idle socket). A send holds one only while it runs.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item>A send that completes at once (the usual case: the kernel's send buffer has room) costs a take and a return;
/// one that waits completes its awaiter on the thread that finished the I/O, as the socket's own operation does.</item>
/// <item>The whole buffer is sent: a partial send (which stream sockets do not report on Linux) goes on with the rest.</item>
/// <item>Failures are reported as <see cref="NetworkStream"/> reports them: <see cref="IOException"/> around the
/// <see cref="SocketException"/>, <see cref="ObjectDisposedException"/> for a disposed socket.</item>
/// <item>At most <see cref="MaxPooled"/> operations are kept; a send beyond them (that many sends in flight at once)
/// uses a new one, disposed after.</item>
/// </list>
/// </remarks>
internal sealed class SocketSendOperation : SocketAsyncEventArgs, IValueTaskSource<SocketError>
{
    /// <summary>The most operations kept for reuse.</summary>
    internal const int MaxPooled = 64;

    private static readonly ConcurrentQueue<SocketSendOperation> s_pool = new();
    private static int s_pooled;

    private ManualResetValueTaskSourceCore<SocketError> _completion;

    private SocketSendOperation()
        : base(unsafeSuppressExecutionContextFlow: true)
    {
    }

    /// <summary>Operations waiting in the pool (tests).</summary>
    internal static int PooledCount => Volatile.Read(ref s_pooled);

    /// <summary>Sends all of <paramref name="buffer"/> on <paramref name="socket"/>.</summary>
    /// <exception cref="IOException">The send failed (the <see cref="SocketException"/> inside).</exception>
    /// <exception cref="ObjectDisposedException">The socket was disposed.</exception>
    public static ValueTask SendAsync(Socket socket, ReadOnlyMemory<byte> buffer)
    {
        var operation = Rent();
        SocketError error;
        try
        {
            if (operation.Start(socket, buffer))
            {
                return operation.FinishAsync(socket, buffer);
            }

            error = operation.SocketError;
            var sent = operation.BytesTransferred;
            if (error == SocketError.Success && sent < buffer.Length)
            {
                return operation.FinishAsync(socket, buffer, sent);
            }
        }
        catch
        {
            Return(operation);
            throw;
        }

        Return(operation);
        return error == SocketError.Success ? default : ValueTask.FromException(WriteFailure(error));
    }

    /// <summary>Starts a send of <paramref name="buffer"/>; whether it is pending (else it completed at once).</summary>
    private bool Start(Socket socket, ReadOnlyMemory<byte> buffer)
    {
        _completion.Reset();
        SetBuffer(MemoryMarshal.AsMemory(buffer));
        return socket.SendAsync(this);
    }

    /// <summary>Waits for the pending send (unless <paramref name="sent"/> says one completed with that many bytes), then sends the rest; returns the operation to the pool.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask FinishAsync(Socket socket, ReadOnlyMemory<byte> buffer, int sent = -1)
    {
        try
        {
            while (true)
            {
                if (sent < 0)
                {
                    var error = await new ValueTask<SocketError>(this, _completion.Version).ConfigureAwait(false);
                    if (error != SocketError.Success)
                    {
                        throw WriteFailure(error);
                    }

                    sent = BytesTransferred;
                }

                buffer = buffer.Slice(sent);
                if (buffer.IsEmpty)
                {
                    return;
                }

                sent = -1;
                if (!Start(socket, buffer))
                {
                    if (SocketError != SocketError.Success)
                    {
                        throw WriteFailure(SocketError);
                    }

                    sent = BytesTransferred;
                }
            }
        }
        finally
        {
            Return(this);
        }
    }

    private static IOException WriteFailure(SocketError error)
    {
        var inner = new SocketException((int)error);
        return new IOException($"Unable to write data to the transport connection: {inner.Message}.", inner);
    }

    private static SocketSendOperation Rent()
    {
        if (s_pool.TryDequeue(out var operation))
        {
            Interlocked.Decrement(ref s_pooled);
            return operation;
        }

        return new SocketSendOperation();
    }

    private static void Return(SocketSendOperation operation)
    {
        // Holds no caller memory while pooled.
        operation.SetBuffer(Memory<byte>.Empty);
        if (Interlocked.Increment(ref s_pooled) <= MaxPooled)
        {
            s_pool.Enqueue(operation);
            return;
        }

        Interlocked.Decrement(ref s_pooled);
        operation.Dispose();
    }

    protected override void OnCompleted(SocketAsyncEventArgs e) => _completion.SetResult(SocketError);

    SocketError IValueTaskSource<SocketError>.GetResult(short token) => _completion.GetResult(token);

    ValueTaskSourceStatus IValueTaskSource<SocketError>.GetStatus(short token) => _completion.GetStatus(token);

    void IValueTaskSource<SocketError>.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _completion.OnCompleted(continuation, state, token, flags);
}
