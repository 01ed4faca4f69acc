using System;
using System.Collections;
using System.Collections.Generic;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using System.Threading;
using System.Threading.Tasks;
using SailSocket.Live.Internal;

namespace SailSocket.Live;

/// <summary>
/// The records of a blueprint find, kept current: the snapshot first, then the model's pub/sub messages
/// (<c>created</c>, <c>updated</c>, <c>destroyed</c>, <c>addedTo</c>, <c>removedFrom</c>) in order, and after every
/// reconnect a re-subscription, a fresh find and the reconciliation of the two (docs/live-collections.md).
/// </summary>
/// <typeparam name="T">The record type.</typeparam>
/// <remarks>
/// <list type="bullet">
/// <item>All members are thread-safe. <see cref="Snapshot"/> is immutable and always whole: never half a batch.</item>
/// <item>Messages are applied where the client can decide alone (the query's criteria, its sort); where it cannot (a
/// skip/limit window, a populated association, an operator it does not model) the collection refetches, at most one
/// find in flight and one waiting, each <see cref="LiveCollectionOptions.RefetchDelay"/> after it was first needed.</item>
/// <item>A socket does not hear its own changes (Sails omits the sender): change data through another socket, or call
/// <see cref="RefreshAsync"/> after changing it through this one.</item>
/// <item>Dispose it to stop: its handlers and streams end, a find in flight is abandoned.</item>
/// </list>
/// </remarks>
/// <example>
/// <code>
/// await using var pets = await LiveCollection.StartAsync(socket, new LiveQuery("pet") { Sort = "name ASC" }, MyJson.Default.Pet);
/// await foreach (var change in pets.ReadChangesAsync(ct)) Console.WriteLine($"{change.Kind} {change.Key}: {pets.Snapshot.Count} pets");
/// </code>
/// </example>
public sealed class LiveCollection<T> : IEnumerable<T>, IAsyncDisposable
{
    private readonly object _gate = new();
    private readonly SailsSocket _socket;
    private readonly JsonTypeInfo<T> _typeInfo;
    private readonly LiveCollectionOptions _options;
    private readonly LiveQuerySpec _spec;
    private readonly LiveState<T> _state;
    private readonly RefetchScheduler _scheduler;
    private readonly IDisposable _handler;
    private readonly IDisposable[] _dependencyHandlers;

    /// <summary>Messages that arrived while a find was in flight: replayed over its result (null when none is).</summary>
    private List<PubSubMessage>? _buffer;

    /// <summary>Whether <see cref="_buffer"/> overflowed: another find follows the one in flight.</summary>
    private bool _bufferOverflowed;

    /// <summary>1 when the next find must subscribe first (the start, and every reconnect).</summary>
    private int _needsSubscribe = 1;

    /// <summary>The socket's drop count when last seen: a rise means a message may be lost, so the collection refetches.</summary>
    private long _droppedSeen;

    private ChangeStream<T>[] _streams = [];
    private LiveCollectionView<T>[] _views = [];
    private Exception? _lastError;
    private long _messages;
    private int _disposed;

    private LiveCollection(SailsSocket socket, LiveQuery query, JsonTypeInfo<T> typeInfo, LiveCollectionOptions options)
    {
        _socket = socket;
        _typeInfo = typeInfo;
        _options = options;
        Query = query;
        _spec = new LiveQuerySpec(query, options.MaxRecords);
        _state = new LiveState<T>(_spec, Convert);
        _scheduler = new RefetchScheduler(options.TimeProvider, options.RefetchDelay, options.RetryDelay, FetchAsync, e => Volatile.Write(ref _lastError, e));
        _droppedSeen = socket.DroppedEventCount;
        _handler = socket.On(query.Model, OnMessage);
        _dependencyHandlers = new IDisposable[_spec.Dependencies.Count];
        try
        {
            for (var i = 0; i < _dependencyHandlers.Length; i++)
            {
                _dependencyHandlers[i] = socket.On(_spec.Dependencies[i].Model, OnDependencyMessage);
            }
        }
        catch
        {
            _handler.Dispose();
            foreach (var handler in _dependencyHandlers)
            {
                handler?.Dispose();
            }

            throw;
        }
        socket.Connected += OnConnected;
    }

    /// <summary>Creates the collection, subscribes and takes the first snapshot (<see cref="LiveCollection.StartAsync"/>).</summary>
    internal static async Task<LiveCollection<T>> StartAsync(SailsSocket socket, LiveQuery query, JsonTypeInfo<T> typeInfo, LiveCollectionOptions options, CancellationToken cancellationToken)
    {
        var collection = new LiveCollection<T>(socket, query, typeInfo, options);
        try
        {
            await collection.RefreshAsync(cancellationToken).ConfigureAwait(false);
            Volatile.Write(ref collection._lastError, null);
            return collection;
        }
        catch
        {
            await collection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>The query kept current.</summary>
    public LiveQuery Query { get; }

    /// <summary>The records now, in the query's order.</summary>
    public LiveSnapshot<T> Snapshot
    {
        get
        {
            lock (_gate)
            {
                return _state.Snapshot;
            }
        }
    }

    /// <summary>How many finds the collection has started: the first, refetches, and one per reconnect.</summary>
    public long FetchCount => _scheduler.RunCount;

    /// <summary>How many pub/sub messages of the model the collection has received.</summary>
    public long MessageCount => Interlocked.Read(ref _messages);

    /// <summary>Whether a find is due or in flight.</summary>
    public bool IsRefetching => _scheduler.IsBusy;

    /// <summary>The latest failure of a background find (it is retried after <see cref="LiveCollectionOptions.RetryDelay"/>); null after a success.</summary>
    public Exception? LastError => Volatile.Read(ref _lastError);

    /// <summary>
    /// Streams the collection's changes for <c>await foreach</c>: the exact differences each message or reconciliation
    /// made, in order. The stream is registered by this call.
    /// </summary>
    /// <param name="cancellationToken">Ends the stream (with <see cref="OperationCanceledException"/>).</param>
    /// <returns>The changes; enumerable once.</returns>
    /// <remarks>
    /// When the reader falls <see cref="LiveCollectionOptions.ChangeStreamCapacity"/> changes behind, the waiting changes
    /// are dropped and one <see cref="LiveChangeKind.Reset"/> takes their place: its <see cref="LiveChange{T}.Snapshot"/>
    /// is the state to show, and the changes after it follow from there. The stream ends when the collection is disposed.
    /// </remarks>
    public IAsyncEnumerable<LiveChange<T>> ReadChangesAsync(CancellationToken cancellationToken = default)
    {
        var stream = new ChangeStream<T>(_options.ChangeStreamCapacity, Unregister, cancellationToken);
        lock (_gate)
        {
            if (_disposed != 0)
            {
                stream.Complete();
                return stream;
            }

            _streams = [.. _streams, stream];
        }

        return stream;
    }

    /// <summary>Creates a view for UI binding whose list and events change only on <paramref name="context"/>.</summary>
    /// <param name="context">Where to raise <see cref="LiveCollectionView{T}.CollectionChanged"/>; null for the current context.</param>
    /// <returns>The view, showing the current snapshot; dispose it when the UI no longer needs it.</returns>
    /// <exception cref="InvalidOperationException"><paramref name="context"/> is null and the calling thread has no context.</exception>
    /// <exception cref="ObjectDisposedException">The collection is disposed.</exception>
    public LiveCollectionView<T> CreateView(SynchronizationContext? context = null)
    {
        context ??= SynchronizationContext.Current ?? throw new InvalidOperationException("The calling thread has no SynchronizationContext: pass one.");
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed != 0, this);
            var view = new LiveCollectionView<T>(context, _state.Snapshot, Detach);
            _views = [.. _views, view];
            return view;
        }
    }

    /// <summary>Enumerates the records of the current <see cref="Snapshot"/>.</summary>
    /// <returns>The enumerator.</returns>
    public IEnumerator<T> GetEnumerator() => Snapshot.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>Fetches the records now and reconciles them (after changing data through this socket, say).</summary>
    /// <param name="cancellationToken">Stops waiting; the find goes on.</param>
    /// <returns>A task that completes when a find started after this call has been reconciled.</returns>
    /// <exception cref="SailsRequestException">The server refused the find.</exception>
    /// <exception cref="SailsConnectionException">The socket could not carry the find.</exception>
    /// <exception cref="SailsTimeoutException">The find timed out.</exception>
    /// <exception cref="ObjectDisposedException">The collection was disposed.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public Task RefreshAsync(CancellationToken cancellationToken = default) => _scheduler.RunAsync(cancellationToken);

    /// <summary>Stops: removes the handlers, abandons a find in flight, ends the change streams and views. Idempotent.</summary>
    /// <returns>A task that completes when nothing of the collection runs any more.</returns>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _socket.Connected -= OnConnected;
        _handler.Dispose();
        foreach (var handler in _dependencyHandlers)
        {
            handler?.Dispose();
        }

        await _scheduler.DisposeAsync().ConfigureAwait(false);
        ChangeStream<T>[] streams;
        LiveCollectionView<T>[] views;
        lock (_gate)
        {
            streams = _streams;
            views = _views;
            _streams = [];
            _views = [];
            _buffer = null;
        }

        foreach (var stream in streams)
        {
            stream.Complete();
        }

        foreach (var view in views)
        {
            view.Dispose();
        }
    }

    private T Convert(JsonElement record) =>
        JsonSerializer.Deserialize(record, _typeInfo) ?? throw new JsonException($"A {Query.Model} record read as null.");

    private void OnConnected(object? sender, SailsConnectionEventArgs e)
    {
        // Every connect after the first snapshot is a reconnect: the server forgot the socket's subscriptions.
        Interlocked.Exchange(ref _needsSubscribe, 1);
        _scheduler.Request();
    }

    private void OnMessage(SailsEvent e)
    {
        Interlocked.Increment(ref _messages);
        var refetch = false;
        var dropped = _socket.DroppedEventCount;
        if (dropped != Interlocked.Exchange(ref _droppedSeen, dropped))
        {
            refetch = true; // the socket dropped events to stay in its bounds: one of ours may be among them
        }

        JsonElement payload;
        try
        {
            payload = e.ReadDataAsElement();
        }
        catch (JsonException ex)
        {
            Volatile.Write(ref _lastError, ex);
            return;
        }

        var message = PubSubMessage.Read(payload);
        lock (_gate)
        {
            if (_disposed != 0)
            {
                return;
            }

            if (_buffer is not null)
            {
                if (_buffer.Count < _options.MaxBufferedMessages)
                {
                    _buffer.Add(message);
                }
                else
                {
                    _bufferOverflowed = true;
                }
            }
            else
            {
                try
                {
                    var changes = new List<PendingChange<T>>();
                    refetch |= _state.Apply(message, changes);
                    Publish(changes);
                }
                catch (JsonException ex)
                {
                    Volatile.Write(ref _lastError, ex);
                    refetch = true;
                }
            }
        }

        if (refetch)
        {
            _scheduler.Request();
        }
    }

    /// <summary>A message of a model whose records this collection holds populated copies of: refetch (coalesced).</summary>
    private void OnDependencyMessage(SailsEvent e)
    {
        lock (_gate)
        {
            if (_buffer is not null)
            {
                _bufferOverflowed = true; // the find in flight may predate it: another one follows
                return;
            }
        }

        _scheduler.Request();
    }

    private async Task FetchAsync(CancellationToken cancellationToken)
    {
        var subscribe = Interlocked.Exchange(ref _needsSubscribe, 0) == 1;
        lock (_gate)
        {
            _buffer = [];
            _bufferOverflowed = false;
        }

        var refetch = false;
        try
        {
            if (subscribe && _spec.NeedsSubscribeAll)
            {
                (await _socket.GetAsync(_spec.SubscribeUrl, cancellationToken).ConfigureAwait(false)).EnsureSuccessStatusCode();
            }

            if (subscribe)
            {
                foreach (var (_, url) in _spec.Dependencies)
                {
                    (await _socket.GetAsync(url, cancellationToken).ConfigureAwait(false)).EnsureSuccessStatusCode();
                }
            }

            var response = (await _socket.GetAsync(_spec.DataUrl, cancellationToken).ConfigureAwait(false)).EnsureSuccessStatusCode();
            var records = JsonRecords.ParseArray(response.Body.Memory);
            lock (_gate)
            {
                var changes = new List<PendingChange<T>>();
                _state.Replace(records, changes);
                foreach (var message in _buffer ?? [])
                {
                    refetch |= _state.Apply(message, changes);
                }

                refetch |= _bufferOverflowed;
                _buffer = null;
                Publish(changes);
            }

            Volatile.Write(ref _lastError, null);
        }
        catch
        {
            if (subscribe)
            {
                Interlocked.Exchange(ref _needsSubscribe, 1);
            }

            lock (_gate)
            {
                // What arrived meanwhile is newer than the records held: apply it as if no find had been made.
                var changes = new List<PendingChange<T>>();
                foreach (var message in _buffer ?? [])
                {
                    _state.Apply(message, changes);
                }

                _buffer = null;
                Publish(changes);
            }

            throw;
        }

        if (refetch)
        {
            _scheduler.Request();
        }
    }

    /// <summary>Commits a batch and hands it to the streams and views, under the lock so batches keep their order.</summary>
    private void Publish(List<PendingChange<T>> pending)
    {
        if (pending.Count == 0 || _disposed != 0)
        {
            return;
        }

        var snapshot = _state.Commit(pending);
        var changes = new List<LiveChange<T>>(pending.Count);
        foreach (var p in pending)
        {
            changes.Add(new LiveChange<T>(p.Kind, p.Key, p.OldItem, p.NewItem, snapshot));
        }

        foreach (var stream in _streams)
        {
            stream.Write(changes, snapshot);
        }

        foreach (var view in _views)
        {
            view.Post(snapshot, changes);
        }
    }

    private void Unregister(ChangeStream<T> stream)
    {
        lock (_gate)
        {
            _streams = Array.FindAll(_streams, s => s != stream);
        }
    }

    private void Detach(LiveCollectionView<T> view)
    {
        lock (_gate)
        {
            _views = Array.FindAll(_views, v => v != view);
        }
    }
}
