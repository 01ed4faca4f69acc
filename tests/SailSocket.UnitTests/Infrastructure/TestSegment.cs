using System;
using System.Buffers;
using System.Collections.Generic;

namespace SailSocket.UnitTests.Infrastructure;

/// <summary>A segment of a hand-built multi-segment <see cref="ReadOnlySequence{T}"/>.</summary>
internal sealed class TestSegment : ReadOnlySequenceSegment<byte>
{
    public TestSegment(ReadOnlyMemory<byte> memory)
    {
        Memory = memory;
    }

    public TestSegment Append(ReadOnlyMemory<byte> memory)
    {
        var next = new TestSegment(memory) { RunningIndex = RunningIndex + Memory.Length };
        Next = next;
        return next;
    }

    /// <summary>Builds a sequence with one segment per part, in order; empty parts stay as empty segments.</summary>
    public static ReadOnlySequence<byte> CreateSequence(IReadOnlyList<ReadOnlyMemory<byte>> parts)
    {
        if (parts.Count == 0)
        {
            return ReadOnlySequence<byte>.Empty;
        }

        var first = new TestSegment(parts[0]);
        var last = first;
        for (var i = 1; i < parts.Count; i++)
        {
            last = last.Append(parts[i]);
        }

        return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
    }
}
