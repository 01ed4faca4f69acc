using System;
using System.Text;

namespace SailSocket;

/// <summary>
/// Raw UTF-8 JSON from the server — a response body or an event's data — that prints as the JSON text. Converts
/// implicitly to <see cref="ReadOnlyMemory{T}"/> of bytes; reading it allocates nothing, printing it decodes it.
/// </summary>
public readonly struct SailsJson : IEquatable<SailsJson>
{
    /// <summary>Wraps UTF-8 JSON bytes.</summary>
    /// <param name="utf8">The bytes; not copied.</param>
    public SailsJson(ReadOnlyMemory<byte> utf8)
    {
        Memory = utf8;
    }

    /// <summary>The UTF-8 bytes.</summary>
    public ReadOnlyMemory<byte> Memory { get; }

    /// <summary>The UTF-8 bytes, as a span.</summary>
    public ReadOnlySpan<byte> Span => Memory.Span;

    /// <summary>The length in bytes.</summary>
    public int Length => Memory.Length;

    /// <summary>Whether there is no JSON at all (no body, no data).</summary>
    public bool IsEmpty => Memory.IsEmpty;

    /// <summary>The bytes converted implicitly.</summary>
    /// <param name="json">The JSON.</param>
    public static implicit operator ReadOnlyMemory<byte>(SailsJson json) => json.Memory;

    /// <summary>Whether two values hold the same bytes.</summary>
    /// <param name="left">One value.</param>
    /// <param name="right">The other.</param>
    public static bool operator ==(SailsJson left, SailsJson right) => left.Equals(right);

    /// <summary>Whether two values hold different bytes.</summary>
    /// <param name="left">One value.</param>
    /// <param name="right">The other.</param>
    public static bool operator !=(SailsJson left, SailsJson right) => !left.Equals(right);

    /// <summary>Copies the bytes into a new array.</summary>
    /// <returns>The copy.</returns>
    public byte[] ToArray() => Memory.ToArray();

    /// <summary>The JSON text; empty when there is none.</summary>
    /// <returns>The text.</returns>
    public override string ToString() => Encoding.UTF8.GetString(Memory.Span);

    /// <inheritdoc/>
    public bool Equals(SailsJson other) => Memory.Span.SequenceEqual(other.Memory.Span);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is SailsJson other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode()
    {
        var hash = default(HashCode);
        hash.AddBytes(Memory.Span);
        return hash.ToHashCode();
    }
}
