using System;
using System.Collections.Generic;

namespace SailSocket;

/// <summary>
/// What one connection attempt sends with its handshake, handed to <see cref="SailsClientOptions.ConfigureHandshake"/>
/// before every attempt so that it can be changed: a token that expires is refreshed on reconnect.
/// </summary>
public sealed class SailsHandshake
{
    internal SailsHandshake(List<KeyValuePair<string, string>> headers, List<KeyValuePair<string, string>> query, int attempt)
    {
        Headers = headers;
        Query = query;
        Attempt = attempt;
    }

    /// <summary>The HTTP headers of the handshake, starting with the configured initial connection headers.</summary>
    public IList<KeyValuePair<string, string>> Headers { get; }

    /// <summary>The query parameters of the handshake, starting with the configured ones (the SDK metadata is added after).</summary>
    public IList<KeyValuePair<string, string>> Query { get; }

    /// <summary>The Socket.IO CONNECT auth payload (a UTF-8 JSON object), visible to the app as <c>socket.handshake.auth</c>. Default empty.</summary>
    public ReadOnlyMemory<byte> Auth { get; set; }

    /// <summary>The attempt number: 0 for the first connect, then 1, 2, … for reconnection attempts.</summary>
    public int Attempt { get; }
}
