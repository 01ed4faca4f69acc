using System;
using System.Collections.Generic;

namespace SailSocket.Connection;

/// <summary>
/// Which node a socket's next connection attempt goes to: the failover policy of docs/cluster.md, as one pure function.
/// </summary>
/// <remarks>
/// <list type="number">
/// <item>The socket's own node (its URL: the first of its node list) unless it failed within the retry delay.</item>
/// <item>Otherwise the other nodes that have not failed within it, in list order rotated by the socket's spread (a number
/// the client gives each socket in turn), so the sockets of a lost node spread evenly over the survivors instead of all
/// landing on the next one.</item>
/// <item>When every node failed within the retry delay, the one that failed longest ago: a node that just failed is
/// tried last, and every node is tried again in turn while reconnection goes on.</item>
/// </list>
/// There is no fail-back: a socket that moved stays where it is until that node fails; its own node comes first again
/// at its next reconnect once the retry delay has passed.
/// </remarks>
internal static class FailoverOrder
{
    /// <summary>Picks the node for the next attempt.</summary>
    /// <param name="nodes">The socket's nodes, its own first; never empty.</param>
    /// <param name="spread">The socket's spread number (any non-negative integer).</param>
    /// <param name="health">The client's failure memory.</param>
    /// <returns>The node to try.</returns>
    public static Uri Next(IReadOnlyList<Uri> nodes, int spread, NodeHealth health)
    {
        if (nodes.Count == 1 || !health.IsSuspect(nodes[0], out var oldest))
        {
            return nodes[0];
        }

        var others = nodes.Count - 1;
        var start = (int)((uint)spread % (uint)others);
        var fallback = nodes[0];
        for (var i = 0; i < others; i++)
        {
            var node = nodes[1 + ((start + i) % others)];
            if (!health.IsSuspect(node, out var failedAt))
            {
                return node;
            }

            if (failedAt < oldest)
            {
                (oldest, fallback) = (failedAt, node);
            }
        }

        return fallback;
    }
}
