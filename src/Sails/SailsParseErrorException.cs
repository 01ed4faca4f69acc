using System;

namespace SailSocket;

/// <summary>
/// Sails could not parse the request (<c>SAILS:HOOK:SOCKETS:PARSE_VIRTUAL_REQ</c>, docs/protocol.md §5.3): it answered with
/// an error object instead of a response. sails.io.js shows this as a 200 with no body; SailSocket raises it.
/// </summary>
public sealed class SailsParseErrorException : Exception
{
    /// <summary>The error code Sails uses.</summary>
    public const string ErrorCode = "SAILS:HOOK:SOCKETS:PARSE_VIRTUAL_REQ";

    /// <summary>Creates the exception.</summary>
    /// <param name="details">The server's explanation (its <c>details</c> field).</param>
    public SailsParseErrorException(string details)
        : base($"Sails could not parse the request ({ErrorCode}): {details}")
    {
        Details = details;
    }

    /// <summary>The server's explanation, e.g. an SDK version it does not accept.</summary>
    public string Details { get; }
}
