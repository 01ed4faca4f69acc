using System.Buffers;
using System.Text;
using SailSocket.Engine.Transports.WebSockets;
using SailSocket.UnitTests.Infrastructure;
using Xunit;

namespace SailSocket.UnitTests.Engine.WebSockets;

/// <summary>The stream under a managed WebSocket: writes pass through, a corked batch leaves in one write, nothing is held while idle.</summary>
public sealed class CoalescingStreamTests
{
    [Fact]
    public async Task Uncorked_writes_go_straight_through()
    {
        var inner = new RecordingStream();
        await using var stream = new CoalescingStream(inner, ArrayPool<byte>.Shared);

        await stream.WriteAsync("a"u8.ToArray());
        await stream.WriteAsync("b"u8.ToArray());

        Assert.Equal(["a", "b"], inner.Writes);
        Assert.False(stream.HoldsBuffer);
    }

    [Fact]
    public async Task A_corked_batch_leaves_in_one_write_and_the_buffer_goes_back()
    {
        var inner = new RecordingStream();
        await using var stream = new CoalescingStream(inner, ArrayPool<byte>.Shared);

        stream.Cork();
        for (var i = 0; i < 10; i++)
        {
            var write = stream.WriteAsync(Encoding.ASCII.GetBytes($"m{i};"));
            Assert.True(write.IsCompletedSuccessfully);
        }

        Assert.Empty(inner.Writes);
        await stream.FlushBatchAsync();

        Assert.Equal(["m0;m1;m2;m3;m4;m5;m6;m7;m8;m9;"], inner.Writes);
        Assert.False(stream.IsCorked);
        Assert.False(stream.HoldsBuffer);
    }

    [Fact]
    public async Task A_batch_larger_than_the_bound_is_written_in_bounded_pieces_in_order()
    {
        var inner = new RecordingStream();
        await using var stream = new CoalescingStream(inner, ArrayPool<byte>.Shared);
        var chunk = new string('x', 20_000);

        stream.Cork();
        for (var i = 0; i < 5; i++)
        {
            await stream.WriteAsync(Encoding.ASCII.GetBytes(chunk));
        }

        var huge = new string('y', CoalescingStream.MaxBatchSize + 1);
        await stream.WriteAsync(Encoding.ASCII.GetBytes(huge));
        await stream.WriteAsync("z"u8.ToArray());
        await stream.FlushBatchAsync();

        Assert.All(inner.Writes, w => Assert.True(w.Length <= CoalescingStream.MaxBatchSize || w == huge));
        Assert.Equal(string.Concat(Enumerable.Repeat(chunk, 5)) + huge + "z", string.Concat(inner.Writes));
        Assert.False(stream.HoldsBuffer);
    }

    [Fact]
    public async Task Bytes_that_came_with_the_head_are_read_first_and_their_buffer_returned()
    {
        var inner = new RecordingStream { ToRead = "network"u8.ToArray() };
        var early = ArrayPool<byte>.Shared.Rent(64);
        "HEAD|frames"u8.CopyTo(early);
        await using var stream = new CoalescingStream(inner, ArrayPool<byte>.Shared, early, 5, 11);
        var buffer = new byte[4];

        Assert.Equal(0, await stream.ReadAsync(Memory<byte>.Empty));
        Assert.Equal(4, await stream.ReadAsync(buffer));
        Assert.Equal("fram", Encoding.ASCII.GetString(buffer));
        Assert.Equal(2, await stream.ReadAsync(buffer));
        Assert.Equal("es", Encoding.ASCII.GetString(buffer, 0, 2));
        Assert.False(stream.HoldsBuffer);
        Assert.Equal(4, await stream.ReadAsync(buffer));
        Assert.Equal("netw", Encoding.ASCII.GetString(buffer));
    }

    [Fact]
    public async Task Small_reads_share_one_network_read_and_the_buffer_goes_back_when_drained()
    {
        var inner = new RecordingStream { ToRead = "header+payload"u8.ToArray() };
        await using var stream = new CoalescingStream(inner, ArrayPool<byte>.Shared);
        var buffer = new byte[7];

        Assert.Equal(7, await stream.ReadAsync(buffer));
        Assert.Equal("header+", Encoding.ASCII.GetString(buffer));
        Assert.True(stream.HoldsBuffer);
        Assert.Equal(7, await stream.ReadAsync(buffer));
        Assert.Equal("payload", Encoding.ASCII.GetString(buffer));

        Assert.Equal(1, inner.Reads);
        Assert.False(stream.HoldsBuffer);
    }

    [Fact]
    public void A_threads_gathered_writes_go_out_with_another_threads_write_behind_them_in_one_write()
    {
        var inner = new RecordingStream();
        using var stream = new CoalescingStream(inner, ArrayPool<byte>.Shared);

        Assert.True(stream.BeginGather());
        Assert.True(Completion.CompletedNow(stream.WriteAsync("a"u8.ToArray())));
        Assert.True(Completion.CompletedNow(stream.WriteAsync("b"u8.ToArray())));
        Assert.Empty(inner.Writes);

        // Another thread: it may not join the gather, and its bytes must not overtake the gathered ones.
        var other = new Thread(() =>
        {
            Assert.False(stream.BeginGather());
            stream.EndGather();
            Assert.True(Completion.CompletedNow(stream.WriteAsync("c"u8.ToArray())));
        });
        other.Start();
        Assert.True(other.Join(TimeSpan.FromSeconds(30)));

        Assert.Equal(["abc"], inner.Writes);
        Assert.False(stream.HoldsBuffer);

        // Still gathering for this thread (the other's EndGather did nothing); ending it leaves the rest for the writer.
        Assert.NotEqual(0, stream.GatherThread);
        Assert.True(Completion.CompletedNow(stream.WriteAsync("d"u8.ToArray())));
        stream.EndGather();
        Assert.Equal(0, stream.GatherThread);
        Assert.True(Completion.CompletedNow(stream.WriteGatheredAsync()));
        Assert.Equal(["abc", "d"], inner.Writes);
        Assert.False(stream.IsCorked);
        Assert.False(stream.HoldsBuffer);
    }

    [Fact]
    public void A_gather_too_large_for_the_bound_is_written_in_order_and_gathering_goes_on_without_corking()
    {
        var inner = new RecordingStream();
        using var stream = new CoalescingStream(inner, ArrayPool<byte>.Shared);
        var chunk = new string('x', 40_000);

        Assert.True(stream.BeginGather());
        var generation = stream.GatherGeneration;
        Assert.True(Completion.CompletedNow(stream.WriteAsync(Encoding.ASCII.GetBytes(chunk))));
        Assert.True(Completion.CompletedNow(stream.WriteAsync(Encoding.ASCII.GetBytes(chunk))));
        Assert.Equal([chunk], inner.Writes);
        Assert.False(stream.IsCorked);
        Assert.True(Completion.CompletedNow(stream.WriteAsync("e"u8.ToArray())));
        Assert.Single(inner.Writes);
        stream.EndGather();
        Assert.True(Completion.CompletedNow(stream.WriteGatheredAsync()));

        Assert.Equal([chunk, chunk + "e"], inner.Writes);
        Assert.True(stream.BeginGather());
        Assert.NotEqual(generation, stream.GatherGeneration);
        stream.EndGather();
    }

    private sealed class RecordingStream : MemoryStream
    {
        public List<string> Writes { get; } = [];

        public byte[] ToRead { get; init; } = [];

        private int _readOffset;

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            Writes.Add(Encoding.ASCII.GetString(buffer.Span));
            return default;
        }

        public int Reads { get; private set; }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            Reads++;
            var count = Math.Min(buffer.Length, ToRead.Length - _readOffset);
            ToRead.AsSpan(_readOffset, count).CopyTo(buffer.Span);
            _readOffset += count;
            return new ValueTask<int>(count);
        }
    }
}
