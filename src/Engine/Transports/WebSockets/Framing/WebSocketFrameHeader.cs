namespace SailSocket.Engine.Transports.WebSockets.Framing;

/// <summary>One frame header as read from a server (RFC 6455 §5.2): never masked, RSV bits clear.</summary>
/// <param name="Fin">Whether this frame ends its message (always set on a control frame).</param>
/// <param name="Opcode">The frame's opcode.</param>
/// <param name="PayloadLength">The payload bytes that follow the header: at most 125 on a control frame, below 2^63 otherwise.</param>
internal readonly record struct WebSocketFrameHeader(bool Fin, WebSocketOpcode Opcode, long PayloadLength)
{
    /// <summary>Whether this is a control frame (close, ping, pong: opcodes 0x8–0xF, §5.5).</summary>
    public bool IsControl => (byte)Opcode >= 0x8;
}
