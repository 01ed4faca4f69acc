using SailSocket.Engine.Transports.WebSockets.Framing;
using Xunit;

namespace SailSocket.UnitTests.Engine.WebSockets.Framing;

/// <summary>Masking (RFC 6455 §5.3) against a byte-at-a-time reference, at every offset and odd lengths; the mask source.</summary>
public sealed class WebSocketMaskTests
{
    private static void Reference(Span<byte> data, uint key, long offset)
    {
        for (var i = 0; i < data.Length; i++)
        {
            data[i] ^= (byte)(key >> (int)(((offset + i) % 4) * 8));
        }
    }

    [Fact]
    public void Masking_matches_the_reference_at_every_key_offset_buffer_offset_and_length()
    {
        var random = new Random(6455);
        var source = new byte[300];
        random.NextBytes(source);
        foreach (var key in new uint[] { 0, 0xFFFFFFFF, 0x12345678, (uint)random.Next() })
        {
            for (var payloadOffset = 0L; payloadOffset < 9; payloadOffset++)
            {
                for (var start = 0; start < 5; start++)
                {
                    foreach (var length in new[] { 0, 1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65, 127, 255, 295 })
                    {
                        var expected = (byte[])source.Clone();
                        var actual = (byte[])source.Clone();
                        Reference(expected.AsSpan(start, length), key, payloadOffset);
                        WebSocketMask.Apply(actual.AsSpan(start, length), key, payloadOffset);
                        Assert.Equal(expected, actual); // bytes outside the span untouched too
                    }
                }
            }
        }
    }

    [Fact]
    public void A_payload_masked_in_pieces_equals_the_payload_masked_whole_and_masking_twice_restores_it()
    {
        var payload = new byte[100_003];
        new Random(1).NextBytes(payload);
        var whole = (byte[])payload.Clone();
        WebSocketMask.Apply(whole, 0xA1B2C3D4, 0);

        var pieces = (byte[])payload.Clone();
        var offset = 0;
        foreach (var size in new[] { 1, 3, 16_384, 7, 50_000, 33_608 })
        {
            WebSocketMask.Apply(pieces.AsSpan(offset, size), 0xA1B2C3D4, offset);
            offset += size;
        }

        Assert.Equal(payload.Length, offset);
        Assert.Equal(whole, pieces);
        WebSocketMask.Apply(whole, 0xA1B2C3D4, 0);
        Assert.Equal(payload, whole);
    }

    [Fact]
    public void Mask_keys_are_drawn_in_blocks_and_differ()
    {
        var keys = new HashSet<uint>();
        for (var i = 0; i < WebSocketMaskSource.BlockSize; i++)
        {
            keys.Add(WebSocketMaskSource.Next());
        }

        // 512 keys from a CSPRNG: a repeat among 32-bit values is possible but below one in 16,000.
        Assert.True(keys.Count >= WebSocketMaskSource.BlockSize - 1, $"{keys.Count} distinct keys");
    }
}
