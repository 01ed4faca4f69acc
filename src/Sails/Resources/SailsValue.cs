using System;
using System.Text.Json;

namespace SailSocket.Resources;

/// <summary>
/// One value in a <see cref="SailsCriteria"/>: a string, a number, a boolean or <c>null</c>. It is always written as a
/// JSON value, never as criteria, so a value built from user input cannot add a constraint or an operator.
/// Converts implicitly from <see cref="string"/>, <see cref="int"/>, <see cref="long"/>, <see cref="double"/>,
/// <see cref="decimal"/>, <see cref="bool"/> and <see cref="SailsRecordId"/>.
/// </summary>
public readonly struct SailsValue : IEquatable<SailsValue>
{
    private enum Kind : byte
    {
        Null,
        String,
        Integer,
        Real,
        Decimal,
        Boolean,
    }

    private readonly Kind _kind;
    private readonly string? _string;
    private readonly long _integer;
    private readonly double _real;
    private readonly decimal _decimal;

    private SailsValue(Kind kind, string? text = null, long integer = 0, double real = 0, decimal number = 0)
    {
        _kind = kind;
        _string = text;
        _integer = integer;
        _real = real;
        _decimal = number;
    }

    /// <summary>The JSON <c>null</c> (also what <see langword="default"/> is).</summary>
    public static SailsValue Null => default;

    /// <summary>Whether this is <c>null</c>.</summary>
    public bool IsNull => _kind == Kind.Null;

    /// <summary>Whether this is a string.</summary>
    public bool IsString => _kind == Kind.String;

    /// <summary>A string value; <see langword="null"/> gives <see cref="Null"/>.</summary>
    /// <param name="value">The string.</param>
    public static implicit operator SailsValue(string? value) => value is null ? default : new(Kind.String, text: value);

    /// <summary>A number.</summary>
    /// <param name="value">The number.</param>
    public static implicit operator SailsValue(int value) => new(Kind.Integer, integer: value);

    /// <summary>A number.</summary>
    /// <param name="value">The number.</param>
    public static implicit operator SailsValue(long value) => new(Kind.Integer, integer: value);

    /// <summary>A number; must be finite (JSON has no NaN or infinity).</summary>
    /// <param name="value">The number.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="value"/> is NaN or infinite.</exception>
    public static implicit operator SailsValue(double value) => double.IsFinite(value)
        ? new(Kind.Real, real: value)
        : throw new ArgumentOutOfRangeException(nameof(value), "A criteria value must be a finite number.");

    /// <summary>A number.</summary>
    /// <param name="value">The number.</param>
    public static implicit operator SailsValue(decimal value) => new(Kind.Decimal, number: value);

    /// <summary>A boolean.</summary>
    /// <param name="value">The boolean.</param>
    public static implicit operator SailsValue(bool value) => new(Kind.Boolean, integer: value ? 1 : 0);

    /// <summary>A record id: a number or a string.</summary>
    /// <param name="id">The id.</param>
    public static implicit operator SailsValue(SailsRecordId id) => id.IsDefault
        ? default
        : id.IsNumber ? new(Kind.Integer, integer: id.Number) : new(Kind.String, text: id.ToString());

    /// <summary>Creates a string value (the named alternative to the implicit conversion).</summary>
    /// <param name="value">The string.</param>
    /// <returns>The value.</returns>
    public static SailsValue FromString(string? value) => value;

    /// <summary>Creates a number value.</summary>
    /// <param name="value">The number.</param>
    /// <returns>The value.</returns>
    public static SailsValue FromInt64(long value) => value;

    /// <summary>Creates a number value.</summary>
    /// <param name="value">The number.</param>
    /// <returns>The value.</returns>
    public static SailsValue FromDouble(double value) => value;

    /// <summary>Creates a number value.</summary>
    /// <param name="value">The number.</param>
    /// <returns>The value.</returns>
    public static SailsValue FromDecimal(decimal value) => value;

    /// <summary>Creates a boolean value.</summary>
    /// <param name="value">The boolean.</param>
    /// <returns>The value.</returns>
    public static SailsValue FromBoolean(bool value) => value;

    /// <summary>Creates a record id value.</summary>
    /// <param name="id">The id.</param>
    /// <returns>The value.</returns>
    public static SailsValue FromRecordId(SailsRecordId id) => id;

    /// <summary>The string, when this is one.</summary>
    internal string? StringValue => _string;

    /// <summary>Writes the value as one JSON value (strings escaped by <see cref="Utf8JsonWriter"/>).</summary>
    internal void WriteTo(Utf8JsonWriter writer)
    {
        switch (_kind)
        {
            case Kind.String:
                writer.WriteStringValue(_string);
                break;
            case Kind.Integer:
                writer.WriteNumberValue(_integer);
                break;
            case Kind.Real:
                writer.WriteNumberValue(_real);
                break;
            case Kind.Decimal:
                writer.WriteNumberValue(_decimal);
                break;
            case Kind.Boolean:
                writer.WriteBooleanValue(_integer != 0);
                break;
            default:
                writer.WriteNullValue();
                break;
        }
    }

    /// <inheritdoc/>
    public bool Equals(SailsValue other) =>
        _kind == other._kind && _integer == other._integer && _real.Equals(other._real) && _decimal == other._decimal
        && string.Equals(_string, other._string, StringComparison.Ordinal);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is SailsValue other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(_kind, _string, _integer, _real, _decimal);

    /// <summary>Compares two values.</summary>
    /// <param name="left">One value.</param>
    /// <param name="right">The other.</param>
    /// <returns>Whether they are equal.</returns>
    public static bool operator ==(SailsValue left, SailsValue right) => left.Equals(right);

    /// <summary>Compares two values.</summary>
    /// <param name="left">One value.</param>
    /// <param name="right">The other.</param>
    /// <returns>Whether they differ.</returns>
    public static bool operator !=(SailsValue left, SailsValue right) => !left.Equals(right);

    /// <summary>The kind of value, never the value itself (criteria values may be secrets).</summary>
    /// <returns>For example <c>string</c> or <c>number</c>.</returns>
    public override string ToString() => _kind switch
    {
        Kind.String => "string",
        Kind.Integer or Kind.Real or Kind.Decimal => "number",
        Kind.Boolean => "boolean",
        _ => "null",
    };
}
