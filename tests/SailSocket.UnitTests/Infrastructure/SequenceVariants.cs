using System;
using System.Buffers;
using System.Collections.Generic;
using System.Text;

namespace SailSocket.UnitTests.Infrastructure;

/// <summary>
/// The split variants every codec test runs: the same payload right-sized, embedded in a larger buffer with garbage on
/// both sides, split into two segments at every offset, and one byte per segment.
/// </summary>
internal static class SequenceVariants
{
    /// <summary>Bytes around an embedded payload that a parser reading past its input would misread as header syntax.</summary>
    private static readonly byte[] s_garbageBefore = "9/x,[{"u8.ToArray();
    private static readonly byte[] s_garbageAfter = "]},7/9"u8.ToArray();

    public static IEnumerable<(string Name, ReadOnlySequence<byte> Sequence)> Get(string payload) => Get(Encoding.UTF8.GetBytes(payload));

    public static IEnumerable<(string Name, ReadOnlySequence<byte> Sequence)> Get(byte[] payload)
    {
        yield return ("right-sized", new ReadOnlySequence<byte>(payload));

        var embedded = new byte[s_garbageBefore.Length + payload.Length + s_garbageAfter.Length];
        s_garbageBefore.CopyTo(embedded, 0);
        payload.CopyTo(embedded, s_garbageBefore.Length);
        s_garbageAfter.CopyTo(embedded, s_garbageBefore.Length + payload.Length);
        yield return ("embedded", new ReadOnlySequence<byte>(embedded, s_garbageBefore.Length, payload.Length));

        // Garbage in segments of its own on both sides, then sliced away: the slice starts and ends at segment edges.
        var framed = TestSegment.CreateSequence([s_garbageBefore, payload, s_garbageAfter]);
        yield return ("embedded-multi-segment", framed.Slice(s_garbageBefore.Length, payload.Length));

        for (var split = 0; split <= payload.Length; split++)
        {
            yield return ($"split@{split}", TestSegment.CreateSequence([payload.AsMemory(0, split), payload.AsMemory(split)]));
        }

        var bytes = new ReadOnlyMemory<byte>[payload.Length];
        for (var i = 0; i < payload.Length; i++)
        {
            bytes[i] = payload.AsMemory(i, 1);
        }

        yield return ("one-byte-per-segment", TestSegment.CreateSequence(bytes));

        // Empty segments between every byte: the reader must not stop or trip at a zero-length segment.
        var sparse = new ReadOnlyMemory<byte>[(payload.Length * 2) + 1];
        for (var i = 0; i < payload.Length; i++)
        {
            sparse[(i * 2) + 1] = payload.AsMemory(i, 1);
        }

        yield return ("one-byte-per-segment-with-empty-segments", TestSegment.CreateSequence(sparse));
    }
}
