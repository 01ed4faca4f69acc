using System.Threading.Tasks;
using SailSocket.SocketIo;
using SailSocket.UnitTests.Infrastructure;
using Xunit;

namespace SailSocket.UnitTests.SocketIo;

/// <content>
/// An event whose JSON nests deeper than the reader's 64 levels: when the handler reads it (GetArgument) the connection
/// ends with a protocol error, instead of the event vanishing (no handler call, no error, no count).
/// </content>
public sealed partial class SocketIoClientTests
{
    [Fact]
    public async Task Event_NestedTooDeeply_ReadByTheHandler_IsAProtocolError_NotASilentDrop()
    {
        await ConnectAsync();
        const int Depth = 100;
        var deep = new string('[', Depth) + new string(']', Depth);

        await _peer.SendTextAsync("42[\"deep\"," + deep + "]");

        var reason = await DisconnectedAsync();
        Assert.Equal(SocketIoDisconnectReason.ProtocolError, reason.Reason);
        var inner = Assert.IsType<SocketIoProtocolException>(reason.InnerException);
        Assert.Contains("depth", inner.Message, System.StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Event_NestedWithinTheDepth_IsDelivered()
    {
        await ConnectAsync();
        var nested = new string('[', 60) + new string(']', 60);

        await _peer.SendTextAsync("42[\"nested\"," + nested + "]");

        var received = await NextEventAsync();
        Assert.Equal("nested", received.Name);
        Assert.Equal(nested, received.FirstArgument);
    }
}
