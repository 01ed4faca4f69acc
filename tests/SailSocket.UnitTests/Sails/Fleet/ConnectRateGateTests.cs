using System;
using System.Threading;
using System.Threading.Tasks;
using SailSocket.Fleet;
using SailSocket.UnitTests.Infrastructure;
using Xunit;

namespace SailSocket.UnitTests.Sails.Fleet;

public sealed class ConnectRateGateTests
{
    [Fact]
    public void Burst_ThenOneSlotPerInterval()
    {
        var clock = new ManualTimeProvider();
        var gate = new ConnectRateGate(clock, rate: 10, burst: 3, jitter: 0);
        Assert.Equal(TimeSpan.Zero, gate.Reserve());
        Assert.Equal(TimeSpan.Zero, gate.Reserve());
        Assert.Equal(TimeSpan.Zero, gate.Reserve());
        Assert.Equal(TimeSpan.FromMilliseconds(100), gate.Reserve());
        Assert.Equal(TimeSpan.FromMilliseconds(200), gate.Reserve());
        Assert.Equal(5, gate.Admitted);

        // 150 ms later: the slots already handed out stand; the next is 300 ms after the start.
        clock.Advance(TimeSpan.FromMilliseconds(150));
        Assert.Equal(TimeSpan.FromMilliseconds(150), gate.Reserve());

        // After a quiet spell the burst is back, and no more than it.
        clock.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal(TimeSpan.Zero, gate.Reserve());
        Assert.Equal(TimeSpan.Zero, gate.Reserve());
        Assert.Equal(TimeSpan.Zero, gate.Reserve());
        Assert.Equal(TimeSpan.FromMilliseconds(100), gate.Reserve());
    }

    [Fact]
    public void AnyWindow_AdmitsAtMostBurstPlusRateTimesItsLength()
    {
        // 1,000 sockets of a dead node asking at once, rate 50/s, burst 10: slot k starts at max(0, k - 9) / 50 s.
        var clock = new ManualTimeProvider();
        var gate = new ConnectRateGate(clock, rate: 50, burst: 10, jitter: 0);
        var starts = new TimeSpan[1000];
        for (var k = 0; k < starts.Length; k++)
        {
            starts[k] = gate.Reserve();
        }

        Assert.Equal(TimeSpan.FromSeconds(990 / 50.0), starts[^1]);
        for (var k = 0; k < starts.Length; k++)
        {
            var inWindow = 0;
            for (var j = k; j < starts.Length && starts[j] < starts[k] + TimeSpan.FromSeconds(1); j++)
            {
                inWindow++;
            }

            Assert.True(inWindow <= 10 + 50, $"{inWindow} attempts in the second from {starts[k]}");
        }
    }

    [Fact]
    public void Jitter_AddsAtMostItsShareOfOneInterval()
    {
        var clock = new ManualTimeProvider();
        var gate = new ConnectRateGate(clock, rate: 10, burst: 1, jitter: 0.5);
        var spread = false;
        for (var k = 0; k < 200; k++)
        {
            var wait = gate.Reserve();
            var slot = TimeSpan.FromMilliseconds(100 * k);
            Assert.InRange(wait, slot, slot + TimeSpan.FromMilliseconds(50));
            spread |= wait != slot;
        }

        Assert.True(spread, "200 waits with jitter 0.5 all landed on their slot.");
    }

    [Fact]
    public async Task WaitAsync_WaitsOnTheGivenClock_AndIsFreeWhenTheSlotIsNow()
    {
        var clock = new ManualTimeProvider();
        var gate = new ConnectRateGate(clock, rate: 2, burst: 1, jitter: 0);
        var first = gate.WaitAsync(CancellationToken.None).AsTask();
        Assert.True(first.IsCompletedSuccessfully);
        var second = gate.WaitAsync(CancellationToken.None).AsTask();
        Assert.False(second.IsCompleted);
        clock.Advance(TimeSpan.FromMilliseconds(499));
        Assert.False(second.IsCompleted);
        clock.Advance(TimeSpan.FromMilliseconds(1));
        await second.WaitAsync(TestTimeouts.Default);

        using var cts = new CancellationTokenSource();
        var third = gate.WaitAsync(cts.Token).AsTask();
        cts.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => third.WaitAsync(TestTimeouts.Default));
    }
}
