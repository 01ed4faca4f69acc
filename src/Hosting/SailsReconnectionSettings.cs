using System;

namespace SailSocket.Extensions.Hosting;

/// <summary>The <c>Reconnection</c> part of <see cref="SailsClientSettings"/>, mapped to <see cref="SailsReconnectionOptions"/>.</summary>
public sealed class SailsReconnectionSettings
{
    /// <summary>Whether a lost connection is reconnected. Default <see langword="true"/> (the core's default is off: a host wants its sockets back).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Attempts before giving up, at least 1; <see langword="null"/> (the default) for no limit.</summary>
    public int? Attempts { get; set; }

    /// <summary>The first delay between attempts. Default 1 s; must not be negative.</summary>
    public TimeSpan Delay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The largest delay between attempts. Default 5 s; at least <see cref="Delay"/>.</summary>
    public TimeSpan DelayMax { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>The jitter of each delay, between 0 and 1. Default 0.5.</summary>
    public double RandomizationFactor { get; set; } = 0.5;
}
