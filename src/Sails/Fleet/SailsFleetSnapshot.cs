using System;
using System.Collections.Generic;
using System.Linq;

namespace SailSocket.Fleet;

/// <summary>The figures of a whole <see cref="SailsFleet"/> at one moment: per node, and summed.</summary>
public sealed class SailsFleetSnapshot
{
    internal SailsFleetSnapshot(IReadOnlyList<SailsFleetNodeSnapshot> nodes, DateTimeOffset takenAt)
    {
        Nodes = nodes;
        TakenAt = takenAt;
        foreach (var node in nodes)
        {
            Connected += node.Connected;
            Connecting += node.Connecting;
            Reconnecting += node.Reconnecting;
            Disconnected += node.Disconnected;
            RequestsInFlight += node.RequestsInFlight;
            RequestsQueued += node.RequestsQueued;
        }

        Latency = SailsLatencyHistogram.Sum(nodes.Select(static node => node.Latency));
    }

    /// <summary>One entry per node, in the order of <see cref="SailsFleetOptions.Nodes"/>.</summary>
    public IReadOnlyList<SailsFleetNodeSnapshot> Nodes { get; }

    /// <summary>When the snapshot was taken, on the fleet's clock.</summary>
    public DateTimeOffset TakenAt { get; }

    /// <summary>Sockets connected, all nodes together.</summary>
    public int Connected { get; }

    /// <summary>Sockets making their first connection.</summary>
    public int Connecting { get; }

    /// <summary>Sockets reconnecting.</summary>
    public int Reconnecting { get; }

    /// <summary>Sockets neither connected nor trying.</summary>
    public int Disconnected { get; }

    /// <summary>Requests sent and waiting for their response.</summary>
    public long RequestsInFlight { get; }

    /// <summary>Requests waiting for a connection.</summary>
    public long RequestsQueued { get; }

    /// <summary>The latencies of every node together.</summary>
    public SailsLatencyHistogram Latency { get; }

    /// <inheritdoc/>
    public override string ToString() =>
        FormattableString.Invariant($"connected {Connected}, connecting {Connecting}, reconnecting {Reconnecting}, disconnected {Disconnected}, in flight {RequestsInFlight}, queued {RequestsQueued}, completed {Latency.Count}, failed {Latency.Failed}");
}
