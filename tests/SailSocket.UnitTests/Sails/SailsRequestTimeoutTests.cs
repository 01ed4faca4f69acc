using System;
using System.Threading.Tasks;
using SailSocket.Testing;
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
        // The harness's shared timer ticks once a second; the request is sent at 0 s with a 10 s timeout. The shipped test
        // kit's fake server plays the app: /never never answers, /echo answers at once, /slow after 30 s on the same clock.
        await using var h = new FakeServerHarness(requestTimeout: TimeSpan.FromSeconds(10));
        h.Server.Get("/never", _ => FakeResponse.NoReply)
            .Get("/echo", _ => FakeResponse.Status(200))
            .Get("/slow", _ => FakeResponse.Status(200).WithDelay(TimeSpan.FromSeconds(30)));
        var (socket, _) = await h.ConnectAsync();
        var never = socket.GetAsync("/never").AsTask();
        await h.Server.WaitForRequestAsync(r => r.Path == "/never", TestTimeouts.Default);

        h.Clock.Advance(TimeSpan.FromSeconds(9));
        Assert.False(never.IsCompleted);
        h.Clock.Advance(TimeSpan.FromSeconds(1));
        var ex = await Assert.ThrowsAsync<SailsTimeoutException>(() => never.WaitAsync(TestTimeouts.Default));
        Assert.Contains("/never", ex.Message, StringComparison.Ordinal);
        Assert.True(socket.IsConnected);

        // The socket is still usable.
        Assert.Equal(200, (await socket.GetAsync("/echo").AsTask().WaitAsync(TestTimeouts.Default)).StatusCode);

        // A request's own timeout outlives the client's: answered 30 s later, past the client's 10 s.
        var slow = socket.RequestAsync(new SailsRequest("get", "/slow") { Timeout = TimeSpan.FromSeconds(60) }).AsTask();
        await h.Clock.WaitForTimerAsync(TimeSpan.FromSeconds(30));
        h.Clock.Advance(TimeSpan.FromSeconds(29));
        Assert.False(slow.IsCompleted);
        h.Clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(200, (await slow.WaitAsync(TestTimeouts.Default)).StatusCode);
    }
}
