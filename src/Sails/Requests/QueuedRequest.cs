using System;
using System.Threading;
using System.Threading.Tasks;
using SailSocket.Connection;

namespace SailSocket.Requests;

/// <summary>Sends a queued request on the connection the queue opened for, within what is left of its timeout.</summary>
internal delegate ValueTask<SailsResponse> QueuedSend(LiveConnection connection, TimeSpan remaining, CancellationToken cancellationToken);

/// <summary>
/// A request waiting for the socket to connect: its place, its deadline (a timer of its own, on the client's
/// <see cref="TimeProvider"/>) and its caller's cancellation. Completed exactly once, by whichever comes first.
/// </summary>
internal sealed class QueuedRequest
{
    private readonly TaskCompletionSource<SailsResponse> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private CancellationTokenRegistration _registration;
    private ITimer? _deadlineTimer;
    private int _started;

    public QueuedRequest(string method, string url, TimeSpan timeout, long deadline, QueuedSend send, CancellationToken token)
    {
        Method = method;
        Url = url;
        Timeout = timeout;
        Deadline = deadline;
        Send = send;
        Token = token;
    }

    /// <summary>Its place in the queue: the order requests were made in.</summary>
    public long Sequence { get; set; }

    public string Method { get; }

    public string Url { get; }

    public TimeSpan Timeout { get; }

    /// <summary>When the request times out, as a <see cref="TimeProvider.GetTimestamp"/>; <see cref="long.MaxValue"/> for never.</summary>
    public long Deadline { get; }

    public QueuedSend Send { get; }

    public CancellationToken Token { get; }

    public Task<SailsResponse> Task => _completion.Task;

    /// <summary>Starts the deadline timer and the cancellation watch; outside the queue's lock (either may fire at once).</summary>
    public void Arm(RequestQueue queue, TimeProvider time)
    {
        Interlocked.Exchange(ref _started, 0);
        if (Deadline != long.MaxValue)
        {
            var due = time.GetElapsedTime(time.GetTimestamp(), Deadline);
            Volatile.Write(ref _deadlineTimer, time.CreateTimer(static state => { var (q, r) = ((RequestQueue, QueuedRequest))state!; q.Expire(r); }, (queue, this), due < TimeSpan.Zero ? TimeSpan.Zero : due, System.Threading.Timeout.InfiniteTimeSpan));
        }

        if (Token.CanBeCanceled)
        {
            _registration = Token.UnsafeRegister(static (state, _) => { var (q, r) = ((RequestQueue, QueuedRequest))state!; q.Cancel(r); }, (queue, this));
        }

        if (Volatile.Read(ref _started) != 0)
        {
            // Taken off the queue while this was arming: nothing may fire for it any more.
            Disarm();
        }
    }

    /// <summary>Leaves the queue for the wire; false when it was already completed.</summary>
    public bool Start()
    {
        var first = Interlocked.Exchange(ref _started, 1) == 0;
        Disarm();
        return first && !_completion.Task.IsCompleted;
    }

    public void Complete(SailsResponse response) => _completion.TrySetResult(response);

    public void Fail(Exception error)
    {
        Disarm();
        _completion.TrySetException(error);
    }

    public void Cancel()
    {
        Disarm();
        _completion.TrySetCanceled(Token);
    }

    private void Disarm()
    {
        _registration.Unregister();
        Interlocked.Exchange(ref _deadlineTimer, null)?.Dispose();
    }
}
