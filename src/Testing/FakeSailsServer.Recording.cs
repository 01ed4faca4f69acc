using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;

namespace SailSocket.Testing;

/// <content>The record of received requests, bounded by <see cref="FakeSailsServerOptions.MaxRecordedRequests"/>.</content>
public sealed partial class FakeSailsServer
{
    /// <summary>The requests received so far, oldest first, unknown routes included (a snapshot; at most <see cref="FakeSailsServerOptions.MaxRecordedRequests"/>).</summary>
    public IReadOnlyList<FakeRequest> Received => _received.Snapshot();

    /// <summary>How many requests were dropped from <see cref="Received"/> because it was full.</summary>
    public long DroppedRequestCount => _received.Dropped;

    /// <summary>
    /// The first recorded request that matches <paramref name="predicate"/>, already received or arriving within
    /// <paramref name="timeout"/> of real time. The request is recorded before its handler runs.
    /// </summary>
    /// <exception cref="TimeoutException">No matching request within <paramref name="timeout"/>.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public Task<FakeRequest> WaitForRequestAsync(Func<FakeRequest, bool> predicate, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(predicate);
        return _received.WaitAsync(predicate, timeout, "matching request", cancellationToken);
    }

    /// <summary>Forgets the requests recorded so far (the drop count stays).</summary>
    public void ClearReceived() => _received.Clear();
}
