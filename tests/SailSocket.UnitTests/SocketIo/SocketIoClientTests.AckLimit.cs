using System;
using System.Threading.Tasks;
using SailSocket.SocketIo;
using SailSocket.UnitTests.Infrastructure;
using Xunit;

namespace SailSocket.UnitTests.SocketIo;

/// <content><see cref="SocketIoOptions.MaxPendingAcks"/>: the ack table cannot grow without bound.</content>
public sealed partial class SocketIoClientTests
{
    [Fact]
    public async Task MaxPendingAcks_OneMoreEmit_IsRefusedBeforeSending_AndFreedSlotsCanBeUsed()
    {
        var options = CreateOptions();
        var client = await ConnectAsync(new SocketIoOptions
        {
            Engine = options.Engine,
            ConnectTimeout = options.ConnectTimeout,
            OnEvent = options.OnEvent,
            OnDisconnected = options.OnDisconnected,
            MaxPendingAcks = 2,
        });
        var first = GetAsync(client, "/1");
        var (firstId, _) = SplitEmit(await _peer.ReceiveTextAsync());
        var second = GetAsync(client, "/2");
        await _peer.ReceiveTextAsync();

        var ex = await Assert.ThrowsAsync<SocketIoAckLimitException>(() => GetAsync(client, "/3"));

        Assert.Equal(2, ex.Limit);
        Assert.Equal(2, client.PendingAckCount);
        Assert.True(client.IsConnected);

        // One ack back frees one slot; the refused emit never reached the server, so the next packet is the new emit.
        await _peer.SendTextAsync($"43{firstId}[]");
        await first.WaitAsync(TestTimeouts.Default);
        var third = GetAsync(client, "/4");
        var (_, json) = SplitEmit(await _peer.ReceiveTextAsync());
        Assert.Equal("""["get",{"url":"/4"}]""", json);
        Assert.False(second.IsCompleted);
        Assert.False(third.IsCompleted);
    }

    [Fact]
    public void MaxPendingAcks_DefaultsTo10000_AndMustBePositive()
    {
        var options = CreateOptions();
        Assert.Equal(10_000, options.MaxPendingAcks);
        Assert.Equal(10_000, new SocketIoNamespaceOptions().MaxPendingAcks);

        Assert.Throws<ArgumentOutOfRangeException>(() => new SocketIoOptions { Engine = options.Engine, MaxPendingAcks = 0 }.Validate());
        Assert.Throws<ArgumentOutOfRangeException>(() => new SocketIoNamespaceOptions { MaxPendingAcks = -1 }.Validate());
    }
}
