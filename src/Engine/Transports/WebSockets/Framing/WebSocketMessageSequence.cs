namespace SailSocket.Engine.Transports.WebSockets.Framing;

/// <summary>
/// The order of data frames (RFC 6455 §5.4): a message is a text or binary frame followed, while FIN is clear, by
/// continuation frames; control frames may come between them. A mutable struct kept by the receiver, one per connection.
/// </summary>
internal struct WebSocketMessageSequence
{
    /// <summary>The opcode of the message that a FIN has not ended yet; <see cref="WebSocketOpcode.Continuation"/> when none is open.</summary>
    private WebSocketOpcode _open;

    /// <summary>Whether a message has started and not ended.</summary>
    public readonly bool InMessage => _open != WebSocketOpcode.Continuation;

    /// <summary>Accepts the next data frame's header and returns its message's opcode (text or binary).</summary>
    /// <exception cref="EngineProtocolException">A continuation with no message started, or a new message while one is unfinished.</exception>
    public WebSocketOpcode Accept(in WebSocketFrameHeader header)
    {
        WebSocketOpcode message;
        if (header.Opcode == WebSocketOpcode.Continuation)
        {
            if (_open == WebSocketOpcode.Continuation)
            {
                throw new EngineProtocolException("A WebSocket continuation frame came with no message started (RFC 6455 §5.4).", 0);
            }

            message = _open;
        }
        else
        {
            if (_open != WebSocketOpcode.Continuation)
            {
                throw new EngineProtocolException($"A new WebSocket message (opcode 0x{(byte)header.Opcode:X}) started before the previous one ended (RFC 6455 §5.4).", 0);
            }

            message = header.Opcode;
        }

        _open = header.Fin ? WebSocketOpcode.Continuation : message;
        return message;
    }
}
