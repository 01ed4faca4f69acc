using System.Text;

namespace SailSocket.UnitTests.Fuzz;

/// <summary>
/// Deterministic input generator: takes real frames (docs/protocol.md) as seeds and applies one to four mutations — bit
/// flips, byte insert/delete, truncation, duplication of a range, splicing two seeds, huge or odd numbers in place of a
/// digit run, tokens the decoders give meaning to, deep JSON nesting — or, now and then, returns random bytes.
/// </summary>
internal sealed class Mutator
{
    /// <summary>Bytes the codecs treat specially: digits, JSON structure, separators of both polling revisions.</summary>
    private static readonly byte[] s_interestingBytes = [.. "0123456789[]{}\",:-/\\b4eE.+ "u8, 0x1E, 0x00, 0xFF, 0xC3, 0xED, 0xF0, 0x80];

    /// <summary>Tokens spliced in whole: boundary numbers, escapes that decode to lone surrogates, JSON keywords, placeholders.</summary>
    private static readonly byte[][] s_tokens =
    [
        .. new[]
        {
            "9223372036854775807", "9223372036854775808", "-9223372036854775808", "99999999999999999999999999", "4294967296",
            "2147483647", "2147483648", "-1", "0", "1e308", "1e999", "-0", "0.5", "1E+400", "NaN",
            "\"\\uD800\"", "\"\\uDC00\"", "\"\\uD83D\\u0041\"", "\"\\u0000\"", "\"\\\"", "\"\\x\"",
            "null", "true", "false", "{}", "[]", "\"\"", "{\"_placeholder\":true,\"num\":0}", "{\"_placeholder\":true,\"num\":99}",
            "\"statusCode\":", "\"body\":", "\"headers\":", "\"code\":\"E_SAILS_PARSE_ERROR\"", "\"sid\":", "\"pingInterval\":",
            "\"pingTimeout\":", "\"maxPayload\":", "\"upgrades\":", "/admin,", "/", "10-", "11-", "0-", "451-", "999999999999999-",
        }.Select(Encoding.UTF8.GetBytes),
        [0xED, 0xA0, 0x80], // UTF-8-encoded surrogate
        [0xC0, 0xAF],       // overlong
        [0xF4, 0x90, 0x80, 0x80], // above U+10FFFF
        [0xF0, 0x9F, 0x98, 0x80], // 😀
    ];

    private readonly Random _random;
    private readonly byte[][] _seeds;

    public Mutator(int seed, IReadOnlyList<byte[]> seeds)
    {
        _random = new Random(seed);
        _seeds = [.. seeds];
    }

    public Random Random => _random;

    public static byte[][] Utf8(params string[] seeds) => [.. seeds.Select(Encoding.UTF8.GetBytes)];

    /// <summary>The next input. One in 64 is purely random bytes; one in 128 a seed unchanged; the rest mutated seeds.</summary>
    public byte[] Next()
    {
        var roll = _random.Next(128);
        if (roll == 0)
        {
            return _seeds[_random.Next(_seeds.Length)];
        }

        if (roll <= 2)
        {
            var bytes = new byte[_random.Next(64)];
            _random.NextBytes(bytes);
            return bytes;
        }

        var data = new List<byte>(_seeds[_random.Next(_seeds.Length)]);
        var mutations = 1 + _random.Next(4);
        for (var i = 0; i < mutations; i++)
        {
            Mutate(data);
        }

        return [.. data];
    }

    private void Mutate(List<byte> data)
    {
        switch (_random.Next(11))
        {
            case 0 when data.Count > 0: // bit flip
                var at = _random.Next(data.Count);
                data[at] ^= (byte)(1 << _random.Next(8));
                break;
            case 1: // insert an interesting or random byte
                data.Insert(_random.Next(data.Count + 1), _random.Next(2) == 0 ? s_interestingBytes[_random.Next(s_interestingBytes.Length)] : (byte)_random.Next(256));
                break;
            case 2 when data.Count > 0: // delete a range
                var start = _random.Next(data.Count);
                data.RemoveRange(start, Math.Min(data.Count - start, 1 + _random.Next(8)));
                break;
            case 3 when data.Count > 0: // truncate
                var cut = _random.Next(data.Count);
                data.RemoveRange(cut, data.Count - cut);
                break;
            case 4 when data.Count > 0: // duplicate a range in place
                var from = _random.Next(data.Count);
                var length = Math.Min(data.Count - from, 1 + _random.Next(32));
                data.InsertRange(from, data.GetRange(from, length));
                break;
            case 5: // splice a token in
                var token = s_tokens[_random.Next(s_tokens.Length)];
                data.InsertRange(_random.Next(data.Count + 1), token);
                break;
            case 6: // replace a digit run by a token (huge numbers where lengths, ids, counts and status codes go)
                ReplaceDigits(data);
                break;
            case 7: // deep nesting: wrap a position in many brackets or braces
                var depth = _random.Next(64) == 0 ? 10_000 : 1 + _random.Next(200);
                var open = _random.Next(2) == 0 ? "["u8.ToArray() : "{\"a\":"u8.ToArray();
                var close = open[0] == (byte)'[' ? (byte)']' : (byte)'}';
                var position = _random.Next(data.Count + 1);
                var nested = new List<byte>(depth * (open.Length + 1));
                for (var i = 0; i < depth; i++)
                {
                    nested.AddRange(open);
                }

                nested.Add((byte)'1');
                if (_random.Next(2) == 0)
                {
                    nested.AddRange(Enumerable.Repeat(close, depth));
                }

                data.InsertRange(position, nested);
                break;
            case 8: // splice part of another seed
                var other = _seeds[_random.Next(_seeds.Length)];
                var otherStart = _random.Next(other.Length + 1);
                var otherLength = _random.Next(other.Length - otherStart + 1);
                data.InsertRange(_random.Next(data.Count + 1), other.AsSpan(otherStart, otherLength).ToArray());
                break;
            case 9 when data.Count > 0: // overwrite a byte with an interesting one
                data[_random.Next(data.Count)] = s_interestingBytes[_random.Next(s_interestingBytes.Length)];
                break;
            default: // a long run of one byte (long strings, long digit runs)
                var run = _random.Next(64) == 0 ? 100_000 : 1 + _random.Next(64);
                data.InsertRange(_random.Next(data.Count + 1), Enumerable.Repeat(s_interestingBytes[_random.Next(s_interestingBytes.Length)], run));
                break;
        }
    }

    private void ReplaceDigits(List<byte> data)
    {
        var starts = new List<int>();
        for (var i = 0; i < data.Count; i++)
        {
            if (IsDigit(data[i]) && (i == 0 || !IsDigit(data[i - 1])))
            {
                starts.Add(i);
            }
        }

        if (starts.Count == 0)
        {
            return;
        }

        var start = starts[_random.Next(starts.Count)];
        var end = start;
        while (end < data.Count && IsDigit(data[end]))
        {
            end++;
        }

        data.RemoveRange(start, end - start);
        data.InsertRange(start, s_tokens[_random.Next(15)]);
    }

    private static bool IsDigit(byte b) => b is >= (byte)'0' and <= (byte)'9';
}
