using System;

namespace SailSocket.Fleet;

/// <summary>The figures of one node of a <see cref="SailsFleet"/> at one moment (<see cref="SailsFleet.GetSnapshot"/>).</summary>
/// <remarks>
/// A socket counts under the node it is connected to, or, while it is not connected, the node its placement gave it;
/// the counts of one node are read one socket at a time, not at one instant.
/// </remarks>
public sealed class SailsFleetNodeSnapshot
{
    internal SailsFleetNodeSnapshot(Uri node, int placed, int connected, int connecting, int reconnecting, int disconnected, long inFlight, long queued, SailsLatencyHistogram latency)
    {
        Node = node;
        Placed = placed;
        Connected = connected;
        Connecting = connecting;
        Reconnecting = reconnecting;
        Disconnected = disconnected;
        RequestsInFlight = inFlight;
        RequestsQueued = queued;
        Latency = latency;
    }

    /// <summary>The node.</summary>
    public Uri Node { get; }

    /// <summary>Sockets the placement put on this node.</summary>
    public int Placed { get; }

    /// <summary>Sockets connected to this node now.</summary>
    public int Connected { get; }

    /// <summary>Sockets making their first connection.</summary>
    public int Connecting { get; }

    /// <summary>Sockets that lost their connection and are reconnecting (waiting out the backoff, the connect rate, or an attempt).</summary>
    public int Reconnecting { get; }

    /// <summary>Sockets neither connected nor trying: not connected yet, given up, or disposed.</summary>
    public int Disconnected { get; }

    /// <summary>Requests sent on this node's connections and waiting for their response.</summary>
    public long RequestsInFlight { get; }

    /// <summary>Requests waiting in a socket's queue for a connection.</summary>
    public long RequestsQueued { get; }

    /// <summary>
    /// The latencies of the requests made through <see cref="SailsFleet.RequestAsync"/> on sockets counted under this node
    /// when they completed, since the fleet was created.
    /// </summary>
    public SailsLatencyHistogram Latency { get; }
}
