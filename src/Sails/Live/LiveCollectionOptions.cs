using System;

namespace SailSocket.Live;

/// <summary>How a <see cref="LiveCollection{T}"/> refetches and buffers. Immutable once created.</summary>
public sealed class LiveCollectionOptions
{
    /// <summary>
    /// How long a needed refetch waits so that the messages that follow join it, measured on <see cref="TimeProvider"/>.
    /// Default 50 ms. At most one refetch is in flight and one waits, so a flood costs at most one find per delay.
    /// </summary>
    public TimeSpan RefetchDelay { get; init; } = TimeSpan.FromMilliseconds(50);

    /// <summary>How long to wait before trying again after a refetch failed. Default 1 s.</summary>
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>The limit sent when the query has none, and of the find that subscribes to every record. Default 10,000.</summary>
    public int MaxRecords { get; init; } = 10_000;

    /// <summary>
    /// How many changes may wait for one slow reader of <see cref="LiveCollection{T}.ReadChangesAsync"/>: past it, they
    /// are dropped and replaced by one <see cref="LiveChangeKind.Reset"/>. Default 1024.
    /// </summary>
    public int ChangeStreamCapacity { get; init; } = 1024;

    /// <summary>How many messages are kept while a refetch is in flight (replayed after it); past it, another refetch follows. Default 10,000.</summary>
    public int MaxBufferedMessages { get; init; } = 10_000;

    /// <summary>The clock of every delay. Default <see cref="System.TimeProvider.System"/>.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>Checks the values.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A value is out of range.</exception>
    /// <exception cref="ArgumentNullException"><see cref="TimeProvider"/> is null.</exception>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(RefetchDelay, TimeSpan.Zero, nameof(RefetchDelay));
        ArgumentOutOfRangeException.ThrowIfLessThan(RetryDelay, TimeSpan.Zero, nameof(RetryDelay));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxRecords, 1, nameof(MaxRecords));
        ArgumentOutOfRangeException.ThrowIfLessThan(ChangeStreamCapacity, 1, nameof(ChangeStreamCapacity));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxBufferedMessages, 1, nameof(MaxBufferedMessages));
        ArgumentNullException.ThrowIfNull(TimeProvider, nameof(TimeProvider));
    }
}
