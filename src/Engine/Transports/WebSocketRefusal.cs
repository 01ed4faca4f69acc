using System;
using System.Buffers;
using System.Collections.Generic;
using System.Net.Http;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace SailSocket.Engine.Transports;

/// <summary>
/// Reads the body of a refused WebSocket handshake, which <see cref="System.Net.WebSockets.ClientWebSocket"/> does not
/// expose (it gives the status and headers only): a <c>beforeConnect</c> or <c>allowRequest</c> refusal explains itself
/// there (docs/protocol.md §2.9).
/// </summary>
/// <remarks>
/// The handshake is asked once more as a plain HTTP GET carrying the same upgrade, headers and cookies. Best effort and
/// bounded: at most <see cref="PollingTransport.MaxErrorBodyLength"/> bytes, within <see cref="Timeout"/> (and the
/// connect bound). Every credential the request carried is redacted (<see cref="SecretRedaction"/>): the body ends up in
/// an exception message.
/// </remarks>
internal static class WebSocketRefusal
{
    /// <summary>
    /// The bound on the second request: 2.5 seconds (on <see cref="EngineOptions.TimeProvider"/>), and never past the
    /// connect bound; the original refusal is reported either way. A refusal body comes at once or not at all: a server
    /// that holds it back only delays the error it already gave.
    /// </summary>
    internal static readonly TimeSpan Timeout = TimeSpan.FromSeconds(2.5);

    /// <summary>Asks the refused handshake <paramref name="uri"/> again over HTTP and reads the body of the error.</summary>
    /// <param name="options">The connection's options: headers, cookies and query sent with the handshake.</param>
    /// <param name="uri">The WebSocket handshake URL (<c>ws</c> or <c>wss</c>).</param>
    /// <param name="invoker">The shared HTTP handler, or <see langword="null"/> to use a short-lived one.</param>
    /// <param name="cancellationToken">The connect bound.</param>
    /// <returns>The redacted, trimmed body; <see langword="null"/> when it is empty, not an error, or could not be read.</returns>
    public static async Task<string?> ReadBodyAsync(EngineOptions options, Uri uri, HttpMessageInvoker? invoker, CancellationToken cancellationToken)
    {
        var http = EngineCookies.ToHttp(uri);
        var owned = invoker is null ? OwnedHttpHandler.Create(options, OwnedHttpHandler.Use.Refusal) : null;
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, http);
            var sent = new List<KeyValuePair<string, string>>(options.Headers.Count + 1);
            foreach (var (name, value) in options.Headers)
            {
                if (!string.Equals(name, "Cookie", StringComparison.OrdinalIgnoreCase))
                {
                    request.Headers.TryAddWithoutValidation(name, value);
                    sent.Add(new(name, value));
                }
            }

            if (EngineCookies.BuildHeader(options.Headers, options.Cookies, http) is { } cookie)
            {
                request.Headers.TryAddWithoutValidation("Cookie", cookie);
                sent.Add(new("Cookie", cookie));
            }

            // The same upgrade as the handshake, so that the server takes the same path and refuses it the same way.
            request.Headers.TryAddWithoutValidation("Connection", "Upgrade");
            request.Headers.TryAddWithoutValidation("Upgrade", "websocket");
            request.Headers.TryAddWithoutValidation("Sec-WebSocket-Version", "13");
            request.Headers.TryAddWithoutValidation("Sec-WebSocket-Key", Convert.ToBase64String(Guid.NewGuid().ToByteArray()));
            using var deadline = new CancellationTokenSource(Timeout, options.TimeProvider);
            using var bound = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
            using var response = await (owned ?? invoker!).SendAsync(request, bound.Token).ConfigureAwait(false);
            if ((int)response.StatusCode is < 400 or > 599)
            {
                return null;
            }

            var (body, length) = await PollingTransport.ReadBodyAsync(response, ArrayPool<byte>.Shared, PollingTransport.MaxErrorBodyLength, truncate: true, bound.Token).ConfigureAwait(false);
            string text;
            try
            {
                text = Encoding.UTF8.GetString(body, 0, length);
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(body);
            }

            // Redacted as cut: a secret crossing the cut loses its start too.
            sent.AddRange(options.RedactedHeaders);
            text = SecretRedaction.Redact(text, sent, options.Query, truncated: length >= PollingTransport.MaxErrorBodyLength).Trim();
            return text.Length == 0 ? null : text;
        }
#pragma warning disable CA1031 // Diagnostics only: the original refusal is reported whatever happens here.
        catch (Exception)
#pragma warning restore CA1031
        {
            return null;
        }
        finally
        {
            owned?.Dispose();
        }
    }
}
