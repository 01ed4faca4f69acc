using System;
using System.Buffers;
using System.Collections.Generic;
using SailSocket.SocketIo.Protocol;

namespace SailSocket.SocketIo.Internal;

/// <summary>
/// Holds a binary packet's header while its attachments arrive as the following binary messages (docs/protocol.md §3.7).
/// Resumable state for the receive loop: a text packet while attachments are expected, or an attachment with no header,
/// is a protocol error.
/// </summary>
/// <remarks>Used by the receive loop only; not thread-safe. Copies are exact-size arrays the completed packet then owns.</remarks>
internal sealed class BinaryPacketAssembler
{
    private SocketIoPacketType _type;
    private string _namespace = SocketIoPacketReader.MainNamespace;
    private long _ackId;
    private byte[]? _header;
    private ReadOnlyMemory<byte>[]? _attachments;
    private int _received;

    public bool IsCollecting => _header is not null;

    public void Start(in SocketIoPacket packet)
    {
        _type = packet.Type;
        _namespace = packet.Namespace;
        _ackId = packet.AckId;
        _header = packet.Data.ToArray();
        _attachments = new ReadOnlyMemory<byte>[packet.AttachmentCount];
        _received = 0;
    }

    /// <summary>Adds the next attachment; returns true when the packet is complete.</summary>
    /// <exception cref="SocketIoProtocolException">No binary packet header is pending.</exception>
    public bool Add(ReadOnlySpan<byte> attachment)
    {
        if (_header is null || _attachments is null)
        {
            throw new SocketIoProtocolException("A binary attachment arrived with no binary packet header before it.", 0);
        }

        _attachments[_received++] = attachment.ToArray();
        return _received == _attachments.Length;
    }

    /// <summary>Takes the completed packet and resets for the next one.</summary>
    public (SocketIoPacketType Type, string Namespace, long AckId, byte[] Data, IReadOnlyList<ReadOnlyMemory<byte>> Attachments) Take()
    {
        var result = (_type, _namespace, _ackId, _header!, (IReadOnlyList<ReadOnlyMemory<byte>>)_attachments!);
        _header = null;
        _attachments = null;
        _received = 0;
        return result;
    }
}
