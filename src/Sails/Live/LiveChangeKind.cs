namespace SailSocket.Live;

/// <summary>What a <see cref="LiveChange{T}"/> reports.</summary>
public enum LiveChangeKind
{
    /// <summary>A record entered the collection: created, or changed so that it matches the query.</summary>
    Added,

    /// <summary>A record in the collection changed and still matches.</summary>
    Updated,

    /// <summary>A record left the collection: destroyed, or changed so that it no longer matches.</summary>
    Removed,

    /// <summary>The reader fell too far behind and its pending changes were dropped: read <see cref="LiveChange{T}.Snapshot"/> whole.</summary>
    Reset,
}
