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
/// <remarks>
/// Used by the receive loop only; not thread-safe. The namespace client the packet is for is resolved from the header;
/// for a namespace nobody listens on, the attachments are counted and dropped, not copied. Copies are exact-size arrays the
/// completed packet then owns.
/// </remarks>
internal sealed class BinaryPacketAssembler
{
    private SocketIoPacketType _type;
    private SocketIoClient? _target;
    private long _ackId;
    private byte[]? _header;
    private ReadOnlyMemory<byte>[]? _attachments;
    private int _expected;
    private int _received;

    public bool IsCollecting => _expected > 0;

    /// <summary>Starts collecting the attachments of <paramref name="packet"/>, for <paramref name="target"/> (or nobody).</summary>
    public void Start(in SocketIoPacket packet, SocketIoClient? target)
    {
        _type = packet.Type;
        _target = target;
        _ackId = packet.AckId;
        _header = target is null ? null : packet.Data.ToArray();
        _attachments = target is null ? null : new ReadOnlyMemory<byte>[packet.AttachmentCount];
        _expected = packet.AttachmentCount;
        _received = 0;
    }

    /// <summary>Adds the next attachment; returns true when the packet is complete.</summary>
    /// <exception cref="SocketIoProtocolException">No binary packet header is pending.</exception>
    public bool Add(ReadOnlySpan<byte> attachment)
    {
        if (_expected == 0)
        {
            throw new SocketIoProtocolException("A binary attachment arrived with no binary packet header before it.", 0);
        }

        if (_attachments is not null)
        {
            _attachments[_received] = attachment.ToArray();
        }

        return ++_received == _expected;
    }

    /// <summary>Takes the completed packet and resets for the next one; <c>Target</c> is null when nobody listens on its namespace.</summary>
    public (SocketIoPacketType Type, SocketIoClient? Target, long AckId, byte[] Data, IReadOnlyList<ReadOnlyMemory<byte>> Attachments) Take()
    {
        var result = (_type, _target, _ackId, _header ?? [], (IReadOnlyList<ReadOnlyMemory<byte>>?)_attachments ?? []);
        _target = null;
        _header = null;
        _attachments = null;
        _expected = 0;
        _received = 0;
        return result;
    }
}
