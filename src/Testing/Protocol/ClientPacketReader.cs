using System;
using System.Text;

namespace SailSocket.Testing.Protocol;

/// <summary>
/// Reads one text message from the client (docs/protocol.md §3.2:
/// <c>&lt;type&gt;[&lt;attachments&gt;-][&lt;namespace&gt;,][&lt;ackId&gt;][&lt;json&gt;]</c> inside an Engine.IO <c>4</c>
/// packet). Pure; a message it cannot read is <see cref="ClientPacketKind.Invalid"/>, never an exception.
/// </summary>
internal static class ClientPacketReader
{
    /// <summary>Longest ack id accepted: socket.io clients count from 0, so 18 digits never overflow a long.</summary>
    private const int MaxAckDigits = 18;

    public static ClientPacket Read(ReadOnlySpan<byte> message)
    {
        if (message.IsEmpty)
        {
            return default;
        }

        switch (message[0])
        {
            case (byte)'1':
                return new ClientPacket(ClientPacketKind.Close, null, null, 0, 1);
            case (byte)'2':
                return new ClientPacket(ClientPacketKind.Ping, null, null, 0, 1);
            case (byte)'3':
                return new ClientPacket(ClientPacketKind.Pong, null, null, 0, 1);
            case (byte)'5':
            case (byte)'6':
                return new ClientPacket(ClientPacketKind.Ignored, null, null, 0, 1);
            case (byte)'4' when message.Length >= 2:
                return ReadSocketIo(message);
            default:
                return default;
        }
    }

    private static ClientPacket ReadSocketIo(ReadOnlySpan<byte> message)
    {
        var kind = message[1] switch
        {
            (byte)'0' => ClientPacketKind.Connect,
            (byte)'1' => ClientPacketKind.Disconnect,
            (byte)'2' => ClientPacketKind.Event,
            (byte)'3' => ClientPacketKind.Ack,
            (byte)'5' or (byte)'6' => ClientPacketKind.Binary,
            _ => ClientPacketKind.Invalid,
        };
        if (kind == ClientPacketKind.Invalid)
        {
            return default;
        }

        var i = 2;
        var attachments = 0;
        if (kind == ClientPacketKind.Binary)
        {
            var start = i;
            while (i < message.Length && char.IsAsciiDigit((char)message[i]) && i - start < 3)
            {
                attachments = (attachments * 10) + (message[i] - '0');
                i++;
            }

            if (i == start || i >= message.Length || message[i] != (byte)'-' || attachments < 1)
            {
                return default;
            }

            i++;
        }

        string? ns = null;
        if (i < message.Length && message[i] == (byte)'/')
        {
            var comma = message[i..].IndexOf((byte)',');
            var end = comma < 0 ? message.Length : i + comma;
            ns = Encoding.UTF8.GetString(message[i..end]);
            i = comma < 0 ? end : end + 1;
        }

        long? ackId = null;
        var digits = 0;
        long id = 0;
        while (i < message.Length && char.IsAsciiDigit((char)message[i]))
        {
            if (++digits > MaxAckDigits)
            {
                return default;
            }

            id = (id * 10) + (message[i] - '0');
            i++;
        }

        if (digits > 0)
        {
            ackId = id;
        }

        return new ClientPacket(kind, ns, ackId, attachments, i);
    }
}
