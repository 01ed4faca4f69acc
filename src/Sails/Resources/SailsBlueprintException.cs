using System;
using System.Collections.Generic;

namespace SailSocket.Resources;

/// <summary>
/// A blueprint answered with an error status: a validation or usage error, a missing record, a unique-constraint
/// conflict. Carries the server's error code and details, bounded and with the request's credentials and the strings it
/// sent (criteria values, record values) replaced by <c>[redacted]</c>.
/// </summary>
/// <remarks>A <see cref="SailsRequestException"/>: <see cref="SailsRequestException.Response"/> holds the raw response.</remarks>
public sealed class SailsBlueprintException : SailsRequestException
{
    /// <summary>The longest <see cref="Details"/> kept: 1000 characters (the rest is cut, marked with <c>…</c>).</summary>
    public const int MaxDetailsLength = 1000;

    /// <summary>Creates the exception.</summary>
    /// <param name="response">The error response.</param>
    /// <param name="message">A description for people.</param>
    /// <param name="model">The model identity.</param>
    /// <param name="kind">The kind of error.</param>
    /// <param name="code">The server's error code, or <see langword="null"/>.</param>
    /// <param name="details">The server's details, or <see langword="null"/>.</param>
    /// <param name="attributeNames">The attributes the error names, or <see langword="null"/> for none.</param>
    public SailsBlueprintException(SailsResponse response, string message, string model, SailsBlueprintErrorKind kind, string? code, string? details, IReadOnlyList<string>? attributeNames)
        : base(response, message)
    {
        ArgumentNullException.ThrowIfNull(model);
        Model = model;
        Kind = kind;
        Code = code;
        Details = details;
        AttributeNames = attributeNames ?? [];
    }

    /// <summary>The model identity of the resource (<c>user</c>).</summary>
    public string Model { get; }

    /// <summary>What kind of error this is.</summary>
    public SailsBlueprintErrorKind Kind { get; }

    /// <summary>The server's error code (<c>E_INVALID_NEW_RECORD</c>, <c>E_UNIQUE</c>, <c>E_INVALID_CRITERIA</c>…), or
    /// <see langword="null"/> when the body had none (a 404's <c>Not Found</c>).</summary>
    public string? Code { get; }

    /// <summary>The server's explanation: its <c>details</c>, else its <c>message</c>, else a text body; redacted and at
    /// most <see cref="MaxDetailsLength"/> characters. <see langword="null"/> when it sent none.</summary>
    public string? Details { get; }

    /// <summary>The attributes the error names (<c>attrNames</c> of <c>E_UNIQUE</c>); empty when none.</summary>
    public IReadOnlyList<string> AttributeNames { get; }
}
