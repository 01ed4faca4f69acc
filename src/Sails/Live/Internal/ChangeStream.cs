using System;
using System.Collections.Generic;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Channels;

namespace SailSocket.Live.Internal;

/// <summary>
/// One reader's changes (<see cref="LiveCollection{T}.ReadChangesAsync"/>), bounded: when the reader falls
/// <c>capacity</c> changes behind, what waits is dropped and replaced by one <see cref="LiveChangeKind.Reset"/> that
/// carries the snapshot to show, so a slow reader costs at most <c>capacity</c> changes of memory and loses nothing
/// but the detail.
/// </summary>
internal sealed class ChangeStream<T> : IAsyncEnumerable<LiveChange<T>>
{
    private readonly object _gate = new();
    private readonly Channel<LiveChange<T>> _channel = Channel.CreateUnbounded<LiveChange<T>>(new UnboundedChannelOptions { SingleReader = false, SingleWriter = true });
    private readonly int _capacity;
    private readonly Action<ChangeStream<T>> _unregister;
    private readonly CancellationToken _token;

    /// <summary>Changes written and not yet read.</summary>
    private int _count;
    private int _enumerated;

    /// <summary>Ends a stream that is never enumerated when its token is cancelled.</summary>
    private readonly CancellationTokenRegistration _cancellation;

    public ChangeStream(int capacity, Action<ChangeStream<T>> unregister, CancellationToken cancellationToken)
    {
        _capacity = capacity;
        _unregister = unregister;
        _token = cancellationToken;
        _cancellation = cancellationToken.Register(static state => ((ChangeStream<T>)state!).End(), this);
    }

    /// <summary>How many times this reader was reset for falling behind.</summary>
    public int ResetCount { get; private set; }

    /// <summary>Adds one batch, or drops everything waiting for a reset when the batch does not fit.</summary>
    public void Write(List<LiveChange<T>> batch, LiveSnapshot<T> snapshot)
    {
        lock (_gate)
        {
            if (Volatile.Read(ref _count) + batch.Count > _capacity)
            {
                while (_channel.Reader.TryRead(out _))
                {
                    Interlocked.Decrement(ref _count);
                }

                ResetCount++;
                Enqueue(new LiveChange<T>(LiveChangeKind.Reset, string.Empty, default, default, snapshot));
                return;
            }

            foreach (var change in batch)
            {
                Enqueue(change);
            }
        }
    }

    /// <summary>Ends the stream: the reader sees what waits, then the end.</summary>
    public void Complete() => _channel.Writer.TryComplete();

    private void End()
    {
        Complete();
        _unregister(this);
        _cancellation.Dispose();
    }

    private void Enqueue(LiveChange<T> change)
    {
        if (_channel.Writer.TryWrite(change))
        {
            Interlocked.Increment(ref _count);
        }
    }

    public IAsyncEnumerator<LiveChange<T>> GetAsyncEnumerator(CancellationToken cancellationToken = default)
    {
        if (Interlocked.Exchange(ref _enumerated, 1) != 0)
        {
            throw new InvalidOperationException("A change stream can be enumerated once; call ReadChangesAsync again for another.");
        }

        return ReadAsync(cancellationToken).GetAsyncEnumerator(cancellationToken);
    }

    private async IAsyncEnumerable<LiveChange<T>> ReadAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var linked = _token.CanBeCanceled && cancellationToken.CanBeCanceled ? CancellationTokenSource.CreateLinkedTokenSource(_token, cancellationToken) : null;
        var token = linked?.Token ?? (cancellationToken.CanBeCanceled ? cancellationToken : _token);
        try
        {
            while (await _channel.Reader.WaitToReadAsync(token).ConfigureAwait(false))
            {
                while (_channel.Reader.TryRead(out var change))
                {
                    Interlocked.Decrement(ref _count);
                    yield return change;
                }
            }
        }
        finally
        {
            End();
        }
    }
}
