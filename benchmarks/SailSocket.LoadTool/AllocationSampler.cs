using System.Collections.Concurrent;
using System.Diagnostics.Tracing;

namespace SailSocket.LoadTool;

/// <summary>
/// <c>--alloc-profile</c>: the runtime's own allocation sampling (the GCAllocationTick event, one per ~100 KB allocated,
/// naming the type that crossed the threshold), aggregated by type. Over a pipelined phase of a few hundred MB that is
/// thousands of samples: enough to say which types make up the bytes per request, without stacks or a profiler.
/// </summary>
/// <remarks>
/// The listener itself allocates a little per sample (well under 1% of what it samples); the figures of a run with
/// <c>--alloc-profile</c> include that, so take the request figures from runs without it.
/// </remarks>
internal sealed class AllocationSampler : EventListener
{
    private const EventKeywords GcKeyword = (EventKeywords)0x1;

    private readonly ConcurrentDictionary<string, long> _bytesByType = new();
    private volatile bool _recording;

    public void Start() => _recording = true;

    public void Stop() => _recording = false;

    /// <summary>The sampled types, largest share first, with their share of all sampled bytes.</summary>
    public IReadOnlyList<AllocationShare> Top(int count)
    {
        var total = _bytesByType.Values.Sum();
        return _bytesByType
            .OrderByDescending(pair => pair.Value)
            .Take(count)
            .Select(pair => new AllocationShare(pair.Key, total == 0 ? 0 : Math.Round(100.0 * pair.Value / total, 1)))
            .ToArray();
    }

    protected override void OnEventSourceCreated(EventSource eventSource)
    {
        if (eventSource.Name == "Microsoft-Windows-DotNETRuntime")
        {
            EnableEvents(eventSource, EventLevel.Verbose, GcKeyword);
        }
    }

    protected override void OnEventWritten(EventWrittenEventArgs eventData)
    {
        if (!_recording || eventData.EventName is null || !eventData.EventName.StartsWith("GCAllocationTick", StringComparison.Ordinal)
            || eventData.PayloadNames is null || eventData.Payload is null)
        {
            return;
        }

        string? type = null;
        long amount = 0;
        for (var i = 0; i < eventData.PayloadNames.Count; i++)
        {
            switch (eventData.PayloadNames[i])
            {
                case "TypeName":
                    type = eventData.Payload[i] as string;
                    break;
                case "AllocationAmount64":
                    amount = Convert.ToInt64(eventData.Payload[i], System.Globalization.CultureInfo.InvariantCulture);
                    break;
                case "AllocationAmount" when amount == 0:
                    amount = Convert.ToInt64(eventData.Payload[i], System.Globalization.CultureInfo.InvariantCulture);
                    break;
            }
        }

        if (type is not null && amount > 0)
        {
            _bytesByType.AddOrUpdate(type, amount, (_, sum) => sum + amount);
        }
    }
}

/// <summary>One type's share of the sampled allocation bytes, in percent.</summary>
internal sealed record AllocationShare(string Type, double Percent);
