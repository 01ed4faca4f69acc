using System;
using System.Threading.Tasks;
using SailSocket.UnitTests.Infrastructure;
using Xunit;

namespace SailSocket.UnitTests.Sails;

/// <summary>
/// A sent request's timeout comes from the shared timer, on the client's clock: it fails at its deadline (never before),
/// leaves the socket connected and usable, and a request's own <see cref="SailsRequest.Timeout"/> overrides the client's.
/// </summary>
public sealed class SailsRequestTimeoutTests
{
    [Fact]
    public async Task SentRequest_TimesOutAtItsDeadlineNotBefore_AndTheSocketStaysUsable()
    {
        // The harness's shared timer ticks once a second; the request is sent at 0 s with a 10 s timeout.
        await using var h = new SailsHarness(requestTimeout: TimeSpan.FromSeconds(10));
        var (socket, peer) = await h.ConnectAsync();
        var never = socket.GetAsync("/never").AsTask();
        Assert.Equal("/never", (await peer.ReceiveRequestAsync()).Url);

        h.Clock.Advance(TimeSpan.FromSeconds(9));
        Assert.False(never.IsCompleted);
        h.Clock.Advance(TimeSpan.FromSeconds(1));
        var ex = await Assert.ThrowsAsync<SailsTimeoutException>(() => never.WaitAsync(TestTimeouts.Default));
        Assert.Contains("/never", ex.Message, StringComparison.Ordinal);
        Assert.True(socket.IsConnected);

        // The socket is still usable.
        var echo = socket.GetAsync("/echo").AsTask();
        var echoRequest = await peer.ReceiveRequestAsync();
        Assert.Equal("/echo", echoRequest.Url);
        await peer.RespondAsync(echoRequest);
        Assert.Equal(200, (await echo.WaitAsync(TestTimeouts.Default)).StatusCode);

        // A request's own timeout outlives the client's.
        var slow = socket.RequestAsync(new SailsRequest("get", "/slow") { Timeout = TimeSpan.FromSeconds(60) }).AsTask();
        var slowRequest = await peer.ReceiveRequestAsync();
        h.Clock.Advance(TimeSpan.FromSeconds(30));
        Assert.False(slow.IsCompleted);
        await peer.RespondAsync(slowRequest);
        Assert.Equal(200, (await slow.WaitAsync(TestTimeouts.Default)).StatusCode);
    }
}
