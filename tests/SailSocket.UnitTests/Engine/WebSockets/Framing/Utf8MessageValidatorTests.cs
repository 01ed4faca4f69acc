using System.Text;
using System.Text.Unicode;
using SailSocket.Engine.Transports.WebSockets.Framing;
using Xunit;

namespace SailSocket.UnitTests.Engine.WebSockets.Framing;

/// <summary>UTF-8 checked piece by piece agrees with <see cref="Utf8.IsValid"/> on the whole message, however it is cut.</summary>
public sealed class Utf8MessageValidatorTests
{
    public static TheoryData<string, byte[]> Messages => new()
    {
        { "ascii", "hello"u8.ToArray() },
        { "two three four", Encoding.UTF8.GetBytes("é€😀x😀") },
        { "empty", [] },
        { "lone continuation", [0x61, 0x80, 0x62] },
        { "overlong", [0xC0, 0xAF] },
        { "overlong three", [0xE0, 0x80, 0xAF] },
        { "surrogate", [0xED, 0xA0, 0x80] },
        { "above U+10FFFF", [0xF4, 0x90, 0x80, 0x80] },
        { "F8 lead", [0x41, 0xF8, 0x88, 0x80, 0x80, 0x80] },
        { "truncated at end two", [0x41, 0xC3] },
        { "truncated at end three", [0x41, 0xE2, 0x82] },
        { "truncated at end four", [0x41, 0xF0, 0x9F, 0x98] },
        { "truncated then ascii", [0xE2, 0x82, 0x41] },
        { "FF", [0xFF] },
        { "valid then invalid far", [.. Encoding.UTF8.GetBytes(new string('€', 40)), 0xC3, 0x28] },
    };

    [Theory]
    [MemberData(nameof(Messages))]
    public void Cut_anywhere_into_two_or_three_pieces_or_one_byte_at_a_time_the_verdict_is_the_whole_messages(string name, byte[] message)
    {
        var expected = Utf8.IsValid(message);
        for (var a = 0; a <= message.Length; a++)
        {
            for (var b = a; b <= message.Length; b++)
            {
                Assert.True(expected == Check(message, [a, b]), $"{name} cut at {a},{b}");
            }
        }

        Assert.True(expected == Check(message, [.. Enumerable.Range(1, Math.Max(0, message.Length - 1))]), $"{name} one byte at a time");
    }

    [Fact]
    public void Random_text_cut_at_random_agrees_with_the_whole()
    {
        var random = new Random(8);
        var alphabet = new[] { "a", "é", "€", "😀", "\u0800", "\uFFFD" };
        for (var round = 0; round < 500; round++)
        {
            var text = string.Concat(Enumerable.Range(0, random.Next(1, 30)).Select(_ => alphabet[random.Next(alphabet.Length)]));
            var bytes = Encoding.UTF8.GetBytes(text);
            if (random.Next(3) == 0)
            {
                bytes[random.Next(bytes.Length)] = (byte)random.Next(256);
            }

            var cuts = Enumerable.Range(0, random.Next(5)).Select(_ => random.Next(bytes.Length + 1)).Order().ToArray();
            Assert.Equal(Utf8.IsValid(bytes), Check(bytes, cuts));
        }
    }

    private static bool Check(byte[] message, int[] cuts)
    {
        var validator = default(Utf8MessageValidator);
        validator.Reset();
        var start = 0;
        foreach (var cut in cuts)
        {
            if (!validator.Append(message.AsSpan(start, cut - start), final: false))
            {
                return false;
            }

            start = cut;
        }

        return validator.Append(message.AsSpan(start), final: true);
    }
}
