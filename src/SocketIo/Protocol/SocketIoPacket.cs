using System.Buffers;

namespace SailSocket.SocketIo.Protocol;

/// <summary>The parts of one decoded Socket.IO packet. <see cref="Data"/> is a view over the input; copy it to keep it.</summary>
/// <param name="Type">The packet type.</param>
/// <param name="AttachmentCount">For binary packets, how many binary messages follow; otherwise 0.</param>
/// <param name="Namespace">The namespace; <c>/</c> for the main namespace.</param>
/// <param name="AckId">The ack id, or -1 when the packet has none.</param>
/// <param name="Data">The JSON payload (may be empty).</param>
internal readonly record struct SocketIoPacket(
    SocketIoPacketType Type,
    int AttachmentCount,
    string Namespace,
    long AckId,
    ReadOnlySequence<byte> Data)
{
    /// <summary>Whether the packet carries an ack id.</summary>
    public bool HasAckId => AckId >= 0;
}
