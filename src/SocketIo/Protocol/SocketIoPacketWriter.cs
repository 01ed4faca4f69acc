using System;
using System.Buffers;
using System.Buffers.Text;
using System.Text;
using System.Text.Json;

namespace SailSocket.SocketIo.Protocol;

/// <summary>Encodes Socket.IO packet headers and binary placeholders. Pure: writes into an <see cref="IBufferWriter{T}"/>.</summary>
/// <remarks>Grammar (docs/protocol.md §3.2): <c>&lt;type&gt;[&lt;attachments&gt;-][&lt;namespace&gt;,][&lt;ackId&gt;]</c>; the JSON payload follows.</remarks>
internal static class SocketIoPacketWriter
{
    private static readonly JsonEncodedText s_placeholder = JsonEncodedText.Encode("_placeholder");
    private static readonly JsonEncodedText s_num = JsonEncodedText.Encode("num");

    /// <summary>Writes a packet header.</summary>
    /// <param name="writer">The destination.</param>
    /// <param name="type">The packet type.</param>
    /// <param name="ns">The namespace; <c>/</c> (the main namespace) is not written.</param>
    /// <param name="ackId">The ack id, or -1 for none.</param>
    /// <param name="attachmentCount">For binary packets, the number of attachments that follow (at least 1).</param>
    /// <exception cref="ArgumentException">The namespace does not start with '/' or contains ',', the attachment count does not fit the type, or the type cannot carry an ack id.</exception>
    public static void WriteHeader(IBufferWriter<byte> writer, SocketIoPacketType type, string ns = SocketIoPacketReader.MainNamespace, long ackId = -1, int attachmentCount = 0)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(ns);
        var isBinary = type is SocketIoPacketType.BinaryEvent or SocketIoPacketType.BinaryAck;
        if (isBinary != attachmentCount > 0)
        {
            throw new ArgumentException("Binary packets need at least one attachment; other packets none.", nameof(attachmentCount));
        }

        if (ackId >= 0 && type is not (SocketIoPacketType.Event or SocketIoPacketType.Ack or SocketIoPacketType.BinaryEvent or SocketIoPacketType.BinaryAck))
        {
            throw new ArgumentException($"A {type} packet cannot carry an ack id.", nameof(ackId));
        }

        if (ns.Length == 0 || ns[0] != '/' || ns.Contains(',', StringComparison.Ordinal))
        {
            throw new ArgumentException("A namespace starts with '/' and contains no ','.", nameof(ns));
        }

        var span = writer.GetSpan(48);
        var length = 0;
        span[length++] = (byte)('0' + (int)type);
        if (isBinary)
        {
            length += Format(attachmentCount, span[length..]);
            span[length++] = (byte)'-';
        }

        writer.Advance(length);
        if (ns != SocketIoPacketReader.MainNamespace)
        {
            var nsSpan = writer.GetSpan(Encoding.UTF8.GetMaxByteCount(ns.Length) + 1);
            var written = Encoding.UTF8.GetBytes(ns, nsSpan);
            nsSpan[written++] = (byte)',';
            writer.Advance(written);
        }

        if (ackId >= 0)
        {
            writer.Advance(Format(ackId, writer.GetSpan(20)));
        }
    }

    /// <summary>Writes the placeholder object that stands for binary attachment <paramref name="num"/> (docs/protocol.md §3.7).</summary>
    /// <param name="writer">The JSON writer, positioned where a value goes.</param>
    /// <param name="num">The index of the attachment, from 0, in the order the attachments are sent.</param>
    public static void WritePlaceholder(Utf8JsonWriter writer, int num)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteStartObject();
        writer.WriteBoolean(s_placeholder, true);
        writer.WriteNumber(s_num, num);
        writer.WriteEndObject();
    }

    private static int Format(long value, Span<byte> destination)
    {
        Utf8Formatter.TryFormat(value, destination, out var written);
        return written;
    }
}
