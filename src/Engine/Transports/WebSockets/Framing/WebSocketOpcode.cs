namespace SailSocket.Engine.Transports.WebSockets.Framing;

/// <summary>The opcodes of RFC 6455 §5.2 (the low four bits of a frame's first byte); any other value is an error.</summary>
internal enum WebSocketOpcode : byte
{
    /// <summary>The next fragment of the message in progress.</summary>
    Continuation = 0x0,

    /// <summary>The first frame of a text (UTF-8) message.</summary>
    Text = 0x1,

    /// <summary>The first frame of a binary message.</summary>
    Binary = 0x2,

    /// <summary>A close frame (§5.5.1): an optional two-byte status code and a UTF-8 reason.</summary>
    Close = 0x8,

    /// <summary>A ping (§5.5.2): answered by a pong with the same payload.</summary>
    Ping = 0x9,

    /// <summary>A pong (§5.5.3): ignored when unsolicited.</summary>
    Pong = 0xA,
}
