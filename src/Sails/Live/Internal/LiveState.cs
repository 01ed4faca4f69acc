using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Text.Json;

namespace SailSocket.Live.Internal;

/// <summary>A change decided by <see cref="LiveState{T}"/>, before it is tied to the snapshot of its batch.</summary>
internal readonly record struct PendingChange<T>(LiveChangeKind Kind, string Key, T? OldItem, T? NewItem);

/// <summary>
/// The records of one live collection and the rules that move them: a pub/sub message applied where the client can
/// decide, a refetch asked for where it cannot, and a fresh find reconciled into the exact changes. Pure and
/// single-threaded: the collection calls it under its lock.
/// </summary>
internal sealed class LiveState<T>
{
    private readonly LiveQuerySpec _spec;
    private readonly Func<JsonElement, T> _convert;
    private readonly IComparer<LiveEntry<T>> _comparer;
    private ImmutableList<LiveEntry<T>> _entries = ImmutableList<LiveEntry<T>>.Empty;
    private readonly Dictionary<string, LiveEntry<T>> _byKey = new(StringComparer.Ordinal);

    /// <summary>Whether the last find filled its limit while the query set none: the collection is then a window too.</summary>
    private bool _truncated;
    private long _version;
    private LiveSnapshot<T> _snapshot = LiveSnapshot<T>.Empty;

    public LiveState(LiveQuerySpec spec, Func<JsonElement, T> convert)
    {
        _spec = spec;
        _convert = convert;
        _comparer = Comparer<LiveEntry<T>>.Create((a, b) => spec.Order.Compare(a.Json, b.Json) ?? string.CompareOrdinal(a.Key, b.Key));
    }

    /// <summary>The records as of the last <see cref="Commit"/>.</summary>
    public LiveSnapshot<T> Snapshot => _snapshot;

    public int Count => _entries.Count;

    private bool IsWindow => _spec.HasWindow || _truncated;

    /// <summary>Makes a new snapshot when <paramref name="changes"/> is not empty.</summary>
    public LiveSnapshot<T> Commit(List<PendingChange<T>> changes)
    {
        if (changes.Count != 0)
        {
            _snapshot = new LiveSnapshot<T>(_entries, ++_version);
        }

        return _snapshot;
    }

    /// <summary>Replaces the records with a fresh find's, adding to <paramref name="changes"/> exactly what differs.</summary>
    public void Replace(List<JsonElement> records, List<PendingChange<T>> changes)
    {
        var next = new Dictionary<string, LiveEntry<T>>(records.Count, StringComparer.Ordinal);
        var builder = ImmutableList.CreateBuilder<LiveEntry<T>>();
        foreach (var record in records)
        {
            var key = JsonRecords.KeyOf(record, _spec.PrimaryKey) ?? throw new JsonException($"A record has no '{_spec.PrimaryKey}'.");
            if (_byKey.TryGetValue(key, out var old) && JsonRecords.DeepEquals(old.Json, record))
            {
                next[key] = old;
            }
            else
            {
                var entry = new LiveEntry<T>(key, record, _convert(record));
                next[key] = entry;
                changes.Add(old is null
                    ? new PendingChange<T>(LiveChangeKind.Added, key, default, entry.Item)
                    : new PendingChange<T>(LiveChangeKind.Updated, key, old.Item, entry.Item));
            }

            builder.Add(next[key]);
        }

        foreach (var old in _entries)
        {
            if (!next.ContainsKey(old.Key))
            {
                changes.Add(new PendingChange<T>(LiveChangeKind.Removed, old.Key, old.Item, default));
            }
        }

        _byKey.Clear();
        foreach (var pair in next)
        {
            _byKey.Add(pair.Key, pair.Value);
        }

        _entries = builder.ToImmutable();
        _truncated = _spec.Skip == 0 && !_spec.HasWindow && records.Count >= _spec.Limit;
    }

    /// <summary>Applies one pub/sub message; returns whether the collection must refetch to know its state.</summary>
    public bool Apply(in PubSubMessage message, List<PendingChange<T>> changes)
    {
        var key = message.Key;
        if (key is null)
        {
            return false;
        }

        _byKey.TryGetValue(key, out var current);
        switch (message.Verb)
        {
            case PubSubVerb.Created:
                return Place(key, current, message.Data, changes);
            case PubSubVerb.Updated:
                var basis = current?.Json ?? message.Previous;
                if (basis.ValueKind != JsonValueKind.Object)
                {
                    return true; // not ours, and no previous record to judge it by
                }

                return !JsonRecords.TryMerge(basis, message.Data, out var merged) || Place(key, current, merged, changes);
            case PubSubVerb.Destroyed:
                if (current is not null)
                {
                    if (IsWindow)
                    {
                        return true; // a record from beyond the window moves in
                    }

                    Remove(current, changes);
                    return false;
                }

                // Not here: if it matched, it was beyond the window's end (nothing moves) or in its skipped part (all moves).
                return IsWindow && _spec.Skip > 0 && CriteriaEvaluator.Evaluate(_spec.Where, message.Previous) != CriteriaMatch.No;
            case PubSubVerb.AddedTo:
            case PubSubVerb.RemovedFrom:
                // A populated collection changed: only the server can populate it again.
                return current is not null && message.Attribute is { } attribute && current.Json.TryGetProperty(attribute, out _);
            default:
                return false;
        }
    }

    /// <summary>Puts the record's new version where it belongs: in, out, in place, or "ask the server".</summary>
    private bool Place(string key, LiveEntry<T>? current, JsonElement record, List<PendingChange<T>> changes)
    {
        if (record.ValueKind != JsonValueKind.Object)
        {
            return true;
        }

        var match = CriteriaEvaluator.Evaluate(_spec.Where, record);
        if (match == CriteriaMatch.Unknown)
        {
            return true;
        }

        if (current is not null && JsonRecords.DeepEquals(current.Json, record))
        {
            return false;
        }

        if (IsWindow)
        {
            if (current is null)
            {
                // Outside the window and still not matching: nothing moves. Matching: it may enter.
                return match == CriteriaMatch.Yes;
            }

            if (match == CriteriaMatch.Yes && _spec.Order.SameSortValues(current.Json, record))
            {
                Replace(current, new LiveEntry<T>(key, record, _convert(record)), changes);
                return false;
            }

            return true;
        }

        if (match == CriteriaMatch.No)
        {
            if (current is not null)
            {
                Remove(current, changes);
            }

            return false;
        }

        if (_spec.Order.Compare(record, record) is null)
        {
            return true; // a sort value the client cannot order
        }

        var entry = new LiveEntry<T>(key, record, _convert(record));
        if (current is null)
        {
            Insert(entry);
            changes.Add(new PendingChange<T>(LiveChangeKind.Added, key, default, entry.Item));
        }
        else
        {
            Replace(current, entry, changes);
        }

        return false;
    }

    private void Replace(LiveEntry<T> current, LiveEntry<T> entry, List<PendingChange<T>> changes)
    {
        _entries = _entries.RemoveAt(IndexOf(current));
        Insert(entry);
        changes.Add(new PendingChange<T>(LiveChangeKind.Updated, entry.Key, current.Item, entry.Item));
    }

    private void Remove(LiveEntry<T> current, List<PendingChange<T>> changes)
    {
        _entries = _entries.RemoveAt(IndexOf(current));
        _byKey.Remove(current.Key);
        changes.Add(new PendingChange<T>(LiveChangeKind.Removed, current.Key, current.Item, default));
    }

    private void Insert(LiveEntry<T> entry)
    {
        var index = _entries.BinarySearch(entry, _comparer);
        _entries = _entries.Insert(index < 0 ? ~index : index, entry);
        _byKey[entry.Key] = entry;
    }

    private int IndexOf(LiveEntry<T> entry)
    {
        var index = _entries.BinarySearch(entry, _comparer);
        return index >= 0 && ReferenceEquals(_entries[index], entry) ? index : _entries.IndexOf(entry, ReferenceEqualityComparer.Instance);
    }
}
