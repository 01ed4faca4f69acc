using System;
using System.Collections.Generic;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace SailSocket.Testing;

/// <summary>
/// A Sails request as the fake server received it: the virtual request Sails builds from the envelope
/// (docs/protocol.md §5.4), plus the route parameters and the socket it came from.
/// </summary>
/// <remarks>Immutable; safe to read from any thread. <see cref="ToString"/> shows the method and path only, never the query.</remarks>
public sealed class FakeRequest
{
    internal FakeRequest(
        string method,
        string url,
        string path,
        IReadOnlyDictionary<string, string> query,
        IReadOnlyDictionary<string, string> headers,
        JsonElement body,
        FakeSocket socket,
        DateTimeOffset receivedAt)
    {
        Method = method;
        Url = url;
        Path = path;
        Query = query;
        Headers = headers;
        Body = body;
        Socket = socket;
        ReceivedAt = receivedAt;
    }

    /// <summary>The method in upper case (<c>GET</c>, <c>POST</c>, …): the Socket.IO event name, as Sails reads it.</summary>
    public string Method { get; }

    /// <summary>The URL as the client sent it, query string included.</summary>
    public string Url { get; }

    /// <summary>The path part of <see cref="Url"/>.</summary>
    public string Path { get; }

    /// <summary>The query string of <see cref="Url"/>, decoded; values are strings, as in Sails' <c>req.query</c>.</summary>
    public IReadOnlyDictionary<string, string> Query { get; }

    /// <summary>The values of the matched route's <c>:name</c> segments, URL-decoded; empty when no route matched.</summary>
    public IReadOnlyDictionary<string, string> Params { get; internal init; } = new Dictionary<string, string>();

    /// <summary>The envelope's headers, names in lower case (Sails' <c>req.headers</c>), compared case-insensitively.</summary>
    public IReadOnlyDictionary<string, string> Headers { get; }

    /// <summary>The envelope's <c>data</c> (any JSON value), or a value of kind <see cref="JsonValueKind.Undefined"/> when it had none.</summary>
    public JsonElement Body { get; }

    /// <summary>The socket that sent the request: join it to a room from a handler to model a Sails subscription.</summary>
    public FakeSocket Socket { get; }

    /// <summary>The socket id (<see cref="FakeSocket.Id"/>), what Sails' <c>sails.sockets.getId(req)</c> returns.</summary>
    public string SocketId => Socket.Id;

    /// <summary>When the request arrived, on the server's <see cref="FakeSailsServerOptions.TimeProvider"/>.</summary>
    public DateTimeOffset ReceivedAt { get; }

    /// <summary>The path of the route that answered, as registered, or <see langword="null"/> when none matched (a 404).</summary>
    public string? RoutePath { get; internal init; }

    /// <summary>Deserializes <see cref="Body"/> (trimming- and AOT-safe through <paramref name="typeInfo"/>).</summary>
    /// <exception cref="JsonException">The body does not fit <typeparamref name="T"/>.</exception>
    public T? ReadBody<T>(JsonTypeInfo<T> typeInfo)
    {
        ArgumentNullException.ThrowIfNull(typeInfo);
        return Body.ValueKind == JsonValueKind.Undefined ? default : Body.Deserialize(typeInfo);
    }

    /// <summary>The method and path, e.g. <c>GET /user/7</c> (the query is left out: it may carry secrets).</summary>
    public override string ToString() => $"{Method} {Path}";
}
