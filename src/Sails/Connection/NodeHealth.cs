using System;
using System.Collections.Concurrent;

namespace SailSocket.Connection;

/// <summary>
/// The failover memory a <see cref="SailsClient"/> shares across its sockets: when each server node last failed (an
/// attempt to it failed, or a connection to it was lost), so that every socket tries a node that just failed after the
/// others (<see cref="FailoverOrder"/>; docs/cluster.md, "Failover policy").
/// </summary>
/// <remarks>
/// Thread-safe, lock-free. Keyed by the node URLs the client was given (<see cref="SailsClientOptions.Urls"/>, the
/// sockets' own URLs), so it holds at most one entry per configured node; a node's entry is removed when a socket
/// connects to it. Times are <see cref="TimeProvider"/> timestamps of the client's clock.
/// </remarks>
internal sealed class NodeHealth(TimeProvider clock, TimeSpan retryDelay)
{
    private readonly ConcurrentDictionary<Uri, long> _failedAt = new();

    /// <summary>Records that <paramref name="node"/> failed now.</summary>
    public void Failed(Uri node) => _failedAt[node] = clock.GetTimestamp();

    /// <summary>Records that a socket connected to <paramref name="node"/>: it is healthy again.</summary>
    public void Succeeded(Uri node)
    {
        if (!_failedAt.IsEmpty)
        {
            _failedAt.TryRemove(node, out _);
        }
    }

    /// <summary>
    /// Whether <paramref name="node"/> failed less than the retry delay (<see cref="SailsClientOptions.FailedNodeRetryDelay"/>)
    /// ago; <paramref name="failedAt"/> is when.
    /// </summary>
    public bool IsSuspect(Uri node, out long failedAt)
    {
        if (!_failedAt.TryGetValue(node, out failedAt))
        {
            return false;
        }

        return clock.GetElapsedTime(failedAt) < retryDelay;
    }
}
