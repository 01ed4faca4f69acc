using System;
using System.Threading;
using System.Threading.Tasks;

namespace SailSocket.Fleet;

/// <summary>
/// The fleet's one token bucket: every connection attempt of every socket of a fleet (the first connects, paced by
/// <see cref="SailsFleet.ConnectAsync"/>, and every reconnection attempt, through the client's attempt gate) takes a slot
/// here first. In any window of length T at most <c>burst + T · rate</c> attempts start, whatever the number of sockets
/// that lost their node at once.
/// </summary>
/// <remarks>
/// A virtual-time bucket (GCRA): one field, the theoretical time of the next free slot, moved under a lock; a caller
/// learns its slot's delay and waits it out on the fleet's <see cref="TimeProvider"/>. A caller whose slot is now pays
/// no timer and no allocation. Jitter adds a random share of one slot's interval to each wait, so that slots granted
/// together do not start on the same tick. Thread-safe.
/// </remarks>
internal sealed class ConnectRateGate
{
    private readonly TimeProvider _clock;
    private readonly long _interval;
    private readonly long _burstSpan;
    private readonly double _jitter;
    private readonly object _lock = new();

    /// <summary>The timestamp at which the bucket would be empty again; the next slot is <c>_next - _burstSpan</c> or now.</summary>
    private long _next;

    /// <summary>Slots handed out, for the snapshot.</summary>
    private long _admitted;

    /// <summary>Creates a gate.</summary>
    /// <param name="clock">The clock of every wait.</param>
    /// <param name="rate">Attempts per second, above 0.</param>
    /// <param name="burst">Attempts that may start at once after a quiet spell, at least 1.</param>
    /// <param name="jitter">The random share of one interval added to each wait, 0 to 1.</param>
    public ConnectRateGate(TimeProvider clock, double rate, int burst, double jitter)
    {
        _clock = clock;
        _interval = Math.Max(1, (long)(clock.TimestampFrequency / rate));
        _burstSpan = _interval * (burst - 1);
        _jitter = jitter;
        _next = long.MinValue;
    }

    /// <summary>Attempts admitted so far.</summary>
    public long Admitted => Interlocked.Read(ref _admitted);

    /// <summary>Reserves the next slot and returns how long to wait for it (zero when it is now).</summary>
    public TimeSpan Reserve()
    {
        var now = _clock.GetTimestamp();
        long slot;
        lock (_lock)
        {
            var theoretical = Math.Max(_next, now);
            slot = Math.Max(now, theoretical - _burstSpan);
            _next = theoretical + _interval;
        }

        Interlocked.Increment(ref _admitted);
        var wait = slot - now;
        if (_jitter > 0)
        {
            wait += (long)(_interval * _jitter * Random.Shared.NextDouble());
        }

        return wait <= 0 ? TimeSpan.Zero : TimeSpan.FromTicks((long)(wait * ((double)TimeSpan.TicksPerSecond / _clock.TimestampFrequency)));
    }

    /// <summary>Waits for the next slot.</summary>
    /// <param name="cancellationToken">Stops waiting (the slot is spent).</param>
    public ValueTask WaitAsync(CancellationToken cancellationToken)
    {
        var delay = Reserve();
        return delay == TimeSpan.Zero ? ValueTask.CompletedTask : new ValueTask(Task.Delay(delay, _clock, cancellationToken));
    }
}
