using System;

namespace SailSocket.Engine.Diagnostics;

/// <summary>
/// Sees every Engine.IO packet a connection sends and receives, as it goes over the wire (the Socket.IO packet inside a
/// message packet included): the seam behind <c>sailsocket --trace</c>. Set with <see cref="EngineOptions.FrameObserver"/>.
/// </summary>
/// <remarks>
/// <para>The frames are raw: they hold whatever the application sends and the server answers (tokens, cookies echoed in a
/// body). The observer redacts before it shows or stores anything.</para>
/// <para>Called on the connection's send and receive paths, from several threads at once: keep it short, never block,
/// never throw (an exception ends the send or the receive), and copy what you keep: the span is valid only during the
/// call. Covered: the open packet of a WebSocket handshake, every packet received on an open connection (pings and noops
/// included) and every packet sent (pongs included); not covered: the polling handshake body and the upgrade probe.
/// Packets are shown in their wire form: over polling, a binary packet is the base64 text packet <c>b...</c> (Engine.IO 4).</para>
/// </remarks>
public abstract class EngineFrameObserver
{
    /// <summary>Called before a packet is handed to the transport.</summary>
    /// <param name="frame">The packet: UTF-8 text (type character first) or binary data.</param>
    /// <param name="isBinary">Whether it is a binary packet.</param>
    public abstract void OnSent(ReadOnlySpan<byte> frame, bool isBinary);

    /// <summary>Called when the transport has handed up a packet, before it is processed.</summary>
    /// <param name="frame">The packet: UTF-8 text (type character first) or binary data.</param>
    /// <param name="isBinary">Whether it is a binary packet.</param>
    public abstract void OnReceived(ReadOnlySpan<byte> frame, bool isBinary);
}
