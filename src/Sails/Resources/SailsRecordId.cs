using System;
using System.Globalization;
using System.Text.Json;

namespace SailSocket.Resources;

/// <summary>
/// The primary key of a Sails record: a number (the default <c>autoIncrement</c> id) or a string (a MongoDB ObjectId, a
/// UUID). Converts implicitly from <see cref="int"/>, <see cref="long"/> and <see cref="string"/>.
/// </summary>
/// <remarks>Immutable. Equal when both are numbers with the same value or both are strings with the same characters.</remarks>
public readonly struct SailsRecordId : IEquatable<SailsRecordId>
{
    private readonly string? _text;
    private readonly long _number;

    /// <summary>Whether a number was set: 0 is a real id, and <see langword="default"/> is none.</summary>
    private readonly bool _isNumber;

    /// <summary>Creates a numeric id.</summary>
    /// <param name="number">The number.</param>
    public SailsRecordId(long number)
    {
        _number = number;
        _isNumber = true;
    }

    /// <summary>Creates a string id.</summary>
    /// <param name="text">The id; not empty.</param>
    /// <exception cref="ArgumentException"><paramref name="text"/> is null or empty.</exception>
    public SailsRecordId(string text)
    {
        ArgumentException.ThrowIfNullOrEmpty(text);
        _text = text;
    }

    /// <summary>Whether the id is a number (<see langword="false"/>: a string, or the default value).</summary>
    public bool IsNumber => _isNumber;

    /// <summary>Whether this is <see langword="default"/>: no id at all.</summary>
    public bool IsDefault => _text is null && !_isNumber;

    /// <summary>The numeric value.</summary>
    /// <exception cref="InvalidOperationException">The id is not a number.</exception>
    public long Number => IsNumber ? _number : throw new InvalidOperationException("The record id is not a number.");

    /// <summary>The id as the server writes it in a URL: the number in invariant digits, or the string.</summary>
    /// <returns>The text; empty for the default value.</returns>
    public override string ToString() => _text ?? (IsDefault ? string.Empty : _number.ToString(CultureInfo.InvariantCulture));

    /// <inheritdoc/>
    public bool Equals(SailsRecordId other) =>
        _isNumber == other._isNumber && _number == other._number && string.Equals(_text, other._text, StringComparison.Ordinal);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is SailsRecordId other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => _text?.GetHashCode(StringComparison.Ordinal) ?? _number.GetHashCode();

    /// <summary>Compares two ids.</summary>
    /// <param name="left">One id.</param>
    /// <param name="right">The other.</param>
    /// <returns>Whether they are equal.</returns>
    public static bool operator ==(SailsRecordId left, SailsRecordId right) => left.Equals(right);

    /// <summary>Compares two ids.</summary>
    /// <param name="left">One id.</param>
    /// <param name="right">The other.</param>
    /// <returns>Whether they differ.</returns>
    public static bool operator !=(SailsRecordId left, SailsRecordId right) => !left.Equals(right);

    /// <summary>A numeric id.</summary>
    /// <param name="number">The number.</param>
    public static implicit operator SailsRecordId(long number) => FromNumber(number);

    /// <summary>A numeric id.</summary>
    /// <param name="number">The number.</param>
    public static implicit operator SailsRecordId(int number) => FromNumber(number);

    /// <summary>A string id.</summary>
    /// <param name="text">The id; not empty.</param>
    public static implicit operator SailsRecordId(string text) => new(text);

    /// <summary>A numeric id.</summary>
    /// <param name="number">The number.</param>
    /// <returns>The id.</returns>
    public static SailsRecordId FromNumber(long number) => new(number);

    /// <summary>A string id.</summary>
    /// <param name="text">The id; not empty.</param>
    /// <returns>The id.</returns>
    public static SailsRecordId FromString(string text) => new(text);

    /// <summary>Reads an id the server sent: a JSON number (an integer) or a non-empty string.</summary>
    /// <param name="element">The JSON value.</param>
    /// <param name="id">The id.</param>
    /// <returns>Whether the value is an id.</returns>
    public static bool TryRead(JsonElement element, out SailsRecordId id)
    {
        id = default;
        switch (element.ValueKind)
        {
            case JsonValueKind.Number when element.TryGetInt64(out var number):
                id = FromNumber(number);
                return true;
            case JsonValueKind.String when element.GetString() is { Length: > 0 } text:
                id = new SailsRecordId(text);
                return true;
            default:
                return false;
        }
    }

    /// <summary>Writes the id as a JSON number or string.</summary>
    internal void WriteTo(Utf8JsonWriter writer)
    {
        if (_isNumber)
        {
            writer.WriteNumberValue(_number);
        }
        else
        {
            writer.WriteStringValue(_text);
        }
    }

    /// <summary>The id as one URL path segment, escaped.</summary>
    internal string ToPathSegment() => IsDefault
        ? throw new ArgumentException("A record id is required (the default SailsRecordId is no id).")
        : Uri.EscapeDataString(ToString());
}
