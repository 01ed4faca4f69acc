using System;
using System.Net.Http;
using System.Text.Json;
using SailSocket.Engine;
using SailSocket.Internal;
using SailSocket.SocketIo;

namespace SailSocket.Errors;

/// <summary>
/// The one map from the lower layers' failures (Engine.IO, Socket.IO, HTTP) to the Sails exceptions: connecting,
/// requests, and disconnect reasons. Nothing else in the Sails layer catches a lower-layer exception type.
/// </summary>
internal static class SailsErrors
{
    /// <summary>Maps the failure of one connection attempt.</summary>
    /// <param name="error">What the attempt threw.</param>
    /// <param name="url">The server (only its origin is named).</param>
    /// <param name="connectTimeout">The connect bound, for the timeout message.</param>
    /// <returns>A <see cref="SailsConnectionException"/> or <see cref="SailsTimeoutException"/>, or <paramref name="error"/> itself.</returns>
    public static Exception Connect(Exception error, Uri url, TimeSpan connectTimeout)
    {
        var where = SafeDescription.Origin(url);
        return error switch
        {
            EngineConnectionException { Error: EngineConnectionError.HandshakeRefused } refused => Refused(refused, where),
            EngineConnectionException engine => new SailsConnectionException($"Could not connect to the Sails server at {where}: {engine.Message}", engine, engine.HttpStatusCode),
            SailsConnectionException => error,
            EngineTimeoutException or SocketIoTimeoutException => new SailsTimeoutException($"Connecting to the Sails server at {where} took longer than {connectTimeout.TotalSeconds:0.###} s (ConnectTimeout).", error),
            SocketIoConnectException or SocketIoDisconnectedException => new SailsConnectionException($"Could not connect to the Sails server at {where}: {error.Message}", error),
            HttpRequestException => new SailsConnectionException($"Could not fetch the session cookie from {where}: {error.Message}", error),

            // HttpClient.Timeout (the client's HttpClient has ConnectTimeout) on the cookie route: a TaskCanceledException
            // with a TimeoutException inside, not the caller's or the loop's token (the loop catches its own before this).
            OperationCanceledException { InnerException: TimeoutException } => new SailsTimeoutException($"The session cookie route of the Sails server at {where} did not answer within {connectTimeout.TotalSeconds:0.###} s (ConnectTimeout).", error),
            _ => error,
        };
    }

    /// <summary>
    /// A refused handshake: <c>beforeConnect</c> and <c>onlyAllowOrigins</c> explain themselves in the body of the refusal
    /// (docs/protocol.md §2.9), which the Engine layer reads, bounded and redacted.
    /// </summary>
    private static SailsConnectionException Refused(EngineConnectionException refused, string where)
    {
        if (refused.HttpStatusCode is null or (>= 300 and < 400))
        {
            // A redirect is not followed (Socket.IO clients do not): the Engine layer names the 3xx and its target's
            // origin. No status: not an HTTP refusal (a revision-3-only server answering a revision-4 handshake), which
            // the Engine layer names too; "HTTP ." and the beforeConnect hint would mislead.
            return new SailsConnectionException($"The Sails server at {where} did not accept the handshake: {refused.Message}", refused, refused.HttpStatusCode);
        }

        var reason = string.IsNullOrWhiteSpace(refused.HttpResponseBody) ? null : refused.HttpResponseBody.Trim();
        return new SailsConnectionException(
            $"The Sails server at {where} refused the handshake with HTTP {refused.HttpStatusCode}"
            + (reason is null ? "." : $": {reason}") + RefusalHint(refused.HttpStatusCode.Value, reason),
            refused,
            refused.HttpStatusCode,
            serverMessage: reason);
    }

    /// <summary>
    /// What to check, from the Engine.IO error code a refusal carries (<c>{"code":0,"message":"Transport unknown"}</c>,
    /// docs/protocol.md §2.9) or its status; the text is a hint only, the body itself is in the message.
    /// </summary>
    private static string RefusalHint(int status, string? reason)
    {
        if (reason is not null && reason.Contains("Transport unknown", StringComparison.Ordinal))
        {
            return " (the server does not offer this transport: compare SailsClientOptions.Transports with sails.config.sockets.transports)";
        }

        if (reason is not null && reason.Contains("Unsupported protocol version", StringComparison.Ordinal))
        {
            return " (the server speaks another Engine.IO revision: see SailsClientOptions.Revision)";
        }

        return status == 404
            ? " (no Socket.IO server at this path: check SailsClientOptions.Path, default /socket.io/)"
            : " (beforeConnect, onlyAllowOrigins, or a path that is not Socket.IO's?)";
    }

    /// <summary>Maps the failure of a request sent on a connection.</summary>
    /// <param name="error">What the Socket.IO emit threw.</param>
    /// <param name="method">The request's method.</param>
    /// <param name="url">The request's URL (only its path is named).</param>
    /// <param name="timeout">The request's timeout, for the timeout message.</param>
    /// <returns>The Sails exception, or <see langword="null"/> when <paramref name="error"/> is not a lower-layer failure.</returns>
    public static Exception? Request(Exception error, string method, string url, TimeSpan timeout)
    {
        var request = SafeDescription.Request(method, url);
        return error switch
        {
            SocketIoTimeoutException => new SailsTimeoutException($"No response to {request} within {timeout.TotalMilliseconds:0} ms. The server may still process it.", error),
            SocketIoDisconnectedException { AfterSend: true } => new SailsRequestInterruptedException($"{request} was sent, then the connection ended before its response: the server may or may not have processed it. ({error.Message})", error),
            SocketIoDisconnectedException => NotSent(method, url, error),
            SocketIoAckLimitException limit => new SailsLimitExceededException($"{request} was refused: {limit.Limit} requests already wait for their responses (SailsClientOptions.MaxPendingRequests); nothing was sent.", nameof(SailsClientOptions.MaxPendingRequests), limit.Limit, error),
            SocketIoProtocolException => new SailsProtocolException($"The response to {request} is malformed: {error.Message}", error),
            SocketIoMessageTooLargeException => new ArgumentException($"{request} was not sent: {error.Message}", error),
            JsonException or NotSupportedException => new ArgumentException($"The data of {request} could not be serialised: {error.Message}", error),
            _ => null,
        };
    }

    /// <summary>A request that never reached the wire because its connection had ended.</summary>
    public static SailsConnectionException NotSent(string method, string url, Exception error) =>
        new($"{SafeDescription.Request(method, url)} was not sent: the connection had ended. ({error.Message})", error);

    /// <summary>Whether a connection lost for <paramref name="reason"/> is worth reconnecting (not a deliberate disconnect).</summary>
    public static bool IsReconnectable(SocketIoDisconnectedException reason) =>
        reason.Reason is SocketIoDisconnectReason.TransportClose or SocketIoDisconnectReason.PingTimeout or SocketIoDisconnectReason.ProtocolError;

    /// <summary>Why a connection ended, in the Sails vocabulary.</summary>
    public static SailsDisconnectReason Disconnect(SocketIoDisconnectedException exception) => exception.Reason switch
    {
        SocketIoDisconnectReason.ClientDisconnect => SailsDisconnectReason.ClientDisconnect,
        SocketIoDisconnectReason.ServerDisconnect => SailsDisconnectReason.ServerDisconnect,
        SocketIoDisconnectReason.PingTimeout => SailsDisconnectReason.PingTimeout,
        SocketIoDisconnectReason.ProtocolError => SailsDisconnectReason.ProtocolError,
        _ => SailsDisconnectReason.TransportClose,
    };
}
