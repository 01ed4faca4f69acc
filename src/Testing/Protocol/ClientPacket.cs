namespace SailSocket.Testing.Protocol;

/// <summary>What one text message from the client is, as far as a Sails server cares (docs/protocol.md §2.2, §3.1).</summary>
internal enum ClientPacketKind
{
    /// <summary>Anything the server does not understand: a real server closes the connection (§3.8).</summary>
    Invalid,

    /// <summary>Engine.IO <c>2</c>: the EIO3 client's heartbeat (or <c>2probe</c>).</summary>
    Ping,

    /// <summary>Engine.IO <c>3</c>: the EIO4 client's answer to a server ping.</summary>
    Pong,

    /// <summary>Engine.IO <c>1</c>: the client closes the session.</summary>
    Close,

    /// <summary>Engine.IO <c>5</c> or <c>6</c>: upgrade or noop, nothing to do on a WebSocket-only session.</summary>
    Ignored,

    /// <summary>Socket.IO CONNECT (<c>40</c>, <c>40{auth}</c>, <c>40/nsp,</c>).</summary>
    Connect,

    /// <summary>Socket.IO DISCONNECT (<c>41</c>).</summary>
    Disconnect,

    /// <summary>Socket.IO EVENT (<c>42[…]</c>, <c>42&lt;id&gt;[…]</c>): a Sails request when the name is a method.</summary>
    Event,

    /// <summary>Socket.IO ACK (<c>43&lt;id&gt;[…]</c>).</summary>
    Ack,

    /// <summary>Socket.IO BINARY_EVENT or BINARY_ACK (<c>45n-…</c>, <c>46n-…</c>): attachments follow.</summary>
    Binary,
}

/// <summary>
/// One parsed client message: its kind and, for Socket.IO packets, namespace, ack id, attachment count and the JSON
/// part (offsets into the message, so nothing is copied).
/// </summary>
internal readonly record struct ClientPacket(ClientPacketKind Kind, string? Namespace, long? AckId, int Attachments, int JsonStart);
