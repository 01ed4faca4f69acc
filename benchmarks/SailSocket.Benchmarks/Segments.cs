using System.Buffers;

namespace SailSocket.Benchmarks;

/// <summary>Builds a multi-segment <see cref="ReadOnlySequence{T}"/>: the same bytes as they may arrive, in pieces.</summary>
internal static class Segments
{
    public static ReadOnlySequence<byte> Split(byte[] bytes, int size)
    {
        Segment? first = null;
        Segment? last = null;
        for (var at = 0; at < bytes.Length; at += size)
        {
            var segment = new Segment(bytes.AsMemory(at, Math.Min(size, bytes.Length - at)), at);
            first ??= segment;
            last?.SetNext(segment);
            last = segment;
        }

        return new ReadOnlySequence<byte>(first!, 0, last!, last!.Memory.Length);
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public void SetNext(Segment next) => Next = next;
    }
}
