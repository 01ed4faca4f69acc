using System;

namespace SailSocket;

/// <summary>
/// Automatic reconnection (sails.io.js <c>reconnection</c>, <c>reconnectionAttempts</c>, <c>reconnectionDelay</c>,
/// <c>reconnectionDelayMax</c>, <c>randomizationFactor</c>), with the same meaning and defaults.
/// </summary>
/// <remarks>
/// The delay before attempt <c>n</c> (from 1) is <c>Delay · 2^(n-1)</c>, moved up or down by a random share of itself of
/// at most <see cref="RandomizationFactor"/>, and capped at <see cref="DelayMax"/>. The same backoff applies to the first
/// connect when the server is down. A server-side disconnect (<c>io server disconnect</c>) and a client disconnect never
/// reconnect, as in socket.io-client.
/// </remarks>
public sealed class SailsReconnectionOptions
{
    /// <summary>Whether to reconnect automatically. Default <see langword="false"/> (sails.io.js overrides socket.io's <c>true</c>).</summary>
    public bool Enabled { get; init; }

    /// <summary>How many attempts before giving up. Default <see cref="int.MaxValue"/> (sails.io.js: <c>Infinity</c>).</summary>
    public int Attempts { get; init; } = int.MaxValue;

    /// <summary>The delay before the first attempt. Default 1 second.</summary>
    public TimeSpan Delay { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>The longest delay between attempts. Default 5 seconds; anything above <see cref="MaxDelay"/> acts as <see cref="MaxDelay"/>.</summary>
    public TimeSpan DelayMax { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>The jitter, from 0 (none) to 1. Default 0.5.</summary>
    public double RandomizationFactor { get; init; } = 0.5;

    /// <summary>The longest delay a timer can wait (about 49.7 days): <c>Task.Delay</c> refuses more.</summary>
    public static readonly TimeSpan MaxDelay = TimeSpan.FromMilliseconds(uint.MaxValue - 1);

    /// <summary>Checks the options.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A value is out of range.</exception>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(Attempts, 1, nameof(Attempts));
        ArgumentOutOfRangeException.ThrowIfLessThan(Delay, TimeSpan.Zero, nameof(Delay));
        ArgumentOutOfRangeException.ThrowIfLessThan(DelayMax, Delay, nameof(DelayMax));
        if (RandomizationFactor is < 0 or > 1 || double.IsNaN(RandomizationFactor))
        {
            throw new ArgumentOutOfRangeException(nameof(RandomizationFactor), RandomizationFactor, "The randomization factor must be between 0 and 1.");
        }
    }
}
