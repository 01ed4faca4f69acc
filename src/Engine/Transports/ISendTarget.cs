using System;
using System.Collections.Generic;
using System.Threading.Tasks;

namespace SailSocket.Engine.Transports;

/// <summary>What a <see cref="SendQueue"/> writes to: a socket that takes one message at a time.</summary>
internal interface ISendTarget
{
    /// <summary>Writes one message and, right after it, binary messages; never called twice at once.</summary>
    ValueTask WriteAsync(ReadOnlyMemory<byte> text, IReadOnlyList<ReadOnlyMemory<byte>>? binary);

    /// <summary>Whether writes can be gathered into one network write (<see cref="BeginBatch"/>); <see langword="false"/> by default.</summary>
    bool CanBatch => false;

    /// <summary>Gathers the writes that follow until <see cref="EndBatchAsync"/>; only when <see cref="CanBatch"/>.</summary>
    void BeginBatch()
    {
    }

    /// <summary>Sends what was gathered since <see cref="BeginBatch"/> in one write; its outcome is every gathered message's.</summary>
    ValueTask EndBatchAsync() => default;
}
