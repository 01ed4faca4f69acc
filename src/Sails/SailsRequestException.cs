using System;

namespace SailSocket;

/// <summary>
/// The server answered with an error status (below 200, or 400 and above, as in sails.io.js), raised by
/// <see cref="SailsResponse.EnsureSuccessStatusCode"/> and the typed request overloads; the blueprint resources raise the
/// more specific <see cref="Resources.SailsBlueprintException"/>.
/// </summary>
public class SailsRequestException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="response">The error response.</param>
    /// <param name="message">A description for people.</param>
    public SailsRequestException(SailsResponse response, string message)
        : base(message)
    {
        ArgumentNullException.ThrowIfNull(response);
        Response = response;
    }

    /// <summary>The response, with its status code, headers and body.</summary>
    public SailsResponse Response { get; }

    /// <summary>The status code of the response.</summary>
    public int StatusCode => Response.StatusCode;
}
