using System;
using System.Collections.Generic;
using System.Net;
using System.Text;
using System.Text.Json;

// Shared source (src/Shared), compiled into each assembly that needs it as its own internal type, in a namespace of
// that assembly: no assembly sees another's internals, and a test assembly that sees all three finds no duplicate name.
#if SAILSOCKET_ENGINE
namespace SailSocket.Engine;
#elif SAILSOCKET_SOCKETIO
namespace SailSocket.SocketIo.Internal;
#elif SAILSOCKET_SAILS
namespace SailSocket.Internal;
#elif SAILSOCKET_CLI
namespace SailSocket.Cli.Tracing;
#else
#error Define the assembly's SAILSOCKET_* constant (src/*/*.csproj).
#endif

/// <summary>
/// The one redaction rule: removes the credentials a client sent from text a server sent back, before that text goes
/// into an exception message. A refusal body, a Socket.IO CONNECT_ERROR message or a JWR error body may echo the
/// request's headers, cookies or query (a debugging proxy, an error page that dumps the request, a hostile server), and
/// exception messages end up in logs.
/// </summary>
/// <remarks>
/// <para>What is replaced by <see cref="Placeholder"/>, wherever it occurs in the text (ignoring case), as sent and also
/// URL-encoded, URL-decoded and JSON-escaped:</para>
/// <list type="bullet">
/// <item>the value of every header sent except the public ones (<c>Origin</c>, <c>User-Agent</c>, <c>Accept*</c>,
/// <c>Content-Type</c>, <c>Host</c>, <c>nosession</c> and the <c>__sails_io_sdk_*</c> metadata): <c>Authorization</c>,
/// <c>Cookie</c>, API keys, CSRF tokens and the like, whatever their names;</item>
/// <item>each cookie value of a <c>Cookie</c> header on its own, every cookie of the connection's cookie container, and
/// the credentials of an <c>Authorization</c> or <c>Proxy-Authorization</c> header without their scheme (<c>Bearer</c>,
/// <c>Basic</c>); for <c>Basic</c>, also the decoded <c>user:password</c> and the password alone;</item>
/// <item>the value of every query parameter except the Engine.IO ones (<c>EIO</c>, <c>transport</c>, <c>sid</c>,
/// <c>t</c>, <c>b64</c>) and the <c>__sails_io_sdk_*</c> metadata: a <c>token=</c> in the query is a credential;</item>
/// <item>every string in the Socket.IO CONNECT <c>auth</c> payload.</item>
/// </list>
/// <para>When the text was cut to a bound (<c>truncated</c>), a start of a secret of at least <see cref="MinimumLength"/>
/// characters at the end of the cut text is replaced too: a secret that crosses the cut leaks no characters.</para>
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
    /// <param name="truncated">Whether <paramref name="text"/> was cut to a bound: a secret's start at its end is replaced too.</param>
    /// <returns>The text without the credentials; <paramref name="text"/> itself when none occurs in it.</returns>
    public static string Redact(string text, IEnumerable<KeyValuePair<string, string>> headers, IEnumerable<KeyValuePair<string, string>> query, bool truncated = false)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(headers);
        ArgumentNullException.ThrowIfNull(query);
        if (text.Length < MinimumLength)
        {
            return text;
        }

        return new SecretSet().AddHeaders(headers).AddQuery(query).Redact(text, truncated);
    }
}

/// <summary>
/// The credentials of one connection or request, in every form <see cref="SecretRedaction"/> looks for, longest first.
/// Built, then only read: once built it is safe to share between threads (<see cref="With"/> copies).
/// </summary>
internal sealed class SecretSet
{
    private readonly List<string> _values;

    /// <summary>Creates an empty set.</summary>
    public SecretSet()
    {
        _values = [];
    }

    private SecretSet(List<string> values)
    {
        _values = values;
    }

    /// <summary>Whether the set holds no secret.</summary>
    public bool IsEmpty => _values.Count == 0;

    /// <summary>A copy of this set with the secrets of <paramref name="headers"/> added; this set is unchanged.</summary>
    /// <param name="headers">More headers, for example a request's own.</param>
    /// <returns>The new set.</returns>
    public SecretSet With(IEnumerable<KeyValuePair<string, string>>? headers) => new SecretSet([.. _values]).AddHeaders(headers);

    /// <summary>Adds the secrets of headers sent (see <see cref="SecretRedaction"/> for which).</summary>
    /// <param name="headers">The headers, or <see langword="null"/>.</param>
    /// <returns>This set.</returns>
    public SecretSet AddHeaders(IEnumerable<KeyValuePair<string, string>>? headers)
    {
        if (headers is not null)
        {
            foreach (var (name, value) in headers)
            {
                AddHeader(name, value);
            }
        }

        return this;
    }

    /// <summary>Adds the secrets of one header sent.</summary>
    /// <param name="name">The header name.</param>
    /// <param name="value">The value, or <see langword="null"/>.</param>
    /// <returns>This set.</returns>
    public SecretSet AddHeader(string name, string? value)
    {
        if (value is null || name is null || IsPublicHeader(name))
        {
            return this;
        }

        Add(value);
        if (name.Equals("Cookie", StringComparison.OrdinalIgnoreCase))
        {
            foreach (var pair in value.Split(';'))
            {
                var equals = pair.IndexOf('=', StringComparison.Ordinal);
                Add(equals < 0 ? pair.Trim() : pair[(equals + 1)..].Trim().Trim('"'));
            }
        }
        else if (name.Equals("Authorization", StringComparison.OrdinalIgnoreCase) || name.Equals("Proxy-Authorization", StringComparison.OrdinalIgnoreCase))
        {
            var space = value.IndexOf(' ', StringComparison.Ordinal);
            if (space > 0)
            {
                var credentials = value[(space + 1)..].Trim();
                Add(credentials);
                if (value.AsSpan(0, space).Equals("Basic", StringComparison.OrdinalIgnoreCase))
                {
                    AddBasic(credentials);
                }
            }
        }

        return this;
    }

    /// <summary>Adds the values of query parameters sent, except the Engine.IO ones and the SDK metadata.</summary>
    /// <param name="query">The query parameters, or <see langword="null"/>.</param>
    /// <returns>This set.</returns>
    public SecretSet AddQuery(IEnumerable<KeyValuePair<string, string>>? query)
    {
        if (query is not null)
        {
            foreach (var (name, value) in query)
            {
                if (value is not null && !IsEngineQuery(name))
                {
                    Add(value);
                }
            }
        }

        return this;
    }

    /// <summary>Adds the value of every cookie in a container.</summary>
    /// <param name="jar">The container, or <see langword="null"/>.</param>
    /// <returns>This set.</returns>
    public SecretSet AddCookies(CookieContainer? jar)
    {
        if (jar is not null && jar.Count > 0)
        {
            foreach (Cookie cookie in jar.GetAllCookies())
            {
                Add(cookie.Value);
            }
        }

        return this;
    }

    /// <summary>Adds every string of a JSON document (a Socket.IO <c>auth</c> payload); nothing when it is not JSON.</summary>
    /// <param name="json">The UTF-8 JSON.</param>
    /// <returns>This set.</returns>
    public SecretSet AddJsonStrings(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = 64 });
        try
        {
            while (reader.Read())
            {
                if (reader.TokenType == JsonTokenType.String)
                {
                    Add(reader.GetString()!);
                }
            }
        }
        catch (JsonException)
        {
            // Whatever was read so far is kept; the rest is not JSON the server could parse either.
        }

        return this;
    }

    /// <summary>Returns <paramref name="text"/> with every secret of this set replaced by <see cref="SecretRedaction.Placeholder"/>.</summary>
    /// <param name="text">Text from the server.</param>
    /// <param name="truncated">Whether the text was cut to a bound: a secret's start at its end is replaced too.</param>
    /// <returns>The text without the secrets; <paramref name="text"/> itself when none occurs in it.</returns>
    public string Redact(string text, bool truncated = false)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (_values.Count == 0 || text.Length < SecretRedaction.MinimumLength)
        {
            return text;
        }

        // Longest first: a cookie header is replaced whole before the cookie values inside it.
        foreach (var secret in _values)
        {
            if (text.Contains(secret, StringComparison.OrdinalIgnoreCase))
            {
                text = text.Replace(secret, SecretRedaction.Placeholder, StringComparison.OrdinalIgnoreCase);
            }
        }

        return truncated ? RedactCut(text) : text;
    }

    /// <summary>Replaces the start of a secret (at least the minimum length) that ends the text where it was cut.</summary>
    private string RedactCut(string text)
    {
        // A cut inside a multi-byte character decodes as U+FFFD: the secret's start is just before it.
        var end = text.Length;
        while (end > 0 && text[end - 1] == '\uFFFD')
        {
            end--;
        }

        var longest = 0;
        foreach (var secret in _values)
        {
            // The longest start of the secret that the text ends with; at most the secret less one character (a whole one
            // was replaced already), at least the minimum length.
            var most = Math.Min(secret.Length - 1, end);
            for (var length = most; length >= SecretRedaction.MinimumLength && length > longest; length--)
            {
                if (text.AsSpan(end - length, length).Equals(secret.AsSpan(0, length), StringComparison.OrdinalIgnoreCase))
                {
                    longest = length;
                    break;
                }
            }
        }

        return longest == 0 ? text : string.Concat(text.AsSpan(0, end - longest), SecretRedaction.Placeholder);
    }

    private void AddBasic(string credentials)
    {
        var bytes = new byte[(credentials.Length * 3 / 4) + 3];
        if (!Convert.TryFromBase64String(credentials, bytes, out var length))
        {
            return;
        }

        var decoded = Encoding.UTF8.GetString(bytes, 0, length);
        Add(decoded);
        var colon = decoded.IndexOf(':', StringComparison.Ordinal);
        if (colon >= 0)
        {
            Add(decoded[(colon + 1)..]);
        }
    }

    private void Add(string value)
    {
        AddOne(value);
        AddOne(Uri.EscapeDataString(value));
        AddOne(Uri.UnescapeDataString(value));
        AddOne(value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal));
    }

    private void AddOne(string value)
    {
        if (value.Length < SecretRedaction.MinimumLength)
        {
            return;
        }

        // Kept longest first; a value already held (in any case) is not added twice.
        var at = _values.Count;
        for (var i = 0; i < _values.Count; i++)
        {
            if (_values[i].Equals(value, StringComparison.OrdinalIgnoreCase))
            {
                return;
            }

            if (_values[i].Length < value.Length && at == _values.Count)
            {
                at = i;
            }
        }

        _values.Insert(at, value);
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
