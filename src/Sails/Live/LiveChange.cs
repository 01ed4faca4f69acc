namespace SailSocket.Live;

/// <summary>One change of a <see cref="LiveCollection{T}"/>, as read from <see cref="LiveCollection{T}.ReadChangesAsync"/>.</summary>
/// <typeparam name="T">The record type.</typeparam>
/// <remarks>Immutable.</remarks>
public sealed class LiveChange<T>
{
    internal LiveChange(LiveChangeKind kind, string key, T? oldItem, T? newItem, LiveSnapshot<T> snapshot)
    {
        Kind = kind;
        Key = key;
        OldItem = oldItem;
        NewItem = newItem;
        Snapshot = snapshot;
    }

    /// <summary>What happened.</summary>
    public LiveChangeKind Kind { get; }

    /// <summary>The record's primary key as JSON text (<c>3</c>, <c>"a1b2"</c>); empty for <see cref="LiveChangeKind.Reset"/>.</summary>
    public string Key { get; }

    /// <summary>The record before the change (<see cref="LiveChangeKind.Updated"/>, <see cref="LiveChangeKind.Removed"/>).</summary>
    public T? OldItem { get; }

    /// <summary>The record after the change (<see cref="LiveChangeKind.Added"/>, <see cref="LiveChangeKind.Updated"/>).</summary>
    public T? NewItem { get; }

    /// <summary>The collection once the batch this change belongs to was applied (for a reset: the whole state to show).</summary>
    public LiveSnapshot<T> Snapshot { get; }

    /// <summary>The kind and key, for logs.</summary>
    /// <returns>The summary.</returns>
    public override string ToString() => Kind == LiveChangeKind.Reset ? "Reset" : $"{Kind} {Key}";
}
