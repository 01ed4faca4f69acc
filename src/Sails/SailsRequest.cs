using System;
using System.Collections.Generic;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using SailSocket.Protocol;

namespace SailSocket;

/// <summary>A virtual request to a Sails app: method, URL, headers and JSON data (sails.io.js <c>io.socket.request(…)</c>).</summary>
/// <example>
/// <code>
/// var request = new SailsRequest("post", "/pet") { Data = """{"name":"Rex"}"""u8.ToArray() };
/// request.Headers["x-trace"] = "abc";
/// var response = await socket.RequestAsync(request, cancellationToken);
/// </code>
/// </example>
public sealed class SailsRequest
{
    /// <summary>Creates a request.</summary>
    /// <param name="method">The method in any case: get, post, put, patch, delete, head or options.</param>
    /// <param name="url">The path on the server, starting with '/', query string included (e.g. <c>/pet?limit=2</c>).</param>
    /// <exception cref="ArgumentException">The method is not routed by Sails, or the URL is not a path.</exception>
    public SailsRequest(string method, string url)
    {
        Method = SailsMethods.Normalize(method);
        Url = SailsRequestValidation.CheckUrl(url);
    }

    /// <summary>The lower-case method (the Socket.IO event name).</summary>
    public string Method { get; }

    /// <summary>The path and query string.</summary>
    public string Url { get; }

    /// <summary>Request headers (case-insensitive names). They win over the socket's default headers of the same name.</summary>
    public IDictionary<string, string> Headers { get; } = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// Names of the socket's default headers (<see cref="SailsClientOptions.Headers"/>) not to send with this request
    /// (case-insensitive). A header set in <see cref="Headers"/> is sent whatever this says.
    /// </summary>
    public ISet<string> OmittedDefaultHeaders { get; } = new HashSet<string>(StringComparer.OrdinalIgnoreCase);

    /// <summary>The request data as UTF-8 JSON (an object, or an array); empty sends <c>{}</c>. Default empty.</summary>
    /// <remarks>Sails merges it into <c>req.body</c> for every method, and <c>req.param()</c> sees it.</remarks>
    public ReadOnlyMemory<byte> Data { get; set; }

    /// <summary>How long to wait for the response; <see langword="null"/> uses the socket's <see cref="SailsClientOptions.RequestTimeout"/>.</summary>
    public TimeSpan? Timeout { get; set; }

    /// <summary>Creates a request whose data is <paramref name="data"/> serialised with <paramref name="typeInfo"/>.</summary>
    /// <typeparam name="T">The data type.</typeparam>
    /// <param name="method">The method.</param>
    /// <param name="url">The path and query.</param>
    /// <param name="data">The data.</param>
    /// <param name="typeInfo">Serialization metadata (source-generated for AOT).</param>
    /// <returns>The request.</returns>
    /// <exception cref="ArgumentException">The method or URL is invalid.</exception>
    public static SailsRequest Create<T>(string method, string url, T data, JsonTypeInfo<T> typeInfo) =>
        new(method, url) { Data = JsonSerializer.SerializeToUtf8Bytes(data, typeInfo) };
}
