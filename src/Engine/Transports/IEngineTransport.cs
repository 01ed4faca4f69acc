using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;

namespace SailSocket.Engine.Transports;

/// <summary>
/// What <see cref="EngineConnection"/> needs from a transport: whole Engine.IO packets in, whole packets out. A WebSocket
/// carries one packet per message; a polling transport splits each response body with the pure codec
/// (<see cref="Protocol.EnginePayloadReader"/>) and batches sends into POST bodies (<see cref="Protocol.EnginePayloadWriter"/>).
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item>Receive: one reader at a time. A text packet comes with its type character; a binary packet (a raw binary
/// WebSocket message) as its bytes, the revision-3 <c>0x04</c> already stripped. The memory is valid until the next receive.</item>
/// <item>Send: any number of concurrent callers; packets go out in the order the transport accepts them. The caller's
/// token only bounds the wait for earlier sends.</item>
/// </list>
/// </remarks>
internal interface IEngineTransport : IDisposable
{
    /// <summary>The transport name, as in the <c>transport</c> query parameter.</summary>
    string Name { get; }

    /// <summary>Receives the next whole packet, or <see cref="TransportMessage.Closed"/>.</summary>
    ValueTask<TransportMessage> ReceiveAsync(CancellationToken cancellationToken);

    /// <summary>Sends one text packet (type character included) and, right after it, binary messages (Socket.IO attachments).</summary>
    /// <param name="text">The packet.</param>
    /// <param name="binary">Binary messages to send right after it, or <see langword="null"/>.</param>
    /// <param name="deadline">Timestamp (of the connection's clock) by which the packet should be written; <see cref="long.MaxValue"/> for none.
    /// Not enforced here: <see cref="IsSendStalled"/> reports a transport whose sends passed it without progress.</param>
    /// <param name="cancellationToken">Bounds the wait for earlier sends.</param>
    ValueTask SendAsync(ReadOnlyMemory<byte> text, IReadOnlyList<ReadOnlyMemory<byte>>? binary, long deadline, CancellationToken cancellationToken);

    /// <summary>
    /// Whether the transport has stopped taking data: no send completed since the previous call while one was in progress,
    /// and that send has run for <paramref name="sendTimeout"/> or data waiting to go out has passed its deadline.
    /// Called on each tick of the connection's timer.
    /// </summary>
    /// <param name="now">The tick's timestamp.</param>
    /// <param name="sendTimeout">The longest one send may run, in timestamp ticks.</param>
    bool IsSendStalled(long now, long sendTimeout);

    /// <summary>
    /// Gathers the packets the calling thread sends, until <see cref="EndSendBatch"/>, into one network write; false (and
    /// nothing changes) when the transport cannot, or another thread's batch is open. None by default (polling: a poll
    /// already carries every packet queued while the previous POST was in flight).
    /// </summary>
    bool BeginSendBatch() => false;

    /// <summary>Ends the calling thread's batch: what it gathered is written (an error aborts the transport).</summary>
    void EndSendBatch()
    {
    }

    /// <summary>
    /// Called on each tick of the connection's timer: a batch open since the previous tick (its thread blocked in a
    /// caller's code) has what it gathered written now, and a receive thread held up as long hands its read to the socket
    /// (<see cref="WebSockets.SocketReceiveThread.OnTick"/>), so that nothing waits longer than about two ticks.
    /// </summary>
    void OnTick()
    {
    }

    /// <summary>Closes the transport politely, bounded by <paramref name="timeout"/> on <paramref name="clock"/> and by
    /// <paramref name="cancellationToken"/>, then aborts it.</summary>
    ValueTask CloseAsync(TimeSpan timeout, TimeProvider clock, CancellationToken cancellationToken);

    /// <summary>Aborts the transport: pending receives and sends fail at once.</summary>
    void Abort();

    /// <summary>Returns the buffer of the last received packet to the pool. Only the reader calls this, or dispose after the reader ended.</summary>
    void ReleaseReceiveBuffer();
}
