using System;
using System.Collections.Generic;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Channels;

namespace SailSocket.Events;

/// <summary>
/// The events of one name for <c>await foreach</c>: registered when created, so nothing that arrives between the call
/// and the first <c>MoveNextAsync</c> is lost, and held in a bounded channel that drops the oldest events (counted) when
/// the consumer falls behind by its capacity or by <see cref="SailsClientOptions.MaxPendingEventBytes"/>.
/// </summary>
/// <remarks>
/// Enumerable once. Ends (unregistering its handler) when its enumeration ends, when its token is cancelled — even if it
/// was never enumerated — or when the socket is disposed.
/// </remarks>
internal sealed class EventStream : IAsyncEnumerable<SailsEvent>
{
    private readonly EventRouter _router;
    private readonly Channel<SailsEvent> _channel;
    private readonly long _maxBytes;
    private readonly CancellationToken _token;
    private readonly IDisposable? _handler;
    private CancellationTokenRegistration _cancellation;

    /// <summary>Payload bytes waiting in the channel.</summary>
    private long _bytes;
    private int _enumerated;
    private int _ended;

    /// <summary>Creates and registers a stream.</summary>
    /// <exception cref="ArgumentException">The name is empty or reserved.</exception>
    /// <exception cref="InvalidOperationException">The name already has <see cref="SailsClientOptions.MaxListenersPerEvent"/> handlers.</exception>
    public EventStream(EventRouter router, string eventName, int capacity, CancellationToken cancellationToken)
    {
        _router = router;
        _maxBytes = router.Options.MaxPendingEventBytes;
        _token = cancellationToken;

        // The channel's own DropOldest (capacity) and the byte bound below both release what they drop; the byte bound
        // reads from the writer's side, hence not SingleReader.
        _channel = Channel.CreateBounded<SailsEvent>(
            new BoundedChannelOptions(capacity) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = false, SingleWriter = true },
            dropped =>
            {
                Interlocked.Add(ref _bytes, -EventRouter.PayloadSize(dropped));
                router.CountDropped(dropped.Name);
            });
        if (!router.Track(this))
        {
            // The socket is disposed: an empty stream.
            _channel.Writer.TryComplete();
            _ended = 1;
            return;
        }

        try
        {
            _handler = router.On(eventName, Write);
        }
        catch
        {
            router.Untrack(this);
            throw;
        }

        _cancellation = cancellationToken.UnsafeRegister(static state => ((EventStream)state!).End(), this);
    }

    /// <inheritdoc/>
    /// <exception cref="InvalidOperationException">The stream is already being enumerated, or was.</exception>
    public IAsyncEnumerator<SailsEvent> GetAsyncEnumerator(CancellationToken cancellationToken = default)
    {
        if (Interlocked.Exchange(ref _enumerated, 1) != 0)
        {
            throw new InvalidOperationException("A stream of events can be enumerated once; call ReadEventsAsync again for another.");
        }

        return ReadAsync(cancellationToken).GetAsyncEnumerator(cancellationToken);
    }

    /// <summary>Stops receiving; what the channel holds can still be read. Idempotent.</summary>
    public void End()
    {
        if (Interlocked.Exchange(ref _ended, 1) != 0)
        {
            return;
        }

        _handler?.Dispose();
        _cancellation.Unregister();
        _channel.Writer.TryComplete();
        _router.Untrack(this);
    }

    private async IAsyncEnumerable<SailsEvent> ReadAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var linked = _token.CanBeCanceled && cancellationToken.CanBeCanceled ? CancellationTokenSource.CreateLinkedTokenSource(_token, cancellationToken) : null;
        var token = linked?.Token ?? (cancellationToken.CanBeCanceled ? cancellationToken : _token);
        try
        {
            while (await _channel.Reader.WaitToReadAsync(token).ConfigureAwait(false))
            {
                while (_channel.Reader.TryRead(out var item))
                {
                    Interlocked.Add(ref _bytes, -EventRouter.PayloadSize(item));
                    yield return item;
                }
            }
        }
        finally
        {
            End();
        }
    }

    private void Write(SailsEvent socketEvent)
    {
        var size = EventRouter.PayloadSize(socketEvent);
        if (size > _maxBytes)
        {
            _router.CountDropped(socketEvent.Name);
            return;
        }

        while (Interlocked.Read(ref _bytes) + size > _maxBytes && _channel.Reader.TryRead(out var oldest))
        {
            Interlocked.Add(ref _bytes, -EventRouter.PayloadSize(oldest));
            _router.CountDropped(oldest.Name);
        }

        Interlocked.Add(ref _bytes, size);
        if (!_channel.Writer.TryWrite(socketEvent))
        {
            Interlocked.Add(ref _bytes, -size); // the stream has ended
        }
    }
}
