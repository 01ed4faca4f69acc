using SailSocket.Engine;
using SailSocket.SocketIo;
using Xunit;

namespace SailSocket.UnitTests.SocketIo;

/// <summary>The one mapping from why the Engine.IO connection ended to the Socket.IO disconnect reason.</summary>
public sealed class SocketIoDisconnectReasonTests
{
    [Theory]
    [InlineData(EngineConnectionError.ClosedByClient, SocketIoDisconnectReason.ClientDisconnect)]
    [InlineData(EngineConnectionError.PingTimeout, SocketIoDisconnectReason.PingTimeout)]
    [InlineData(EngineConnectionError.ProtocolError, SocketIoDisconnectReason.ProtocolError)]
    [InlineData(EngineConnectionError.MessageTooLarge, SocketIoDisconnectReason.ProtocolError)]
    [InlineData(EngineConnectionError.ClosedByServer, SocketIoDisconnectReason.TransportClose)]
    [InlineData(EngineConnectionError.TransportError, SocketIoDisconnectReason.TransportClose)]
    [InlineData(EngineConnectionError.Unreachable, SocketIoDisconnectReason.TransportClose)]
    [InlineData(EngineConnectionError.HandshakeRefused, SocketIoDisconnectReason.TransportClose)]
    [InlineData(EngineConnectionError.NotEngineIo, SocketIoDisconnectReason.TransportClose)]
    public void ReasonOf_MapsEveryEngineError(EngineConnectionError error, SocketIoDisconnectReason expected) =>
        Assert.Equal(expected, SocketIoDisconnectedException.ReasonOf(error));
}
