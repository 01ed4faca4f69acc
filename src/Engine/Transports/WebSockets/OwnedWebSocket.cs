using System;
using System.Buffers;
using System.IO;
using System.Net.WebSockets;
using System.Threading;
using System.Threading.Tasks;

namespace SailSocket.Engine.Transports.WebSockets;

/// <summary>
/// The client end of a WebSocket over a stream, with SailSocket's own RFC 6455 framing (<c>Framing/</c>): what the managed
/// engine puts over its <see cref="CoalescingStream"/> in place of <see cref="WebSocket.CreateFromStream(Stream, WebSocketCreationOptions)"/>.
/// It behaves as the BCL's WebSocket does for what <see cref="WebSocketTransport"/> calls (see the receive and send files).
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item>One receive and one send may run at the same time; two receives, or two sends, may not (the transport has one
/// reader, and its <see cref="SendQueue"/> one writer).</item>
/// <item>Frames the receive side must send (a pong, the answer to a server's close) take the same send lock as data, so
/// frames never interleave, and so does the write of a gathered batch (<c>FlushBatchAsync</c>); see <c>OwnedWebSocket.Send.cs</c>
/// for a pong that arrives while a batch is being gathered.</item>
/// <item>A protocol violation by the server (RFC 6455 §5, invalid UTF-8 in a text message or a close reason) fails the
/// receive with <see cref="EngineProtocolException"/> (the connection reports <see cref="EngineConnectionError.ProtocolError"/>):
/// a close frame with 1002 or 1007 is sent if the socket is free at once, then the socket is aborted.</item>
/// <item>Cancelling the token of a receive or a send aborts the socket, as in the BCL.</item>
/// <item>An idle socket holds no buffer but the 16-byte <see cref="_lookahead"/>: payload and control frames are read
/// into the caller's or a rented buffer, and sends rent theirs for the length of the write.</item>
/// </list>
/// </remarks>
internal sealed partial class OwnedWebSocket : WebSocket
{
    private readonly Stream _stream;

    /// <summary>The same stream when it gathers writes (the managed engine); <see langword="null"/> over any other stream (tests).</summary>
    private readonly CoalescingStream? _coalescing;

    private readonly ArrayPool<byte> _pool;

    /// <summary>One frame written at a time: data sends, close, and the pongs and close answers of the receive side.</summary>
    private readonly SemaphoreSlim _sendLock = new(1, 1);

    /// <summary>A <see cref="WebSocketState"/>; changed only by compare-and-swap.</summary>
    private int _state = (int)WebSocketState.Open;

    private int _disposed;
    private volatile bool _closeSent;
    private volatile bool _closeReceived;
    private WebSocketCloseStatus? _closeStatus;
    private string? _closeStatusDescription;

    /// <summary>A WebSocket over <paramref name="stream"/> (after the upgrade); frames are written with buffers from <paramref name="pool"/>.</summary>
    public OwnedWebSocket(Stream stream, ArrayPool<byte> pool)
    {
        _stream = stream;
        _coalescing = stream as CoalescingStream;
        _pool = pool;
    }

    public override WebSocketCloseStatus? CloseStatus => _closeStatus;

    public override string? CloseStatusDescription => _closeStatusDescription;

    public override WebSocketState State => (WebSocketState)Volatile.Read(ref _state);

    /// <summary>None: the client asks for no subprotocol, and the connector refuses an answer that names one.</summary>
    public override string? SubProtocol => null;

    /// <summary>Ends the connection at once: pending receives and sends fail; the state becomes <see cref="WebSocketState.Aborted"/> unless closed.</summary>
    public override void Abort()
    {
        End(WebSocketState.Aborted);
        DisposeStream();
    }

    public override void Dispose()
    {
        End(WebSocketState.Closed);
        DisposeStream();
    }

    /// <summary>Moves to <paramref name="final"/> (aborted or closed) unless the socket already ended.</summary>
    private void End(WebSocketState final)
    {
        while (true)
        {
            var state = Volatile.Read(ref _state);
            if (state is (int)WebSocketState.Closed or (int)WebSocketState.Aborted
                || Interlocked.CompareExchange(ref _state, (int)final, state) == state)
            {
                return;
            }
        }
    }

    private void DisposeStream()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _stream.Dispose();
        }
    }

    /// <summary>Records that a close frame was sent (<paramref name="sent"/>) or received: Open → CloseSent/CloseReceived → Closed.</summary>
    private void OnClose(bool sent)
    {
        if (sent)
        {
            _closeSent = true;
        }
        else
        {
            _closeReceived = true;
        }

        while (true)
        {
            var state = Volatile.Read(ref _state);
            if (state is (int)WebSocketState.Closed or (int)WebSocketState.Aborted)
            {
                return;
            }

            var next = _closeSent && _closeReceived ? WebSocketState.Closed : sent ? WebSocketState.CloseSent : WebSocketState.CloseReceived;
            if (Interlocked.CompareExchange(ref _state, (int)next, state) == state)
            {
                return;
            }
        }
    }

    /// <summary>What a failed read or write becomes: as the BCL reports it (cancelled when aborted, premature close otherwise).</summary>
    private Exception ConnectionError(Exception ex) =>
        State == WebSocketState.Aborted
            ? new OperationCanceledException("The WebSocket was aborted.", ex)
            : new WebSocketException(WebSocketError.ConnectionClosedPrematurely, ex);

    /// <summary>
    /// What a send's failure becomes, or <see langword="null"/> to let it pass as it is: the caller's cancellation aborts
    /// the socket (as in the BCL) and carries the caller's token; a stream error is a <see cref="ConnectionError"/>.
    /// </summary>
    private Exception? SendError(Exception ex, CancellationToken cancellationToken)
    {
        if (ex is OperationCanceledException && cancellationToken.IsCancellationRequested)
        {
            Abort();
            return new OperationCanceledException(ex.Message, ex, cancellationToken);
        }

        return ex is OperationCanceledException or WebSocketException ? null : ConnectionError(ex);
    }

    private static WebSocketException InvalidState(WebSocketState state, string operation) =>
        new(WebSocketError.InvalidState, $"The WebSocket cannot {operation} in the state {state}.");

    public override Task<WebSocketReceiveResult> ReceiveAsync(ArraySegment<byte> buffer, CancellationToken cancellationToken) =>
        ReceiveResultAsync(buffer, cancellationToken);

    private async Task<WebSocketReceiveResult> ReceiveResultAsync(ArraySegment<byte> buffer, CancellationToken cancellationToken)
    {
        var result = await ReceiveAsync(buffer.AsMemory(), cancellationToken).ConfigureAwait(false);
        return result.MessageType == WebSocketMessageType.Close
            ? new WebSocketReceiveResult(result.Count, result.MessageType, result.EndOfMessage, _closeStatus, _closeStatusDescription)
            : new WebSocketReceiveResult(result.Count, result.MessageType, result.EndOfMessage);
    }

    public override Task SendAsync(ArraySegment<byte> buffer, WebSocketMessageType messageType, bool endOfMessage, CancellationToken cancellationToken) =>
        SendAsync(buffer.AsMemory(), messageType, endOfMessage, cancellationToken).AsTask();

    /// <summary>Sends a close frame, then receives (discarding data) until the server's close frame.</summary>
    public override async Task CloseAsync(WebSocketCloseStatus closeStatus, string? statusDescription, CancellationToken cancellationToken)
    {
        await CloseOutputAsync(closeStatus, statusDescription, cancellationToken).ConfigureAwait(false);
        var buffer = _pool.Rent(1024);
        try
        {
            while (!_closeReceived && State is WebSocketState.CloseSent)
            {
                var result = await ReceiveAsync(buffer.AsMemory(), cancellationToken).ConfigureAwait(false);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    break;
                }
            }
        }
        finally
        {
            _pool.Return(buffer);
        }
    }

    /// <summary>Completes <paramref name="write"/> in the background, observing its failure (a best-effort frame on a failing socket).</summary>
    private static void Observe(ValueTask write)
    {
        if (write.IsCompleted)
        {
            try
            {
                write.GetAwaiter().GetResult();
            }
#pragma warning disable CA1031 // Best effort: the socket is being aborted.
            catch (Exception)
#pragma warning restore CA1031
            {
            }

            return;
        }

        _ = write.AsTask().ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }
}
