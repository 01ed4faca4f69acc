using System;

namespace SailSocket.Engine.Transports;

/// <summary>One whole message from a transport, or the end of the stream.</summary>
internal readonly record struct TransportMessage(bool IsBinary, ReadOnlyMemory<byte> Data, bool IsClose = false)
{
    public static TransportMessage Closed => new(false, ReadOnlyMemory<byte>.Empty, IsClose: true);
}
