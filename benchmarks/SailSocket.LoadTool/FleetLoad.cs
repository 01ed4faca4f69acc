using System.Diagnostics;
using System.Globalization;
using SailSocket.Fleet;

namespace SailSocket.LoadTool;

/// <summary>
/// A steady request rate over a whole fleet for fleet mode: GET /echo?i=n on socket n mod K, issued on a schedule
/// (not in a closed loop), each outcome counted by the exception the API documents for it.
/// </summary>
internal sealed class FleetLoad(SailsFleet fleet, double rate, int maxInFlight)
{
    private long _issued;
    private long _skipped;
    private long _completed;
    private long _wrong;
    private long _interrupted;
    private long _notSent;
    private long _timedOut;
    private long _limited;
    private long _other;
    private int _inFlight;
    private string? _firstOther;

    /// <summary>The failover window: requests numbered from <see cref="_windowStart"/> up to <see cref="_windowEnd"/> (exclusive).</summary>
    private long _windowStart = long.MaxValue;
    private long _windowEnd = long.MaxValue;

    /// <summary>Outcomes of the window's requests: completed, interrupted, not sent, timed out, over a limit, other.</summary>
    private readonly long[] _window = new long[6];

    /// <summary>Requests not yet answered nor failed.</summary>
    public int InFlight => Volatile.Read(ref _inFlight);

    public FleetLoadCounts Counts => new(
        Interlocked.Read(ref _issued),
        Interlocked.Read(ref _skipped),
        Interlocked.Read(ref _completed),
        Interlocked.Read(ref _wrong),
        Interlocked.Read(ref _interrupted),
        Interlocked.Read(ref _notSent),
        Interlocked.Read(ref _timedOut),
        Interlocked.Read(ref _limited),
        Interlocked.Read(ref _other),
        Volatile.Read(ref _inFlight),
        Volatile.Read(ref _firstOther));

    /// <summary>Starts the failover window: requests issued from now on are counted in it.</summary>
    public void OpenWindow() => Volatile.Write(ref _windowStart, Interlocked.Read(ref _issued));

    /// <summary>Ends the failover window: requests issued from now on are not counted in it.</summary>
    public void CloseWindow() => Volatile.Write(ref _windowEnd, Interlocked.Read(ref _issued));

    /// <summary>How the window's requests ended (once drained): issued, completed, interrupted, not sent, timed out, over a limit, other.</summary>
    public long[] WindowOutcomes()
    {
        var issued = Math.Max(0, Math.Min(Interlocked.Read(ref _issued), Volatile.Read(ref _windowEnd)) - Volatile.Read(ref _windowStart));
        return [issued, .. _window.Select(static (_, i) => i).Select(i => Interlocked.Read(ref _window[i]))];
    }

    /// <summary>Issues requests at the rate until <paramref name="stop"/> is cancelled.</summary>
    public async Task RunAsync(CancellationToken stop)
    {
        var start = Stopwatch.GetTimestamp();
        long due = 0;
        while (!stop.IsCancellationRequested)
        {
            var target = (long)(Stopwatch.GetElapsedTime(start).TotalSeconds * rate);
            for (; due < target; due++)
            {
                if (Volatile.Read(ref _inFlight) >= maxInFlight)
                {
                    // The fleet is not keeping up: counted, not queued without bound.
                    Interlocked.Increment(ref _skipped);
                    continue;
                }

                _ = IssueAsync(Interlocked.Increment(ref _issued) - 1);
            }

            try
            {
                await Task.Delay(5, stop);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>Waits until every issued request has ended, for at most <paramref name="bound"/>.</summary>
    public async Task<bool> DrainAsync(TimeSpan bound)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(bound.TotalSeconds * Stopwatch.Frequency);
        while (Volatile.Read(ref _inFlight) > 0)
        {
            if (Stopwatch.GetTimestamp() > deadline)
            {
                return false;
            }

            await Task.Delay(20);
        }

        return true;
    }

    private async Task IssueAsync(long n)
    {
        Interlocked.Increment(ref _inFlight);
        int outcome;
        try
        {
            var index = (int)(n % fleet.Count);
            var response = await fleet.RequestAsync(index, new SailsRequest("get", "/echo?i=" + n.ToString(CultureInfo.InvariantCulture)));
            Interlocked.Increment(ref response.StatusCode == 200 ? ref _completed : ref _wrong);
            outcome = response.StatusCode == 200 ? 0 : 5;
        }
        catch (SailsRequestInterruptedException)
        {
            Interlocked.Increment(ref _interrupted);
            outcome = 1;
        }
        catch (SailsConnectionException)
        {
            Interlocked.Increment(ref _notSent);
            outcome = 2;
        }
        catch (SailsTimeoutException)
        {
            Interlocked.Increment(ref _timedOut);
            outcome = 3;
        }
        catch (SailsLimitExceededException)
        {
            Interlocked.Increment(ref _limited);
            outcome = 4;
        }
        catch (Exception ex)
        {
            Interlocked.Increment(ref _other);
            Interlocked.CompareExchange(ref _firstOther, $"{ex.GetType().Name}: {ex.Message}", null);
            outcome = 5;
        }

        if (n >= Volatile.Read(ref _windowStart) && n < Volatile.Read(ref _windowEnd))
        {
            Interlocked.Increment(ref _window[outcome]);
        }

        Interlocked.Decrement(ref _inFlight);
    }
}

/// <summary>What a <see cref="FleetLoad"/> counted: every issued request ends in exactly one of the outcome counts.</summary>
internal sealed record FleetLoadCounts(
    long Issued,
    long Skipped,
    long Completed,
    long WrongStatus,
    long Interrupted,
    long NotSent,
    long TimedOut,
    long LimitExceeded,
    long Other,
    int InFlight,
    string? FirstOther)
{
    public long Failed => Interrupted + NotSent + TimedOut + LimitExceeded + Other + WrongStatus;

    /// <summary>Requests that ended neither way (only after a drain that timed out).</summary>
    public long Lost => Issued - Completed - Failed - InFlight;

    public FleetLoadCounts Minus(FleetLoadCounts earlier) => new(
        Issued - earlier.Issued,
        Skipped - earlier.Skipped,
        Completed - earlier.Completed,
        WrongStatus - earlier.WrongStatus,
        Interrupted - earlier.Interrupted,
        NotSent - earlier.NotSent,
        TimedOut - earlier.TimedOut,
        LimitExceeded - earlier.LimitExceeded,
        Other - earlier.Other,
        InFlight,
        FirstOther);
}
