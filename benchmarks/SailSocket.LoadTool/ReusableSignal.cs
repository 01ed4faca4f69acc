using System.Threading.Tasks.Sources;

namespace SailSocket.LoadTool;

/// <summary>
/// A reusable, allocation-free awaitable completed by another thread (an ack callback, a receive loop): what a client
/// harness keeps per outstanding request so that the harness adds no allocation of its own to the figures.
/// Continuations run asynchronously, as every robust client runs them (never on its receive loop).
/// </summary>
internal sealed class ReusableSignal : IValueTaskSource<bool>
{
    private ManualResetValueTaskSourceCore<bool> _core = new() { RunContinuationsAsynchronously = true };

    /// <summary>1 once the current request is completed; only the Try methods look at it.</summary>
    private int _completed;

    /// <summary>Resets for the next request and returns the awaitable for it.</summary>
    public ValueTask<bool> Arm()
    {
        _core.Reset();
        Volatile.Write(ref _completed, 0);
        return new ValueTask<bool>(this, _core.Version);
    }

    public void Complete(bool ok) => _core.SetResult(ok);

    public void Fail(Exception exception) => _core.SetException(exception);

    /// <summary>Completes unless already completed (a late ack racing a disposal).</summary>
    public void TryComplete(bool ok)
    {
        if (Interlocked.Exchange(ref _completed, 1) == 0)
        {
            _core.SetResult(ok);
        }
    }

    /// <summary>Fails unless already completed.</summary>
    public void TryFail(Exception exception)
    {
        if (Interlocked.Exchange(ref _completed, 1) == 0)
        {
            _core.SetException(exception);
        }
    }

    public bool GetResult(short token) => _core.GetResult(token);

    public ValueTaskSourceStatus GetStatus(short token) => _core.GetStatus(token);

    public void OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _core.OnCompleted(continuation, state, token, flags);
}
