using System;
using SailSocket.Internal;
using Xunit;

namespace SailSocket.UnitTests.Sails;

/// <summary>socket.io-client's backoff (backo2): Delay·2^(n-1), ± a random share of at most RandomizationFactor, capped.</summary>
public sealed class ReconnectBackoffTests
{
    private static readonly SailsReconnectionOptions s_defaults = new();

    private static double Ms(SailsReconnectionOptions options, int attempt, double random, bool up) =>
        ReconnectBackoff.GetDelay(options, attempt, random, up).TotalMilliseconds;

    [Theory]
    [InlineData(0.0, true, 1000)]
    [InlineData(0.0, false, 1000)]
    [InlineData(0.5, true, 1250)]
    [InlineData(0.5, false, 750)]
    [InlineData(1.0, true, 1500)]
    [InlineData(1.0, false, 500)]
    public void FirstAttempt_DelayPlusOrMinusJitter(double random, bool up, double expectedMs)
    {
        // Defaults: Delay 1 s, DelayMax 5 s, RandomizationFactor 0.5.
        Assert.Equal(expectedMs, Ms(s_defaults, 1, random, up), 0.0002);
    }

    [Theory]
    [InlineData(1, 100)]
    [InlineData(2, 200)]
    [InlineData(3, 400)]
    [InlineData(4, 800)]
    [InlineData(5, 1600)]
    [InlineData(10, 51200)]
    [InlineData(11, 60000)]
    [InlineData(12, 60000)]
    public void NoJitter_DoublesUpToTheCap(int attempt, double expectedMs)
    {
        var options = new SailsReconnectionOptions { Delay = TimeSpan.FromMilliseconds(100), DelayMax = TimeSpan.FromMinutes(1), RandomizationFactor = 0 };

        Assert.Equal(expectedMs, Ms(options, attempt, 0.999, true));
        Assert.Equal(expectedMs, Ms(options, attempt, 0.999, false));
    }

    [Fact]
    public void Defaults_DoublingCappedAtFiveSeconds()
    {
        Assert.Equal(1000, Ms(s_defaults, 1, 0, true));
        Assert.Equal(2000, Ms(s_defaults, 2, 0, true));
        Assert.Equal(4000, Ms(s_defaults, 3, 0, true));
        Assert.Equal(5000, Ms(s_defaults, 4, 0, true));
        Assert.Equal(5000, Ms(s_defaults, 100, 0, true));
    }

    [Fact]
    public void JitterUpBeyondTheCap_IsCapped()
    {
        // Attempt 3: 4000 ms + 0.5·4000 = 6000 → 5000.
        Assert.Equal(5000, Ms(s_defaults, 3, 1.0, true));

        // Below the cap, the downward jitter still applies to the uncapped delay: 8000 − 0.5·8000 = 4000.
        Assert.Equal(4000, Ms(s_defaults, 4, 1.0, false));
    }

    [Fact]
    public void FullJitterDownward_IsZeroNeverNegative()
    {
        var options = new SailsReconnectionOptions { RandomizationFactor = 1 };

        Assert.Equal(TimeSpan.Zero, ReconnectBackoff.GetDelay(options, 1, 1.0, false));
        Assert.Equal(2000, Ms(options, 1, 1.0, true));
    }

    [Fact]
    public void ZeroDelay_AlwaysZero()
    {
        var options = new SailsReconnectionOptions { Delay = TimeSpan.Zero, DelayMax = TimeSpan.Zero };

        Assert.Equal(TimeSpan.Zero, ReconnectBackoff.GetDelay(options, 1, 0.7, true));
        Assert.Equal(TimeSpan.Zero, ReconnectBackoff.GetDelay(options, int.MaxValue, 0.7, true));
    }

    [Theory]
    [InlineData(31)]
    [InlineData(32)]
    [InlineData(64)]
    [InlineData(1025)]
    [InlineData(int.MaxValue)]
    public void HugeAttemptNumbers_CappedWithoutOverflow(int attempt)
    {
        Assert.Equal(TimeSpan.FromSeconds(5), ReconnectBackoff.GetDelay(s_defaults, attempt, 0, true));
        Assert.Equal(TimeSpan.FromSeconds(5), ReconnectBackoff.GetDelay(s_defaults, attempt, 0.999, true));
        Assert.Equal(TimeSpan.FromSeconds(5), ReconnectBackoff.GetDelay(s_defaults, attempt, 0.999, false));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(int.MinValue)]
    public void AttemptBelowOne_NeverNegativeNeverAboveTheCap(int attempt)
    {
        foreach (var random in (double[])[0, 0.5, 0.999])
        {
            foreach (var up in (bool[])[true, false])
            {
                var delay = ReconnectBackoff.GetDelay(s_defaults, attempt, random, up);
                Assert.InRange(delay, TimeSpan.Zero, s_defaults.DelayMax);
            }
        }
    }

    [Fact]
    public void AnyDraw_StaysWithinBounds()
    {
        var options = new SailsReconnectionOptions { Delay = TimeSpan.FromMilliseconds(250), DelayMax = TimeSpan.FromSeconds(10), RandomizationFactor = 0.8 };
        for (var attempt = 1; attempt <= 40; attempt++)
        {
            var baseMs = 250 * Math.Pow(2, Math.Min(attempt - 1, 30));
            for (var step = 0; step <= 10; step++)
            {
                var random = step / 10.0;
                var up = Ms(options, attempt, random, true);
                var down = Ms(options, attempt, random, false);
                Assert.InRange(up, 0, 10_000);
                Assert.InRange(down, 0, 10_000);
                // TimeSpan keeps whole ticks (0.0001 ms).
                Assert.Equal(Math.Min(baseMs * (1 + (0.8 * random)), 10_000), up, 0.0002);
                Assert.Equal(Math.Min(baseMs * (1 - (0.8 * random)), 10_000), down, 0.0002);
            }
        }
    }

    [Theory]
    [InlineData(31)]
    [InlineData(1000)]
    [InlineData(int.MaxValue)]
    public void UncappedDelayMax_HugeAttempt_DoesNotOverflow(int attempt)
    {
        // DelayMax = TimeSpan.MaxValue ("no cap") passes Validate; with Delay 1 h the uncapped delay (3.6e6 ms · 2^30)
        // is beyond TimeSpan's range: the clamp keeps it representable, and the longest wait a timer takes bounds it.
        var options = new SailsReconnectionOptions { Delay = TimeSpan.FromHours(1), DelayMax = TimeSpan.MaxValue };
        options.Validate();

        var delay = ReconnectBackoff.GetDelay(options, attempt, 0.999, true);

        Assert.Equal(SailsReconnectionOptions.MaxDelay, delay);
    }

    [Theory]
    [InlineData(24)]
    [InlineData(40)]
    [InlineData(int.MaxValue)]
    public void DelayFromValidOptions_IsOneTaskDelayAccepts(int attempt)
    {
        // SailsSocket.RunConnectLoopAsync awaits Task.Delay(delay, TimeProvider, token), which throws
        // ArgumentOutOfRangeException above uint.MaxValue - 1 ms (about 49.7 days). Validate accepts any DelayMax, so with
        // DelayMax = TimeSpan.MaxValue (or 60 days) the 24th attempt's delay is refused by Task.Delay, the connect loop
        // treats that as a non-retryable error and the socket gives up reconnecting for good.
        foreach (var delayMax in (TimeSpan[])[TimeSpan.MaxValue, TimeSpan.FromDays(60)])
        {
            var options = new SailsReconnectionOptions { Enabled = true, DelayMax = delayMax };
            options.Validate();

            var delay = ReconnectBackoff.GetDelay(options, attempt, 0, true);

            Assert.InRange(delay.TotalMilliseconds, 0, uint.MaxValue - 1);
        }
    }
}
