namespace SailSocket.Resources;

/// <summary>The <c>verb</c> of a resourceful pub/sub message (docs/blueprints.md, "What a socket hears").</summary>
public enum SailsResourceVerb
{
    /// <summary>No verb, or one this version does not know (a custom <c>Model.publish</c> message): see the raw event.</summary>
    Unknown,

    /// <summary><c>created</c>: a record was created; <see cref="SailsResourceMessage{T}.ReadRecord"/> reads it.</summary>
    Created,

    /// <summary><c>updated</c>: a record changed; <see cref="SailsResourceMessage{T}.Changes"/> holds the values set and
    /// <see cref="SailsResourceMessage{T}.ReadPrevious"/> the record before.</summary>
    Updated,

    /// <summary><c>destroyed</c>: a record was destroyed; <see cref="SailsResourceMessage{T}.ReadPrevious"/> reads it as it was.</summary>
    Destroyed,

    /// <summary><c>addedTo</c>: a record joined a collection association of this record.</summary>
    AddedTo,

    /// <summary><c>removedFrom</c>: a record left a collection association of this record.</summary>
    RemovedFrom,
}
