using System;
using System.Text;

namespace SailSocket.Internal;

/// <summary>
/// How requests and servers are named in exception messages and diagnostics without what may be secret: a URL's user info
/// and query values (<c>?access_token=…</c>) never appear; paths and query parameter names do, to say which request it was.
/// </summary>
internal static class SafeDescription
{
    /// <summary><c>GET /user?id=…&amp;token=…</c>: the method, the path and the query's parameter names.</summary>
    public static string Request(string method, string url) => $"{method.ToUpperInvariant()} {Path(url)}";

    /// <summary>The request URL with every query value replaced by <c>…</c>; the fragment is dropped.</summary>
    public static string Path(string url)
    {
        var end = url.IndexOf('#', StringComparison.Ordinal);
        if (end >= 0)
        {
            url = url[..end];
        }

        var query = url.IndexOf('?', StringComparison.Ordinal);
        if (query < 0)
        {
            return url;
        }

        var text = new StringBuilder(url.Length).Append(url, 0, query + 1);
        var rest = url.AsSpan(query + 1);
        while (true)
        {
            var next = rest.IndexOf('&');
            var parameter = next < 0 ? rest : rest[..next];
            var equals = parameter.IndexOf('=');
            text.Append(equals < 0 ? parameter : parameter[..equals]);
            if (equals >= 0)
            {
                text.Append("=…");
            }

            if (next < 0)
            {
                break;
            }

            text.Append('&');
            rest = rest[(next + 1)..];
        }

        return text.ToString();
    }

    /// <summary><c>https://host:port</c>: the scheme and the authority, without user info, path or query.</summary>
    public static string Origin(Uri url) => url.IsAbsoluteUri ? $"{url.Scheme}://{url.Authority}" : "(a relative URL)";
}
