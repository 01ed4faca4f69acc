using System;

namespace SailSocket.Cli;

/// <summary>A command's URL split in two: the origin is the Sails server, the path and query the request route.</summary>
internal sealed record TargetUrl(Uri Origin, string Route)
{
    /// <summary>Parses <c>http://host:1337/pet?limit=2</c>; <c>ws</c>/<c>wss</c> are accepted too.</summary>
    /// <exception cref="UsageException">Not an absolute http, https, ws or wss URL.</exception>
    public static TargetUrl Parse(string text)
    {
        if (!Uri.TryCreate(text, UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https" or "ws" or "wss") || string.IsNullOrEmpty(url.Host))
        {
            // The URL itself is not echoed: its query may hold a token.
            throw new UsageException("URL must be an absolute http, https, ws or wss URL, e.g. http://127.0.0.1:1337/pet");
        }

        if (!string.IsNullOrEmpty(url.UserInfo))
        {
            throw new UsageException("URL must not hold user info; pass credentials with -H 'Authorization: ...'");
        }

        var origin = new Uri(url.GetLeftPart(UriPartial.Authority) + "/");
        return new TargetUrl(origin, url.PathAndQuery);
    }
}
