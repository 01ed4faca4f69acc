using System;
using System.Collections.Generic;
using SailSocket.Engine;

namespace SailSocket.Protocol;

/// <summary>Checks made before anything is sent, so that the server never sees an envelope it would choke on (docs/protocol.md §5.3).</summary>
internal static class SailsRequestValidation
{
    public static string CheckUrl(string url)
    {
        ArgumentNullException.ThrowIfNull(url);
        if (url.Length == 0 || url[0] != '/')
        {
            throw new ArgumentException($"A Sails request URL is a path on the server starting with '/', like '/user?id=1'; got '{url}'.", nameof(url));
        }

        foreach (var c in url)
        {
            if (char.IsControl(c))
            {
                throw new ArgumentException("A Sails request URL cannot contain control characters.", nameof(url));
            }
        }

        return url;
    }

    public static void CheckHeaders(IEnumerable<KeyValuePair<string, string>> headers)
    {
        foreach (var (name, value) in headers)
        {
            HeaderValidation.ThrowIfInvalid(name, value);
        }
    }
}
