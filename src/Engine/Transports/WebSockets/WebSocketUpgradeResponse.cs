namespace SailSocket.Engine.Transports.WebSockets;

/// <summary>
/// What <see cref="WebSocketUpgradeResponseReader"/> read from the head of an upgrade response: the status and the
/// headers that decide the handshake, as offsets into the head (no string is made until one is needed).
/// </summary>
/// <param name="StatusCode">The three-digit status.</param>
/// <param name="HeadLength">Bytes of the status line and headers, blank line included; what follows is the body or WebSocket frames.</param>
/// <param name="ContentLength">The <c>Content-Length</c>, or -1 when absent.</param>
/// <param name="UpgradeIsWebSocket">Whether <c>Upgrade</c> is <c>websocket</c> (case-insensitive).</param>
/// <param name="ConnectionHasUpgrade">Whether <c>Connection</c> holds the token <c>upgrade</c>.</param>
/// <param name="AcceptStart">Offset of the <c>Sec-WebSocket-Accept</c> value in the head; -1 when absent.</param>
/// <param name="AcceptLength">Its length.</param>
/// <param name="HasExtensions">Whether the server named extensions (this client asks for none).</param>
/// <param name="HasSubProtocol">Whether the server named a subprotocol (this client asks for none).</param>
/// <param name="LocationStart">Offset of the <c>Location</c> value; -1 when absent.</param>
/// <param name="LocationLength">Its length.</param>
/// <param name="IsChunked">Whether the body is chunked (<c>Transfer-Encoding</c> present).</param>
internal readonly record struct WebSocketUpgradeResponse(
    int StatusCode,
    int HeadLength,
    long ContentLength,
    bool UpgradeIsWebSocket,
    bool ConnectionHasUpgrade,
    int AcceptStart,
    int AcceptLength,
    bool HasExtensions,
    bool HasSubProtocol,
    int LocationStart,
    int LocationLength,
    bool IsChunked);
