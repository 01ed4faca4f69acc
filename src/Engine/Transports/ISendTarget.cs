using System;
using System.Collections.Generic;
using System.Threading.Tasks;

namespace SailSocket.Engine.Transports;

/// <summary>What a <see cref="SendQueue"/> writes to: a socket that takes one message at a time.</summary>
internal interface ISendTarget
{
    /// <summary>Writes one message and, right after it, binary messages; never called twice at once.</summary>
    ValueTask WriteAsync(ReadOnlyMemory<byte> text, IReadOnlyList<ReadOnlyMemory<byte>>? binary);
}
