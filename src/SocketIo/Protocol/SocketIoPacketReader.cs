using System;
using System.Buffers;
using System.Text;

namespace SailSocket.SocketIo.Protocol;

/// <summary>Decodes one Socket.IO packet. Pure: no I/O, no state.</summary>
/// <remarks>
/// <para>Grammar (docs/protocol.md §3.2): <c>&lt;type&gt;[&lt;attachments&gt;-][&lt;namespace&gt;,][&lt;ackId&gt;][&lt;json&gt;]</c>.</para>
/// <para>
/// A Socket.IO packet is exactly the data of one Engine.IO message, so there is no "need more data" case: the input is
/// the whole packet, in one segment or many. The JSON payload is checked only for its first character here; it is read
/// by whoever consumes it.
/// </para>
/// </remarks>
internal static class SocketIoPacketReader
{
    /// <summary>The main namespace.</summary>
    public const string MainNamespace = "/";

    /// <summary>The most digits accepted in an ack id or attachment count (JavaScript's safe integers have 16).</summary>
    private const int MaxDigits = 15;

    private static readonly UTF8Encoding s_strictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Decodes a packet.</summary>
    /// <param name="packet">The whole packet: the data of one Engine.IO message.</param>
    /// <param name="maxAttachments">The most binary attachments a packet may announce.</param>
    /// <returns>The packet; its <see cref="SocketIoPacket.Data"/> slices <paramref name="packet"/>.</returns>
    /// <exception cref="SocketIoProtocolException">The packet is malformed; the message gives the offset and reason.</exception>
    public static SocketIoPacket Parse(ReadOnlySequence<byte> packet, int maxAttachments = 10) =>
        Parse(packet, maxAttachments, decodeNamespace: true, out _);

    /// <summary>
    /// Decodes a packet for the receive loop, which routes by the namespace's bytes: <paramref name="namespaceUtf8"/> is
    /// empty for the main namespace and the UTF-8 name (<c>/chat</c>) otherwise. Without <paramref name="decodeNamespace"/>
    /// no string is made for a non-main namespace and <see cref="SocketIoPacket.Namespace"/> is empty.
    /// </summary>
    internal static SocketIoPacket Parse(ReadOnlySequence<byte> packet, int maxAttachments, bool decodeNamespace, out ReadOnlySequence<byte> namespaceUtf8)
    {
        namespaceUtf8 = default;
        var reader = new SequenceReader<byte>(packet);
        if (!reader.TryRead(out var typeByte))
        {
            throw new SocketIoProtocolException("Empty Socket.IO packet.", 0);
        }

        if (typeByte is < (byte)'0' or > (byte)'6')
        {
            throw new SocketIoProtocolException($"Unknown Socket.IO packet type 0x{typeByte:X2}.", 0);
        }

        var type = (SocketIoPacketType)(typeByte - '0');
        var attachments = 0;
        if (type is SocketIoPacketType.BinaryEvent or SocketIoPacketType.BinaryAck)
        {
            var countStart = reader.Consumed;
            var count = ReadNumber(ref reader);
            if (count < 0 || !reader.TryPeek(out var dash) || dash != (byte)'-')
            {
                throw new SocketIoProtocolException("A binary packet must announce its attachment count followed by '-'.", reader.Consumed);
            }

            reader.Advance(1);

            if (count < 1 || count > maxAttachments)
            {
                throw new SocketIoProtocolException($"Attachment count {count} is outside 1..{maxAttachments}.", countStart);
            }

            attachments = (int)count;
        }

        var ns = MainNamespace;
        if (reader.TryPeek(out var next) && next == (byte)'/')
        {
            var nameOffset = reader.Consumed;
            namespaceUtf8 = ReadNamespace(ref reader);
            if (namespaceUtf8.Length == 1)
            {
                namespaceUtf8 = default;
            }
            else
            {
                ns = decodeNamespace ? Decode(namespaceUtf8, nameOffset) : string.Empty;
            }
        }

        var ackStart = reader.Consumed;
        var ackId = ReadNumber(ref reader);
        if (ackId >= 0 && type is not (SocketIoPacketType.Event or SocketIoPacketType.Ack or SocketIoPacketType.BinaryEvent or SocketIoPacketType.BinaryAck))
        {
            throw new SocketIoProtocolException($"A {type} packet cannot carry an ack id.", ackStart);
        }

        if (ackId < 0 && type is SocketIoPacketType.Ack or SocketIoPacketType.BinaryAck)
        {
            throw new SocketIoProtocolException("An ack packet has no ack id.", ackStart);
        }

        var data = packet.Slice(reader.Position);
        CheckPayloadStart(type, data, reader.Consumed);
        return new SocketIoPacket(type, attachments, ns, ackId, data);
    }

    /// <summary>Decodes a packet held in one buffer.</summary>
    /// <param name="packet">The whole packet.</param>
    /// <param name="maxAttachments">The most binary attachments a packet may announce.</param>
    /// <returns>The packet.</returns>
    /// <exception cref="SocketIoProtocolException">The packet is malformed.</exception>
    public static SocketIoPacket Parse(ReadOnlyMemory<byte> packet, int maxAttachments = 10) =>
        Parse(new ReadOnlySequence<byte>(packet), maxAttachments);

    private static void CheckPayloadStart(SocketIoPacketType type, ReadOnlySequence<byte> data, long offset)
    {
        var first = data.IsEmpty ? (byte)0 : data.FirstSpan.Length > 0 ? data.FirstSpan[0] : FirstByte(data);
        switch (type)
        {
            case SocketIoPacketType.Event or SocketIoPacketType.Ack or SocketIoPacketType.BinaryEvent or SocketIoPacketType.BinaryAck:
                if (first != (byte)'[')
                {
                    throw new SocketIoProtocolException($"The payload of a {type} packet must be a JSON array.", offset);
                }

                break;
            case SocketIoPacketType.Disconnect:
                if (!data.IsEmpty)
                {
                    throw new SocketIoProtocolException("A disconnect packet carries no payload.", offset);
                }

                break;
            case SocketIoPacketType.Connect:
                if (!data.IsEmpty && first != (byte)'{')
                {
                    throw new SocketIoProtocolException("The payload of a connect packet must be a JSON object.", offset);
                }

                break;
            case SocketIoPacketType.ConnectError:
                // Protocol 5 sends an object; protocol 4 a string or an object (docs/protocol.md §3.4).
                if (!data.IsEmpty && first is not ((byte)'{' or (byte)'"'))
                {
                    throw new SocketIoProtocolException("The payload of a connect error must be a JSON object or string.", offset);
                }

                break;
        }
    }

    private static byte FirstByte(ReadOnlySequence<byte> data)
    {
        foreach (var segment in data)
        {
            if (!segment.IsEmpty)
            {
                return segment.Span[0];
            }
        }

        return 0;
    }

    /// <summary>Reads a run of decimal digits; -1 when there is none.</summary>
    private static long ReadNumber(ref SequenceReader<byte> reader)
    {
        long value = -1;
        var digits = 0;
        while (reader.TryPeek(out var b) && b is >= (byte)'0' and <= (byte)'9')
        {
            if (++digits > MaxDigits)
            {
                throw new SocketIoProtocolException($"A number in the packet header has more than {MaxDigits} digits.", reader.Consumed);
            }

            value = (value < 0 ? 0 : value * 10) + (b - '0');
            reader.Advance(1);
        }

        return value;
    }

    /// <summary>Reads <c>/name,</c>; the comma may be missing at the end of the packet (docs/protocol.md §3.2).</summary>
    private static ReadOnlySequence<byte> ReadNamespace(ref SequenceReader<byte> reader)
    {
        var start = reader.Position;
        if (reader.TryReadTo(out ReadOnlySequence<byte> name, (byte)',', advancePastDelimiter: true))
        {
            return name;
        }

        name = reader.Sequence.Slice(start);
        reader.AdvanceToEnd();
        return name;
    }

    private static string Decode(ReadOnlySequence<byte> name, long offset)
    {
        try
        {
            return s_strictUtf8.GetString(name);
        }
        catch (DecoderFallbackException ex)
        {
            throw new SocketIoProtocolException("The namespace is not valid UTF-8.", offset, ex);
        }
    }
}
