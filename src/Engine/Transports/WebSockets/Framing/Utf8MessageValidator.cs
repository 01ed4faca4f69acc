using System;
using System.Buffers;
using System.Text;
using System.Text.Unicode;

namespace SailSocket.Engine.Transports.WebSockets.Framing;

/// <summary>
/// Checks that a text message is UTF-8 (RFC 6455 §8.1) as its bytes are handed out in pieces: a sequence cut between two
/// pieces (or two frames) is kept (at most 3 bytes) and checked with the bytes that complete it. A mutable struct, one
/// per connection, reset at each message.
/// </summary>
internal struct Utf8MessageValidator
{
    /// <summary>The start of a sequence cut at the end of the last piece, first byte lowest.</summary>
    private uint _pending;

    /// <summary>How many bytes <see cref="_pending"/> holds (0–3).</summary>
    private int _pendingCount;

    /// <summary>Forgets any cut sequence: a new message starts.</summary>
    public void Reset() => _pendingCount = 0;

    /// <summary>Checks the next piece of the message.</summary>
    /// <param name="data">The piece.</param>
    /// <param name="final">Whether it ends the message (a cut sequence is then an error).</param>
    /// <returns><see langword="false"/> when the message is not valid UTF-8.</returns>
    public bool Append(ReadOnlySpan<byte> data, bool final)
    {
        if (_pendingCount > 0)
        {
            Span<byte> joined = stackalloc byte[4];
            for (var i = 0; i < _pendingCount; i++)
            {
                joined[i] = (byte)(_pending >> (i * 8));
            }

            var take = Math.Min(4 - _pendingCount, data.Length);
            data.Slice(0, take).CopyTo(joined.Slice(_pendingCount));
            var status = Rune.DecodeFromUtf8(joined.Slice(0, _pendingCount + take), out _, out var consumed);
            if (status == OperationStatus.NeedMoreData)
            {
                // Still cut: every byte of this piece belongs to the sequence.
                Keep(joined.Slice(0, _pendingCount + take));
                return !final;
            }

            if (status != OperationStatus.Done || consumed <= _pendingCount)
            {
                return false;
            }

            data = data.Slice(consumed - _pendingCount);
            _pendingCount = 0;
        }

        var whole = IncompleteTailStart(data);
        if (!Utf8.IsValid(data.Slice(0, whole)))
        {
            return false;
        }

        Keep(data.Slice(whole));
        return !(final && _pendingCount > 0);
    }

    private void Keep(ReadOnlySpan<byte> tail)
    {
        uint pending = 0;
        for (var i = 0; i < tail.Length; i++)
        {
            pending |= (uint)tail[i] << (i * 8);
        }

        _pending = pending;
        _pendingCount = tail.Length;
    }

    /// <summary>Where a multi-byte sequence that the end of <paramref name="data"/> cuts short begins; its length when none is cut.</summary>
    private static int IncompleteTailStart(ReadOnlySpan<byte> data)
    {
        for (var i = data.Length - 1; i >= 0 && i >= data.Length - 3; i--)
        {
            var b = data[i];
            if ((b & 0xC0) == 0x80)
            {
                continue;
            }

            if (b >= 0xC0)
            {
                var needed = b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : 2;
                return data.Length - i < needed ? i : data.Length;
            }

            break;
        }

        return data.Length;
    }
}
