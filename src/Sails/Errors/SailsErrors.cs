using System;
using System.Collections.Generic;
using System.Net.Http;
using System.Text;
using System.Text.Json;
using SailSocket.Engine;
using SailSocket.Internal;
using SailSocket.Resources;
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

    /// <summary>
    /// Maps a blueprint's error response (docs/blueprints.md, "Errors"): a Waterline usage error
    /// <c>{"code":"E_INVALID_NEW_RECORD","details":…,"message":…}</c>, a unique violation
    /// <c>{"code":"E_UNIQUE","attrNames":[…],…}</c>, a 404 <c>Not Found</c>, a 5xx.
    /// </summary>
    /// <param name="response">The error response.</param>
    /// <param name="model">The model identity.</param>
    /// <param name="sent">The strings the request carried (criteria and record values): redacted from the details too.</param>
    /// <returns>The exception.</returns>
    public static SailsBlueprintException Blueprint(SailsResponse response, string model, SecretSet? sent)
    {
        string? code = null, details = null, message = null;
        List<string>? attributes = null;
        var body = response.Body.Span;
        if (!body.IsEmpty)
        {
            try
            {
                var reader = new Utf8JsonReader(body, new JsonReaderOptions { MaxDepth = 64 });
                reader.Read();
                if (reader.TokenType == JsonTokenType.String)
                {
                    details = reader.GetString();
                }
                else if (reader.TokenType == JsonTokenType.StartObject)
                {
                    while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                    {
                        if (reader.ValueTextEquals("code"u8) && reader.Read() && reader.TokenType == JsonTokenType.String)
                        {
                            code = Bounded(reader.GetString()!, 64);
                        }
                        else if (reader.ValueTextEquals("details"u8) && reader.Read() && reader.TokenType == JsonTokenType.String)
                        {
                            details = reader.GetString();
                        }
                        else if (reader.ValueTextEquals("message"u8) && reader.Read() && reader.TokenType == JsonTokenType.String)
                        {
                            message = reader.GetString();
                        }
                        else if (reader.ValueTextEquals("attrNames"u8) && reader.Read() && reader.TokenType == JsonTokenType.StartArray)
                        {
                            attributes = [];
                            while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                            {
                                if (reader.TokenType == JsonTokenType.String && attributes.Count < 32)
                                {
                                    attributes.Add(Bounded(reader.GetString()!, 128));
                                }
                                else
                                {
                                    reader.Skip();
                                }
                            }
                        }
                        else
                        {
                            reader.Read();
                            reader.Skip();
                        }
                    }
                }
            }
            catch (JsonException)
            {
                // Not JSON (or cut): what was read so far stands; the raw body is still in the response.
            }
        }

        var secrets = response.Secrets;
        details ??= message;
        if (details is not null)
        {
            var truncated = details.Length > SailsBlueprintException.MaxDetailsLength;
            details = truncated ? details[..SailsBlueprintException.MaxDetailsLength] : details;
            details = secrets?.Redact(details, truncated) ?? details;
            details = sent?.Redact(details, truncated) ?? details;
            details += truncated ? "…" : string.Empty;
        }

        if (code is not null)
        {
            code = sent?.Redact(secrets?.Redact(code) ?? code) ?? code;
        }

        var status = response.StatusCode;
        var kind = code == "E_UNIQUE" ? SailsBlueprintErrorKind.UniqueViolation
            : status == 404 ? SailsBlueprintErrorKind.NotFound
            : status >= 500 ? SailsBlueprintErrorKind.ServerError
            : status == 400 && code is not null && code.StartsWith("E_", StringComparison.Ordinal) ? SailsBlueprintErrorKind.InvalidRequest
            : SailsBlueprintErrorKind.Other;

        var text = new StringBuilder()
            .Append(response.RequestMethod.Length == 0 ? "The request" : SafeDescription.Request(response.RequestMethod, response.RequestUrl))
            .Append(" on the '").Append(model).Append("' blueprint failed with status ").Append(status);
        if (code is not null)
        {
            text.Append(" (").Append(code).Append(')');
        }

        if (attributes is { Count: > 0 })
        {
            text.Append(" on ").AppendJoin(", ", attributes);
        }

        text.Append(details is null ? "." : ": " + details);
        return new SailsBlueprintException(response, text.ToString(), model, kind, code, details, attributes);
    }

    private static string Bounded(string text, int length) => text.Length <= length ? text : text[..length] + "…";

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
