using System.Collections.Concurrent;
using System.Diagnostics.Tracing;
using System.Text;
using SailSocket.Engine;

namespace SailSocket.IntegrationTests.Security;

/// <summary>
/// The redaction rule on every path server text takes (issue 14, point 3): a scripted Engine.IO polling server that
/// echoes every credential the client sent — handshake cookie, Basic credentials (decoded), query token, and the
/// default request header <c>x-api-key</c> that only travels inside JWRs — in a refused handshake, a CONNECT_ERROR, a
/// JWR error body and the HTTP error that ends the session. No secret may appear in an exception's
/// <see cref="Exception.ToString"/>, an event argument, the EventSource, or the <c>ToString</c> of the public types.
/// </summary>
public sealed class SecretEveryPathTests
{
    private const string ApiKey = "Ak9z-default-request-key";
    private const string CookieValue = "Ck2y-handshake-cookie";
    private const string QueryToken = "Qt4x-handshake-query-token";
    private const string BasicPassword = "Bp6w-basic-password";

    private static readonly string[] s_secrets = [ApiKey, CookieValue, QueryToken, "admin:" + BasicPassword, BasicPassword];

    private static readonly string s_echo = "you sent: " + string.Join(" ", s_secrets);

    public enum Path
    {
        RefusedHandshake,
        ConnectError,
        SessionEndedByHttpError,
    }

    [Theory]
    [InlineData(Path.RefusedHandshake)]
    [InlineData(Path.ConnectError)]
    [InlineData(Path.SessionEndedByHttpError)]
    public async Task No_secret_reaches_an_exception_an_event_or_the_event_source(Path path)
    {
        using var events = new SailSocketEventListener();
        var texts = new ConcurrentQueue<string>();
        var polls = 0;
        var sawApiKey = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var sawConnect = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var server = new RawHttpServer(async (request, stream, ct) =>
        {
            var isPost = request.Head.StartsWith("POST", StringComparison.Ordinal);
            if (!request.Path.Contains("sid=", StringComparison.Ordinal))
            {
                // The handshake: refused with the echo, or opened.
                await (path == Path.RefusedHandshake
                    ? Answer(stream, 403, s_echo, ct)
                    : Answer(stream, 200, "0{\"sid\":\"s1\",\"upgrades\":[],\"pingInterval\":60000,\"pingTimeout\":60000,\"maxPayload\":1000000}", ct));
                return;
            }

            if (isPost)
            {
                var body = await ReadBodyAsync(stream, request.Head, ct);
                if (body.Contains(ApiKey, StringComparison.Ordinal))
                {
                    sawApiKey.TrySetResult();
                }

                if (body.Split('\u001e').Any(static packet => packet.StartsWith("40", StringComparison.Ordinal)))
                {
                    sawConnect.TrySetResult();
                }

                await Answer(stream, 200, "ok", ct);
                return;
            }

            switch (Interlocked.Increment(ref polls))
            {
                case 1 when path == Path.ConnectError:
                    // As a real server does: the namespace's CONNECT_ERROR answers its CONNECT. (The first poll can arrive
                    // before the client's CONNECT; a 44 sent then would be for a namespace the client is not joining yet.)
                    await sawConnect.Task.WaitAsync(ct);
                    await Answer(stream, 200, "44{\"message\":\"" + s_echo + "\"}", ct);
                    return;
                case 1:
                    await Answer(stream, 200, "40{\"sid\":\"io1\"}", ct);
                    return;
                default:
                    // The server has seen a JWR (with x-api-key inside) and ends the session with an HTTP error echoing all.
                    await sawApiKey.Task.WaitAsync(ct);
                    await Answer(stream, 400, s_echo, ct);
                    return;
            }
        });

        await using var client = new SailsClient(new SailsClientOptions
        {
            Url = server.Url,
            Transports = EngineTransports.Polling,
            ConnectTimeout = TimeSpan.FromSeconds(30),
            RequestTimeout = TimeSpan.FromSeconds(30),
            Headers = new Dictionary<string, string> { ["x-api-key"] = ApiKey },
            InitialConnectionHeaders =
            [
                new("Cookie", "sails.sid=" + CookieValue),
                new("Authorization", "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("admin:" + BasicPassword))),
            ],
            Query = [new("token", QueryToken)],
        });
        await using var socket = client.CreateSocket();
        socket.ConnectError += (_, e) => texts.Enqueue($"ConnectError {e.Attempt} {e.Exception}");
        socket.Disconnected += (_, e) => texts.Enqueue($"Disconnected {e.Reason} {e.Exception}");
        var disconnected = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        socket.Disconnected += (_, _) => disconnected.TrySetResult();

        if (path == Path.SessionEndedByHttpError)
        {
            await socket.ConnectAsync(Bound.Seconds(40)).Within(50);
            var request = new SailsRequest("get", "/thing");
            texts.Enqueue(request.ToString()!);
            var failed = await Assert.ThrowsAnyAsync<SailsConnectionException>(() => socket.RequestAsync(request, Bound.Seconds(40)).AsTask()).Within(50);
            texts.Enqueue(failed.ToString());
            await disconnected.Task.Within(30);
        }
        else
        {
            var error = await Assert.ThrowsAsync<SailsConnectionException>(() => socket.ConnectAsync(Bound.Seconds(40))).Within(50);
            texts.Enqueue(error.ToString());
            texts.Enqueue(error.ServerMessage ?? string.Empty);
            await Bound.Until(() => texts.Any(t => t.StartsWith("ConnectError", StringComparison.Ordinal)), 30);
        }

        // The server's text did arrive: the redaction is what keeps the secrets out.
        var all = string.Join("\n", texts) + "\n" + events.Text;
        Assert.Contains("you sent: ", all, StringComparison.Ordinal);
        Assert.Contains("[redacted]", all, StringComparison.Ordinal);
        foreach (var secret in s_secrets)
        {
            Assert.DoesNotContain(secret, all, StringComparison.Ordinal);
        }
    }

    private static Task Answer(Stream stream, int status, string body, CancellationToken ct)
    {
        var bytes = Encoding.UTF8.GetByteCount(body);
        return RawHttpServer.WriteHeadAsync((System.Net.Sockets.NetworkStream)stream, $"HTTP/1.1 {status} X\r\nContent-Type: text/plain; charset=UTF-8\r\nContent-Length: {bytes}\r\nConnection: close\r\n\r\n{body}", ct);
    }

    /// <summary>The POST body: what followed the head in the first read, then the rest up to Content-Length.</summary>
    private static async Task<string> ReadBodyAsync(Stream stream, string head, CancellationToken ct)
    {
        var end = head.IndexOf("\r\n\r\n", StringComparison.Ordinal) + 4;
        var lengthLine = head.Split("\r\n").FirstOrDefault(l => l.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase));
        var length = lengthLine is null ? 0 : int.Parse(lengthLine["Content-Length:".Length..].Trim(), System.Globalization.CultureInfo.InvariantCulture);
        var body = new StringBuilder(head[end..]);
        var buffer = new byte[4096];
        while (Encoding.UTF8.GetByteCount(body.ToString()) < length)
        {
            var read = await stream.ReadAsync(buffer, ct);
            if (read == 0)
            {
                break;
            }

            body.Append(Encoding.UTF8.GetString(buffer, 0, read));
        }

        return body.ToString();
    }

    /// <summary>Everything the SailSocket EventSources write while it listens, as text.</summary>
    private sealed class SailSocketEventListener : EventListener
    {
        private readonly ConcurrentQueue<string> _lines = new();

        public string Text => string.Join('\n', _lines);

        protected override void OnEventSourceCreated(EventSource eventSource)
        {
            if (eventSource.Name.StartsWith("SailSocket", StringComparison.Ordinal))
            {
                EnableEvents(eventSource, EventLevel.Verbose);
            }
        }

        protected override void OnEventWritten(EventWrittenEventArgs eventData) =>
            _lines.Enqueue($"{eventData.EventSource.Name} {eventData.EventName} {eventData.Message} {string.Join(' ', eventData.Payload ?? [])}");
    }
}
