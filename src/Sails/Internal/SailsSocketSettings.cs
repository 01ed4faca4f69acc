using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using SailSocket.Engine;
using SailSocket.Protocol;

namespace SailSocket;

/// <summary>The settings of one socket: its <see cref="SailsSocketOptions"/> over the client's defaults, checked once.</summary>
internal sealed record SailsSocketSettings(
    Uri Url,
    IReadOnlyList<KeyValuePair<string, string>> Query,
    IReadOnlyList<KeyValuePair<string, string>> InitialConnectionHeaders,
    Dictionary<string, string> Headers,
    TimeSpan ConnectTimeout,
    TimeSpan RequestTimeout,
    bool AutoConnect,
    SailsReconnectionOptions Reconnection,
    bool NoSession,
    Func<SailsHandshake, CancellationToken, ValueTask>? ConfigureHandshake,
    EngineTransports Transports,
    EngineRevisionSelection Revision,
    System.Net.CookieContainer? Cookies = null)
{
    public static SailsSocketSettings Resolve(SailsClientOptions client, SailsSocketOptions socket)
    {
        var url = socket.Url ?? client.Url
            ?? throw new ArgumentException("No server URL: set SailsClientOptions.Url, or pass a URL to ConnectAsync.", nameof(socket));
        SailsSocketOptions.CheckUrl(url, nameof(socket.Url));
        var initialHeaders = socket.InitialConnectionHeaders ?? client.InitialConnectionHeaders;
        var headers = socket.Headers ?? client.Headers;
        SailsRequestValidation.CheckHeaders(initialHeaders);
        SailsRequestValidation.CheckHeaders(headers);
        var connectTimeout = socket.ConnectTimeout ?? client.ConnectTimeout;
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(connectTimeout, TimeSpan.Zero, nameof(socket.ConnectTimeout));
        var requestTimeout = socket.RequestTimeout ?? client.RequestTimeout;
        SailsSocketOptions.CheckRequestTimeout(requestTimeout, nameof(socket.RequestTimeout));

        var query = socket.Query ?? client.Query;
        var reconnection = socket.Reconnection ?? client.Reconnection;
        reconnection.Validate();

        // Copied once into a concrete, case-insensitive dictionary: merged into every request without allocating.
        var defaultHeaders = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, value) in headers)
        {
            defaultHeaders[name] = value;
        }

        return new SailsSocketSettings(
            url,
            query,
            initialHeaders,
            defaultHeaders,
            connectTimeout,
            requestTimeout,
            socket.AutoConnect ?? client.AutoConnect,
            reconnection,
            socket.NoSession ?? client.NoSession,
            socket.ConfigureHandshake ?? client.ConfigureHandshake,
            socket.Transports ?? client.Transports,
            socket.Revision ?? client.Revision,
            socket.Cookies);
    }
}
