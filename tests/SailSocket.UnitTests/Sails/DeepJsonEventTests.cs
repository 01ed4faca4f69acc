using System.Threading;
using System.Threading.Tasks;
using SailSocket.UnitTests.Infrastructure;
using Xunit;

namespace SailSocket.UnitTests.Sails;

/// <summary>
/// A server event whose JSON nests deeper than 64 levels, sent to a socket that listens to it: the socket is
/// disconnected with a protocol error — the event no longer vanishes without a handler call, an error or a count.
/// </summary>
public sealed class DeepJsonEventTests
{
    [Fact]
    public async Task Event_NestedTooDeeply_DisconnectsWithAProtocolError()
    {
        await using var h = new SailsHarness();
        var (socket, peer) = await h.ConnectAsync();
        var events = new LifecycleRecorder(socket);
        var calls = 0;
        socket.On("deep", _ => Interlocked.Increment(ref calls));

        await peer.EmitAsync("deep", new string('[', 100) + new string(']', 100));

        var disconnected = await LifecycleRecorder.NextAsync(events.Disconnected);
        Assert.Equal(SailsDisconnectReason.ProtocolError, disconnected.Reason);
        Assert.Equal(0, Volatile.Read(ref calls));
    }
}
