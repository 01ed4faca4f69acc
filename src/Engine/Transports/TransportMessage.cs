using System;

namespace SailSocket.Engine.Transports;

/// <summary>One whole message from a transport, or the end of the stream.</summary>
internal readonly record struct TransportMessage(bool IsBinary, ReadOnlyMemory<byte> Data, bool IsClose = false, bool IsPaused = false)
{
    public static TransportMessage Closed => new(false, ReadOnlyMemory<byte>.Empty, IsClose: true);

    /// <summary>A paused polling transport has nothing more to give: the connection is switching to the upgraded transport.</summary>
    public static TransportMessage Paused => new(false, ReadOnlyMemory<byte>.Empty, IsPaused: true);
}
