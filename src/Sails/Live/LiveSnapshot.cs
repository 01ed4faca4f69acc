using System.Collections;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Text.Json;
using SailSocket.Live.Internal;

namespace SailSocket.Live;

/// <summary>The records of a <see cref="LiveCollection{T}"/> at one moment, in the query's order.</summary>
/// <typeparam name="T">The record type.</typeparam>
/// <remarks>Immutable: a later change makes a new snapshot and leaves this one as it was.</remarks>
public sealed class LiveSnapshot<T> : IReadOnlyList<T>
{
    internal static readonly LiveSnapshot<T> Empty = new(ImmutableList<LiveEntry<T>>.Empty, 0);

    internal LiveSnapshot(ImmutableList<LiveEntry<T>> entries, long version)
    {
        Entries = entries;
        Version = version;
    }

    /// <summary>Counts the batches of changes applied before this snapshot: it grows by one per batch.</summary>
    public long Version { get; }

    /// <summary>How many records the collection holds.</summary>
    public int Count => Entries.Count;

    internal ImmutableList<LiveEntry<T>> Entries { get; }

    /// <summary>The record at <paramref name="index"/>.</summary>
    /// <param name="index">The position in the query's order.</param>
    /// <returns>The record.</returns>
    public T this[int index] => Entries[index].Item;

    /// <summary>The primary key (as JSON text) of the record at <paramref name="index"/>.</summary>
    /// <param name="index">The position.</param>
    /// <returns>The key, e.g. <c>3</c> or <c>"a1b2"</c>.</returns>
    public string GetKey(int index) => Entries[index].Key;

    /// <summary>The record at <paramref name="index"/> as the server's JSON (valid for the snapshot's life).</summary>
    /// <param name="index">The position.</param>
    /// <returns>The record's JSON object.</returns>
    public JsonElement GetRecord(int index) => Entries[index].Json;

    /// <summary>Enumerates the records in order.</summary>
    /// <returns>The enumerator.</returns>
    public IEnumerator<T> GetEnumerator()
    {
        foreach (var entry in Entries)
        {
            yield return entry.Item;
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
