using System;

namespace SailSocket.Protocol;

/// <summary>The request methods a Sails server routes over sockets: lower-case event names (docs/protocol.md §5.2).</summary>
public static class SailsMethods
{
    /// <summary><c>get</c></summary>
    public const string Get = "get";

    /// <summary><c>post</c></summary>
    public const string Post = "post";

    /// <summary><c>put</c></summary>
    public const string Put = "put";

    /// <summary><c>patch</c></summary>
    public const string Patch = "patch";

    /// <summary><c>delete</c></summary>
    public const string Delete = "delete";

    /// <summary><c>head</c></summary>
    public const string Head = "head";

    /// <summary><c>options</c></summary>
    public const string Options = "options";

    /// <summary>Maps a method name in any case to the lower-case name the server listens for.</summary>
    /// <param name="method">The method, e.g. <c>GET</c> or <c>post</c>.</param>
    /// <returns>The interned lower-case name.</returns>
    /// <exception cref="ArgumentException">Sails does not route this method over sockets (the server would never answer).</exception>
    public static string Normalize(string method)
    {
        ArgumentNullException.ThrowIfNull(method);
        foreach (var known in (ReadOnlySpan<string>)[Get, Post, Put, Patch, Delete, Head, Options])
        {
            if (string.Equals(method, known, StringComparison.OrdinalIgnoreCase))
            {
                return known;
            }
        }

        throw new ArgumentException($"Sails routes only get, post, put, patch, delete, head and options over sockets; '{method}' would never be answered.", nameof(method));
    }
}
