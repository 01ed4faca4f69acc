using System;

namespace SailSocket.Engine;

/// <summary>One Engine.IO message packet received from the server: text (a Socket.IO packet) or binary (an attachment).</summary>
/// <remarks>
/// The memory belongs to the connection and stays valid only until the next call to
/// <see cref="EngineConnection.ReceiveAsync"/> or until the connection is disposed. Copy what must outlive that.
/// </remarks>
public readonly struct EngineMessage
{
    /// <summary>Creates a message view.</summary>
    /// <param name="isBinary">Whether the message is binary.</param>
    /// <param name="data">The message data, without the Engine.IO type character.</param>
    public EngineMessage(bool isBinary, ReadOnlyMemory<byte> data)
    {
        IsBinary = isBinary;
        Data = data;
    }

    /// <summary>Whether this is a binary message. Text messages hold UTF-8.</summary>
    public bool IsBinary { get; }

    /// <summary>The data of the message packet, without the Engine.IO type character.</summary>
    public ReadOnlyMemory<byte> Data { get; }
}
