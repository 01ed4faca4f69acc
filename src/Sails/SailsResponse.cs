using System;
using System.Collections.Generic;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using SailSocket.Internal;

namespace SailSocket;

/// <summary>A Sails response: the JSON WebSocket Response (JWR) the server sends as the ack of a request.</summary>
/// <remarks>
/// <para>Wire form (docs/protocol.md §4.4, §5.5): <c>{"body":…,"headers":{…},"statusCode":N}</c>. A missing status code
/// means 200 and a missing body means "no body", as in sails.io.js. Redirects are not followed.</para>
/// <para>Immutable; safe to share between threads. The body stays raw UTF-8 JSON until you read it.</para>
/// </remarks>
public sealed class SailsResponse
{
    /// <summary>The credentials of the requests of error responses (see <see cref="AttachSecrets"/>).</summary>
    private static readonly ConditionalWeakTable<SailsResponse, SecretSet> s_secrets = new();

    /// <summary>The JWR's ack arguments; <see cref="Body"/> and the raw headers are slices of it.</summary>
    private readonly ReadOnlyMemory<byte> _json;
    private readonly int _bodyStart;
    private readonly int _bodyLength;

    /// <summary>Where the non-empty <c>headers</c> object starts in <see cref="_json"/>, parsed on first use; -1 when there is none.</summary>
    private readonly int _headersStart;
    private IReadOnlyDictionary<string, string>? _headers;

    /// <summary>Creates a response from a read JWR (see <see cref="Protocol.JwrReader"/>); nothing is copied.</summary>
    /// <param name="statusCode">The status code.</param>
    /// <param name="json">The ack arguments the JWR was read from.</param>
    /// <param name="bodyStart">Where the body's JSON starts in <paramref name="json"/>.</param>
    /// <param name="bodyLength">Its length; 0 when there is no body.</param>
    /// <param name="headersStart">Where a non-empty, validated headers object starts in <paramref name="json"/>, or -1.</param>
    /// <param name="headers">The headers when already parsed, or <see langword="null"/> to parse them on first use.</param>
    /// <param name="attachments">The binary attachments.</param>
    /// <param name="requestMethod">The request's method.</param>
    /// <param name="requestUrl">The request's URL.</param>
    internal SailsResponse(int statusCode, ReadOnlyMemory<byte> json, int bodyStart, int bodyLength, int headersStart, IReadOnlyDictionary<string, string>? headers, IReadOnlyList<ReadOnlyMemory<byte>> attachments, string requestMethod, string requestUrl)
    {
        RequestMethod = requestMethod;
        RequestUrl = requestUrl;
        StatusCode = statusCode;
        _json = json;
        _bodyStart = bodyStart;
        _bodyLength = bodyLength;
        _headersStart = headersStart;
        _headers = headers;
        Attachments = attachments;
    }

    /// <summary>The method of the request this answers (lower case).</summary>
    public string RequestMethod { get; }

    /// <summary>The URL of the request this answers.</summary>
    public string RequestUrl { get; }

    /// <summary>The status code; 200 when the server sent none.</summary>
    public int StatusCode { get; }

    /// <summary>Whether <see cref="StatusCode"/> is in 200–299.</summary>
    public bool IsSuccessStatusCode => StatusCode is >= 200 and <= 299;

    /// <summary>The response headers the action set, with case-insensitive names. Non-string values appear as their JSON text.</summary>
    /// <remarks>Parsed from the raw JWR on first use (most callers never look), then kept.</remarks>
    public IReadOnlyDictionary<string, string> Headers => _headers ?? ParseHeaders();

    /// <summary>The body as raw UTF-8 JSON (object, array, string, number, <c>null</c>…); empty when the response had no body.</summary>
    /// <remarks>Binary values appear as <c>{"_placeholder":true,"num":k}</c>; their bytes are in <see cref="Attachments"/>.</remarks>
    public SailsJson Body => new(_json.Slice(_bodyStart, _bodyLength));

    /// <summary>Whether the response carried a body (an explicit JSON <c>null</c> counts as a body).</summary>
    public bool HasBody => _bodyLength != 0;

    /// <summary>Binary attachments of the body, in placeholder order; empty for ordinary JSON bodies.</summary>
    public IReadOnlyList<ReadOnlyMemory<byte>> Attachments { get; }

    /// <summary>
    /// Throws when the status code is an error: below 200, or 400 and above (the statuses sails.io.js reports as errors;
    /// redirects are not errors).
    /// </summary>
    /// <returns>This response, for chaining.</returns>
    /// <exception cref="SailsRequestException">The status code is an error; the exception carries the response.</exception>
    public SailsResponse EnsureSuccessStatusCode()
    {
        if (IsSuccessOrRedirect)
        {
            return this;
        }

        var what = RequestMethod.Length == 0 ? "The request" : SafeDescription.Request(RequestMethod, RequestUrl);
        var message = $"{what} failed with status {StatusCode}: {Summary(Body, SecretsOf(this))}";
        if (StatusCode == 403 && RequestMethod is not ("get" or "head" or "options" or ""))
        {
            message += " If the app has CSRF protection on (config/security.js), send a token for the socket's session in the \"x-csrf-token\" header: SailsHandshake.AddCsrfTokenAsync in ConfigureHandshake does it for every connection.";
        }

        throw new SailsRequestException(this, message);
    }

    /// <summary>Deserialises the body.</summary>
    /// <typeparam name="T">The body type.</typeparam>
    /// <param name="typeInfo">Serialization metadata (source-generated for AOT).</param>
    /// <returns>The body, or <see langword="default"/> when there is none or it is <c>null</c>.</returns>
    /// <exception cref="JsonException">The body does not match <typeparamref name="T"/>.</exception>
    public T? ReadBody<T>(JsonTypeInfo<T> typeInfo)
    {
        ArgumentNullException.ThrowIfNull(typeInfo);
        return Body.IsEmpty ? default : JsonSerializer.Deserialize(Body.Span, typeInfo);
    }

    /// <summary>Gets the body as text: the value of a JSON string body (e.g. <c>Not Found</c>), otherwise the raw JSON.</summary>
    /// <returns>The text, or <see langword="null"/> when there is no body.</returns>
    public string? ReadBodyAsString()
    {
        if (Body.IsEmpty)
        {
            return null;
        }

        return Body.Span[0] == (byte)'"'
            ? JsonSerializer.Deserialize(Body.Span, SailsJsonContext.Default.String)
            : Encoding.UTF8.GetString(Body.Span);
    }

    /// <summary>Parses the body into a <see cref="JsonElement"/> that stays valid on its own.</summary>
    /// <returns>The element; <see cref="JsonValueKind.Undefined"/> when there is no body.</returns>
    public JsonElement ReadBodyAsElement()
    {
        if (Body.IsEmpty)
        {
            return default;
        }

        using var document = JsonDocument.Parse(Body);
        return document.RootElement.Clone();
    }

    /// <summary>Gets the bytes of a body that is one binary value (an action that sent a Buffer).</summary>
    /// <param name="bytes">The bytes.</param>
    /// <returns>Whether the body is a single binary attachment.</returns>
    public bool TryGetBinaryBody(out ReadOnlyMemory<byte> bytes)
    {
        bytes = default;
        if (Attachments.Count == 0 || Body.IsEmpty || Body.Span[0] != (byte)'{')
        {
            return false;
        }

        var num = Protocol.JwrReader.ReadPlaceholderIndex(Body.Span);
        if (num < 0 || num >= Attachments.Count)
        {
            return false;
        }

        bytes = Attachments[num];
        return true;
    }

    private IReadOnlyDictionary<string, string> ParseHeaders()
    {
        var headers = _headersStart < 0 ? Protocol.JwrReader.NoHeaders : Protocol.JwrReader.ParseHeaders(_json.Span[_headersStart..]);

        // Immutable from the outside: two threads racing here parse the same text, and one result wins for both.
        return System.Threading.Interlocked.CompareExchange(ref _headers, headers, null) ?? headers;
    }

    /// <summary>A one-line summary: status and the start of the body.</summary>
    /// <returns>The summary.</returns>
    public override string ToString() => $"{StatusCode} {Summary(Body, SecretsOf(this))}";

    /// <summary>Whether the status is not an error: 200–399.</summary>
    internal bool IsSuccessOrRedirect => StatusCode is >= 200 and < 400;

    /// <summary>
    /// Gives an error response the credentials its request carried, redacted from its body wherever the body reaches
    /// text (<see cref="EnsureSuccessStatusCode"/>, <see cref="ToString"/>): a server may echo a request's API key or CSRF
    /// token in an error. Kept beside the response, not in it: a successful response stays as small as it was.
    /// </summary>
    /// <param name="secrets">The credentials.</param>
    internal void AttachSecrets(SecretSet secrets) => s_secrets.AddOrUpdate(this, secrets);

    /// <summary>The credentials of the request of an error response (<see cref="AttachSecrets"/>), or <see langword="null"/>.</summary>
    internal SecretSet? Secrets => SecretsOf(this);

    private static SecretSet? SecretsOf(SailsResponse response) => s_secrets.TryGetValue(response, out var secrets) ? secrets : null;

    private static string Summary(SailsJson body, SecretSet? secrets)
    {
        const int MaxBody = 200;
        if (body.IsEmpty)
        {
            return "(no body)";
        }

        var span = body.Span;
        var cut = Math.Min(span.Length, MaxBody);

        // Never split a UTF-8 sequence: back up over continuation bytes (10xxxxxx) to the start of the character.
        while (cut < span.Length && cut > 0 && (span[cut] & 0xC0) == 0x80)
        {
            cut--;
        }

        // Redacted as cut: a secret crossing the cut loses its start too.
        var text = Encoding.UTF8.GetString(span[..cut]);
        if (secrets is not null)
        {
            text = secrets.Redact(text, truncated: cut < span.Length);
        }

        return text + (cut < span.Length ? "…" : string.Empty);
    }
}
