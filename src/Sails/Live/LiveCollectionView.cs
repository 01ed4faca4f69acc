using System;
using System.Collections;
using System.Collections.Generic;
using System.Collections.Specialized;
using System.ComponentModel;
using System.Threading;

namespace SailSocket.Live;

/// <summary>
/// A <see cref="LiveCollection{T}"/> for UI binding: a list that changes, and raises
/// <see cref="CollectionChanged"/>, only on the <see cref="SynchronizationContext"/> it was created with.
/// </summary>
/// <typeparam name="T">The record type.</typeparam>
/// <remarks>
/// <list type="bullet">
/// <item>Read it, and handle its events, on its context's thread: it is not thread-safe otherwise, like any bound list.</item>
/// <item>Each batch of changes is posted once; a batch raises one Add, Replace, Move or Remove per change, or a single
/// Reset when the collection reset or reordered in ways single changes do not describe.</item>
/// <item>Dispose it to stop posting; the collection's disposal stops it too.</item>
/// </list>
/// </remarks>
public sealed class LiveCollectionView<T> : IReadOnlyList<T>, INotifyCollectionChanged, INotifyPropertyChanged, IDisposable
{
    private static readonly PropertyChangedEventArgs s_countChanged = new(nameof(Count));
    private static readonly PropertyChangedEventArgs s_indexerChanged = new("Item[]");

    private readonly SynchronizationContext _context;
    private readonly Action<LiveCollectionView<T>> _detach;

    /// <summary>The snapshot shown; read and written on the context only.</summary>
    private LiveSnapshot<T> _shown;

    /// <summary>The list while a batch is being raised change by change (so each event matches what a binding reads); else null.</summary>
    private List<T>? _items;

    /// <summary>The latest snapshot posted and not yet shown; the context takes it (and drops any older one) when it runs.</summary>
    private LiveSnapshot<T>? _latest;
    private List<LiveChange<T>>? _latestChanges;
    private readonly object _gate = new();
    private int _disposed;

    internal LiveCollectionView(SynchronizationContext context, LiveSnapshot<T> snapshot, Action<LiveCollectionView<T>> detach)
    {
        _context = context;
        _shown = snapshot;
        _detach = detach;
    }

    /// <summary>Raised on the context after the list changed.</summary>
    public event NotifyCollectionChangedEventHandler? CollectionChanged;

    /// <summary>Raised on the context for <see cref="Count"/> and the indexer.</summary>
    public event PropertyChangedEventHandler? PropertyChanged;

    /// <summary>How many records the view shows.</summary>
    public int Count => _items?.Count ?? _shown.Count;

    /// <summary>The snapshot the view shows.</summary>
    public LiveSnapshot<T> Snapshot => _shown;

    /// <summary>The record at <paramref name="index"/>.</summary>
    /// <param name="index">The position.</param>
    /// <returns>The record.</returns>
    public T this[int index] => _items is { } items ? items[index] : _shown[index];

    /// <summary>Enumerates the records shown.</summary>
    /// <returns>The enumerator.</returns>
    public IEnumerator<T> GetEnumerator() => _items is { } items ? items.GetEnumerator() : _shown.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>Stops the view: nothing more is posted.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _detach(this);
        }
    }

    /// <summary>Called by the collection, under its lock, after each batch. Posts at most one callback at a time.</summary>
    internal void Post(LiveSnapshot<T> snapshot, List<LiveChange<T>> changes)
    {
        bool post;
        lock (_gate)
        {
            post = _latest is null;
            if (_latest is not null)
            {
                _latestChanges = null; // two batches waiting: the context shows the last with a reset
            }
            else
            {
                _latestChanges = changes;
            }

            _latest = snapshot;
        }

        if (post)
        {
            _context.Post(static state => ((LiveCollectionView<T>)state!).Show(), this);
        }
    }

    private void Show()
    {
        LiveSnapshot<T>? next;
        List<LiveChange<T>>? changes;
        lock (_gate)
        {
            next = _latest;
            changes = _latestChanges;
            _latest = null;
            _latestChanges = null;
        }

        if (next is null || Volatile.Read(ref _disposed) != 0)
        {
            return;
        }

        var previous = _shown;
        if (changes is null || CollectionChanged is null || !Replays(previous, next, changes))
        {
            _shown = next;
            _items = null;
            CollectionChanged?.Invoke(this, new NotifyCollectionChangedEventArgs(NotifyCollectionChangedAction.Reset));
        }
        else
        {
            RaiseEach(previous, next, changes);
        }

        PropertyChanged?.Invoke(this, s_countChanged);
        PropertyChanged?.Invoke(this, s_indexerChanged);
    }

    /// <summary>Whether replaying the batch over the keys shown ends at <paramref name="next"/>'s order (else: one reset).</summary>
    private static bool Replays(LiveSnapshot<T> previous, LiveSnapshot<T> next, List<LiveChange<T>> changes)
    {
        var keys = KeysOf(previous);
        foreach (var change in changes)
        {
            if (!Step(keys, next, change, out _, out _))
            {
                return false;
            }
        }

        if (keys.Count != next.Count)
        {
            return false;
        }

        for (var i = 0; i < keys.Count; i++)
        {
            if (!string.Equals(keys[i], next.GetKey(i), StringComparison.Ordinal))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Moves the shown list one change at a time, raising each event when the list already shows it.</summary>
    private void RaiseEach(LiveSnapshot<T> previous, LiveSnapshot<T> next, List<LiveChange<T>> changes)
    {
        var keys = KeysOf(previous);
        var items = new List<T>(previous);
        _items = items;
        foreach (var change in changes)
        {
            Step(keys, next, change, out var from, out var to);
            switch (change.Kind)
            {
                case LiveChangeKind.Removed:
                    items.RemoveAt(from);
                    CollectionChanged?.Invoke(this, new NotifyCollectionChangedEventArgs(NotifyCollectionChangedAction.Remove, change.OldItem, from));
                    break;
                case LiveChangeKind.Added:
                    items.Insert(to, change.NewItem!);
                    CollectionChanged?.Invoke(this, new NotifyCollectionChangedEventArgs(NotifyCollectionChangedAction.Add, change.NewItem, to));
                    break;
                default:
                    items[from] = change.NewItem!;
                    CollectionChanged?.Invoke(this, new NotifyCollectionChangedEventArgs(NotifyCollectionChangedAction.Replace, change.NewItem, change.OldItem, from));
                    if (to != from)
                    {
                        items.RemoveAt(from);
                        items.Insert(to, change.NewItem!);
                        CollectionChanged?.Invoke(this, new NotifyCollectionChangedEventArgs(NotifyCollectionChangedAction.Move, change.NewItem, to, from));
                    }

                    break;
            }
        }

        _shown = next;
        _items = null;
    }

    private static List<string> KeysOf(LiveSnapshot<T> snapshot)
    {
        var keys = new List<string>(snapshot.Count);
        for (var i = 0; i < snapshot.Count; i++)
        {
            keys.Add(snapshot.GetKey(i));
        }

        return keys;
    }

    /// <summary>Applies one change to <paramref name="keys"/>; false when it does not fit (the view then resets).</summary>
    private static bool Step(List<string> keys, LiveSnapshot<T> next, LiveChange<T> change, out int from, out int to)
    {
        from = to = -1;
        switch (change.Kind)
        {
            case LiveChangeKind.Removed:
                from = keys.IndexOf(change.Key);
                if (from < 0)
                {
                    return false;
                }

                keys.RemoveAt(from);
                return true;
            case LiveChangeKind.Added:
                to = IndexIn(next, change.Key);
                if (to < 0 || keys.Contains(change.Key))
                {
                    return false;
                }

                to = Math.Min(to, keys.Count);
                keys.Insert(to, change.Key);
                return true;
            case LiveChangeKind.Updated:
                from = keys.IndexOf(change.Key);
                to = IndexIn(next, change.Key);
                if (from < 0 || to < 0)
                {
                    return false;
                }

                to = Math.Min(to, keys.Count - 1);
                keys.RemoveAt(from);
                keys.Insert(to, change.Key);
                return true;
            default:
                return false;
        }
    }

    private static int IndexIn(LiveSnapshot<T> snapshot, string key)
    {
        for (var i = 0; i < snapshot.Count; i++)
        {
            if (string.Equals(snapshot.GetKey(i), key, StringComparison.Ordinal))
            {
                return i;
            }
        }

        return -1;
    }
}
