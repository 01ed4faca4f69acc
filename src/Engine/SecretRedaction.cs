using System;
using System.Collections.Generic;

namespace SailSocket.Engine;

/// <summary>
/// Removes the credentials a client sent from text a server sent back, before that text goes into an exception message
/// or property: a refusal body may echo the request's headers or query (a debugging proxy, an error page that dumps the
/// request), and exception messages end up in logs.
/// </summary>
/// <remarks>
/// <para>What is replaced by <see cref="Placeholder"/>, wherever it occurs in the text, as sent and also URL-encoded or
/// URL-decoded:</para>
/// <list type="bullet">
/// <item>the value of every header sent except the public ones (<c>Origin</c>, <c>User-Agent</c>, <c>Accept*</c>,
/// <c>Content-Type</c>, <c>Host</c>, <c>nosession</c> and the <c>__sails_io_sdk_*</c> metadata): <c>Authorization</c>,
/// <c>Cookie</c>, API keys and the like, whatever their names;</item>
/// <item>each cookie value of a <c>Cookie</c> header on its own, and the credentials of an <c>Authorization</c> or
/// <c>Proxy-Authorization</c> header without their scheme (<c>Bearer</c>, <c>Basic</c>);</item>
/// <item>the value of every query parameter except the Engine.IO ones (<c>EIO</c>, <c>transport</c>, <c>sid</c>,
/// <c>t</c>, <c>b64</c>) and the <c>__sails_io_sdk_*</c> metadata: a <c>token=</c> in the query is a credential.</item>
/// </list>
/// <para>Values shorter than <see cref="MinimumLength"/> characters are left alone: they cannot be told apart from
/// ordinary words in the text, and a credential is never that short.</para>
/// </remarks>
internal static class SecretRedaction
{
    /// <summary>What a removed value is replaced with: <c>[redacted]</c>.</summary>
    public const string Placeholder = "[redacted]";

    /// <summary>The shortest value that is redacted: 4 characters.</summary>
    public const int MinimumLength = 4;

    /// <summary>Returns <paramref name="text"/> with every credential among <paramref name="headers"/> and <paramref name="query"/> replaced.</summary>
    /// <param name="text">Text from the server, for example an HTTP error body.</param>
    /// <param name="headers">The headers the request carried (including its <c>Cookie</c> header).</param>
    /// <param name="query">The query parameters the request carried.</param>
    /// <returns>The text without the credentials; <paramref name="text"/> itself when none occurs in it.</returns>
    public static string Redact(string text, IEnumerable<KeyValuePair<string, string>> headers, IEnumerable<KeyValuePair<string, string>> query)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(headers);
        ArgumentNullException.ThrowIfNull(query);
        if (text.Length < MinimumLength)
        {
            return text;
        }

        var secrets = new List<string>();
        foreach (var (name, value) in headers)
        {
            if (value is null || IsPublicHeader(name))
            {
                continue;
            }

            Add(secrets, value);
            if (name.Equals("Cookie", StringComparison.OrdinalIgnoreCase))
            {
                foreach (var pair in value.Split(';'))
                {
                    var equals = pair.IndexOf('=', StringComparison.Ordinal);
                    Add(secrets, equals < 0 ? pair.Trim() : pair[(equals + 1)..].Trim().Trim('"'));
                }
            }
            else if (name.Equals("Authorization", StringComparison.OrdinalIgnoreCase) || name.Equals("Proxy-Authorization", StringComparison.OrdinalIgnoreCase))
            {
                var space = value.IndexOf(' ', StringComparison.Ordinal);
                if (space > 0)
                {
                    Add(secrets, value[(space + 1)..].Trim());
                }
            }
        }

        foreach (var (name, value) in query)
        {
            if (value is not null && !IsEngineQuery(name))
            {
                Add(secrets, value);
            }
        }

        if (secrets.Count == 0)
        {
            return text;
        }

        // Longest first: a cookie header is replaced whole before the cookie values inside it.
        secrets.Sort((a, b) => b.Length.CompareTo(a.Length));
        foreach (var secret in secrets)
        {
            text = text.Replace(secret, Placeholder, StringComparison.Ordinal);
        }

        return text;
    }

    private static void Add(List<string> secrets, string value)
    {
        AddOne(secrets, value);
        AddOne(secrets, Uri.EscapeDataString(value));
        AddOne(secrets, Uri.UnescapeDataString(value));
    }

    private static void AddOne(List<string> secrets, string value)
    {
        if (value.Length >= MinimumLength && !secrets.Contains(value))
        {
            secrets.Add(value);
        }
    }

    private static bool IsPublicHeader(string name) =>
        name.Equals("Origin", StringComparison.OrdinalIgnoreCase)
        || name.Equals("User-Agent", StringComparison.OrdinalIgnoreCase)
        || name.StartsWith("Accept", StringComparison.OrdinalIgnoreCase)
        || name.Equals("Content-Type", StringComparison.OrdinalIgnoreCase)
        || name.Equals("Host", StringComparison.OrdinalIgnoreCase)
        || name.Equals("nosession", StringComparison.OrdinalIgnoreCase)
        || name.StartsWith("__sails_io_sdk_", StringComparison.OrdinalIgnoreCase);

    private static bool IsEngineQuery(string name) =>
        name is "EIO" or "transport" or "sid" or "t" or "b64"
        || name.StartsWith("__sails_io_sdk_", StringComparison.OrdinalIgnoreCase);
}
