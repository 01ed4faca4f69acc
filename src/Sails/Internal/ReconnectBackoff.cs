using System;

namespace SailSocket.Internal;

/// <summary>The exponential backoff with jitter of socket.io-client (backo2). Pure: the random draws are parameters.</summary>
internal static class ReconnectBackoff
{
    /// <summary>The delay before attempt <paramref name="attempt"/> (from 1).</summary>
    /// <param name="options">Base delay, cap and jitter.</param>
    /// <param name="attempt">The attempt number, from 1.</param>
    /// <param name="random">A uniform draw in [0, 1) for the size of the jitter.</param>
    /// <param name="up">Whether the jitter lengthens (true) or shortens (false) the delay.</param>
    /// <returns>The delay, never negative, never above the cap.</returns>
    public static TimeSpan GetDelay(SailsReconnectionOptions options, int attempt, double random, bool up)
    {
        var exponent = Math.Min(Math.Max(attempt - 1, 0), 30);
        var delay = options.Delay.TotalMilliseconds * Math.Pow(2, exponent);
        var deviation = random * options.RandomizationFactor * delay;
        delay = up ? delay + deviation : delay - deviation;
        var cap = Math.Min(options.DelayMax.TotalMilliseconds, SailsReconnectionOptions.MaxDelay.TotalMilliseconds);
        return TimeSpan.FromMilliseconds(Math.Clamp(delay, 0, cap));
    }
}
