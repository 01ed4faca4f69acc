using System;
using System.Buffers;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Net;
using System.Net.Http;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using SailSocket.Engine.Protocol;

namespace SailSocket.Engine.Transports;

/// <summary>
/// Engine.IO over HTTP long-polling (docs/protocol.md §2.4): a GET per received payload, POSTs for sends. It moves whole
/// bodies; the pure codec frames them (<see cref="EnginePayloadReader"/>, <see cref="EnginePayloadWriter"/>).
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item>Never two GETs at once: GETs are issued only by the one reader, one after the other (a second concurrent GET makes
/// the server close the session).</item>
/// <item>Never two POSTs at once: sends are appended to a queue of batches, each bounded by the server's
/// <c>maxPayload</c>, and one flush loop posts them in order. A send completes when its POST is answered.</item>
/// <item>Every request is bounded: the handshake by the caller's token, later GETs and POSTs by the request timeout,
/// and <see cref="Abort"/> cancels whatever is in flight.</item>
/// <item>For the upgrade (docs/protocol.md §2.7) <see cref="PauseAsync"/> stops new GETs and POSTs and waits for those in
/// flight; <see cref="ForwardToAsync"/> then moves queued packets to the WebSocket and forwards later sends to it.</item>
/// </list>
/// </remarks>
internal sealed class PollingTransport : IEngineTransport
{
    /// <summary>The most of an error body kept for a message: Engine.IO errors are short JSON objects.</summary>
    internal const int MaxErrorBodyLength = 1024;

    private readonly HttpMessageInvoker _invoker;
    private readonly IReadOnlyList<KeyValuePair<string, string>> _headers;
    private readonly IReadOnlyList<KeyValuePair<string, string>> _query;

    /// <summary>Headers sent by the layers above (<see cref="EngineOptions.RedactedHeaders"/>): redacted from error bodies too.</summary>
    private readonly IReadOnlyList<KeyValuePair<string, string>> _redactedHeaders;

    /// <summary>The cookie store (<see cref="EngineOptions.Cookies"/>), or <see langword="null"/>.</summary>
    private readonly CookieContainer? _cookies;

    /// <summary>The URL cookies are matched against and stored for: the endpoint, without the per-request query.</summary>
    private readonly Uri _cookieUri;
    private readonly ArrayPool<byte> _pool;
    private readonly int _maxBodySize;
    private readonly EngineRevision _revision;
    private readonly string _uriPrefix;
    private readonly TimeSpan _requestTimeout;

    /// <summary>The longest bound on a request: int.MaxValue ms (~24.8 days), a wait every timer and clock accepts.</summary>
    internal static readonly TimeSpan MaxRequestTimeout = TimeSpan.FromMilliseconds(int.MaxValue);

    /// <summary>The clock <see cref="_requestTimeout"/> is measured on (<see cref="EngineOptions.TimeProvider"/>).</summary>
    private readonly TimeProvider _clock;
    private readonly long _maxPayload;
    private readonly CancellationTokenSource _abort = new();

    /// <summary>Guards the send queue, the flush flag and the pause state.</summary>
    private readonly object _gate = new();
    private readonly List<Batch> _batches = [];

    /// <summary>The body of the last GET, rented from the pool; its packets are handed out one per receive.</summary>
    private byte[]? _body;
    private ReadOnlySequence<byte> _payload;
    private SequencePosition _position;
    private long _requestCounter;

    private bool _flushing;
    private bool _paused;
    private TaskCompletionSource? _getInFlight;
    private TaskCompletionSource? _flushIdle;
    private Exception? _sendFailure;
    private IEngineTransport? _forwardTo;

    /// <summary>The batch whose POST is in flight, or <see langword="null"/>; under <see cref="_gate"/>.</summary>
    private Batch? _posting;

    /// <summary>How many POSTs the flush loop has started: progress, for <see cref="IsSendStalled"/>.</summary>
    private long _posts;

    /// <summary>The POST <see cref="IsSendStalled"/> saw last, and since when; only the timer tick touches these.</summary>
    private long _watchedPost;
    private long _watchedSince;

    private PollingTransport(HttpMessageInvoker invoker, EngineOptions options, EngineRevision revision, string sessionId, TimeSpan requestTimeout, long maxPayload)
    {
        _invoker = invoker;
        _headers = options.Headers;
        _query = options.Query;
        _redactedHeaders = options.RedactedHeaders;
        _cookies = options.Cookies;
        _cookieUri = CookieUri(options);
        _pool = options.BufferPool;
        _maxBodySize = options.MaxMessageSize;
        _revision = revision;
        _uriPrefix = EngineUri.Build(options, revision, webSocket: false, sessionId).AbsoluteUri + "&t=";
        _requestTimeout = requestTimeout;
        _clock = options.TimeProvider;
        _maxPayload = maxPayload;
    }

    public string Name => "polling";

    /// <summary>The revision the session speaks: the one asked for, or 3 when a revision-3-only server answered.</summary>
    public EngineRevision Revision => _revision;

    /// <summary>
    /// The polling handshake: a GET without <c>sid</c> whose body starts with the open packet. Bounded by
    /// <paramref name="cancellationToken"/> (the caller's connect timeout).
    /// </summary>
    /// <returns>The transport (holding any packets that followed the open packet) and the handshake.</returns>
    public static async Task<(PollingTransport Transport, EngineHandshake Handshake)> ConnectAsync(
        HttpMessageInvoker invoker, EngineOptions options, EngineRevision revision, CancellationToken cancellationToken)
    {
        var uri = EngineUri.Build(options, revision, webSocket: false, sessionId: null);
        var where = uri.GetLeftPart(UriPartial.Path);
        var cookieUri = CookieUri(options);
        var cookie = EngineCookies.BuildHeader(options.Headers, options.Cookies, cookieUri);
        using var request = CreateRequest(HttpMethod.Get, new Uri(uri.AbsoluteUri + "&t=0"), options.Headers, cookie, content: null);
        using var response = await invoker.SendAsync(request, cancellationToken).ConfigureAwait(false);
        EngineCookies.Store(options.Cookies, cookieUri, response);
        if (HandshakeRedirect.Is((int)response.StatusCode))
        {
            // Not followed (the handler's AllowAutoRedirect is off): a refused handshake; its body is not read.
            throw HandshakeRedirect.Refusal("polling", where, (int)response.StatusCode, response.Headers.Location?.OriginalString, uri);
        }

        if (response.StatusCode != HttpStatusCode.OK)
        {
            var error = await ReadErrorBodyAsync(response, options.Headers, options.RedactedHeaders, cookie, options.Query, cancellationToken).ConfigureAwait(false);
            throw new EngineConnectionException(
                EngineConnectionError.HandshakeRefused,
                $"The server refused the polling handshake at {where} with HTTP {(int)response.StatusCode}: {error}",
                httpStatusCode: (int)response.StatusCode)
            { HttpResponseBody = error };
        }

        var (body, length) = await ReadBodyAsync(response, options.BufferPool, options.MaxMessageSize, truncate: false, cancellationToken).ConfigureAwait(false);
        try
        {
            // A revision-3-only server ignores EIO=4 and answers with revision-3 framing ("<n>:0{…}"): Auto follows it,
            // an explicit V4 does not (it means revision 4 only).
            if (revision == EngineRevision.V4 && EnginePayloadReader.LooksLikeV3(body.AsSpan(0, length)))
            {
                if (options.Revision != EngineRevisionSelection.Auto)
                {
                    throw new EngineConnectionException(
                        EngineConnectionError.HandshakeRefused,
                        $"The server at {where} answered the Engine.IO 4 handshake in Engine.IO 3 framing: it speaks revision 3 only (socket.io 2.x). Set EngineOptions.Revision to V3 or Auto.");
                }

                revision = EngineRevision.V3;
            }

            var payload = new ReadOnlySequence<byte>(body, 0, length);
            var position = payload.Start;
            if (!EnginePayloadReader.TryReadPacket(payload, revision, ref position, out var first) || first.FirstSpan[0] != (byte)'0')
            {
                throw new EngineProtocolException("The handshake response does not start with an Engine.IO open packet ('0{...}').", 0);
            }

            var handshake = EngineHandshakeReader.Read(first.FirstSpan[1..]);
            // Each interval is at most int.MaxValue ms (EngineHandshakeReader), but their sum is past the longest wait of a
            // timer (uint.MaxValue - 1 ms): capped, as is an explicit bound, so the first poll does not throw ('delay').
            var timeout = options.PollingRequestTimeout ?? handshake.PingInterval + handshake.PingTimeout + TimeSpan.FromSeconds(5);
            if (timeout > MaxRequestTimeout)
            {
                timeout = MaxRequestTimeout;
            }

            var transport = new PollingTransport(invoker, options, revision, handshake.SessionId, timeout, handshake.MaxPayload)
            {
                _body = body,
                _payload = payload,
                _position = position,
            };
            body = null;
            return (transport, handshake);
        }
        finally
        {
            if (body is not null)
            {
                options.BufferPool.Return(body);
            }
        }
    }

    public async ValueTask<TransportMessage> ReceiveAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            if (_body is not null && EnginePayloadReader.TryReadPacket(_payload, _revision, ref _position, out var packet))
            {
                return new TransportMessage(IsBinary: false, packet.First);
            }

            ReleaseReceiveBuffer();
            TaskCompletionSource inFlight;
            lock (_gate)
            {
                if (_paused)
                {
                    return TransportMessage.Paused;
                }

                inFlight = _getInFlight = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }

            try
            {
                var (body, length) = await GetAsync(cancellationToken).ConfigureAwait(false);
                _body = body;
                _payload = new ReadOnlySequence<byte>(body, 0, length);
                _position = _payload.Start;
            }
            finally
            {
                inFlight.TrySetResult();
            }
        }
    }

    public ValueTask SendAsync(ReadOnlyMemory<byte> text, IReadOnlyList<ReadOnlyMemory<byte>>? binary, long deadline, CancellationToken cancellationToken)
    {
        Batch last;
        bool start;
        IEngineTransport? forward;
        lock (_gate)
        {
            forward = _forwardTo;
            if (forward is null)
            {
                if (_sendFailure is { } failure)
                {
                    return ValueTask.FromException(EarlierPostFailed(failure));
                }

                // A packet whose encoded form alone exceeds maxPayload would get a 413: refuse it before anything is queued.
                if (TooLarge(text, binary) is { } tooLarge)
                {
                    return ValueTask.FromException(tooLarge);
                }

                last = Append(text.Span, isBinary: false);
                if (binary is not null)
                {
                    foreach (var data in binary)
                    {
                        last = Append(data.Span, isBinary: true);
                    }
                }

                if (deadline < last.Deadline)
                {
                    last.Deadline = deadline;
                }

                start = !_flushing && !_paused;
                _flushing |= start;
            }
            else
            {
                last = null!;
                start = false;
            }
        }

        if (forward is not null)
        {
            return forward.SendAsync(text, binary, deadline, cancellationToken);
        }

        if (start)
        {
            _ = FlushAsync();
        }

        return new ValueTask(last.Completion.Task.WaitAsync(cancellationToken));
    }

    /// <summary>Stops issuing GETs and POSTs and waits for the ones in flight; sends are queued meanwhile.</summary>
    public async Task PauseAsync(CancellationToken cancellationToken)
    {
        Task get;
        Task post;
        lock (_gate)
        {
            _paused = true;
            get = _getInFlight?.Task ?? Task.CompletedTask;
            post = _flushing ? (_flushIdle ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task : Task.CompletedTask;
        }

        await Task.WhenAll(get, post).WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// After a paused transport has been upgraded: sends the queued packets over <paramref name="next"/>, in order, then
    /// forwards every later send to it.
    /// </summary>
    public async Task ForwardToAsync(IEngineTransport next)
    {
        // A text packet and the binary packets (attachments) after it go out together, as the WebSocket transport requires.
        ReadOnlyMemory<byte>? text = null;
        var attachments = new List<ReadOnlyMemory<byte>>();
        var sent = new List<Batch>();
        try
        {
            while (true)
            {
                Batch[] batches;
                lock (_gate)
                {
                    if (_batches.Count == 0)
                    {
                        if (text is null)
                        {
                            _forwardTo = next;
                            break;
                        }

                        batches = [];
                    }
                    else
                    {
                        batches = [.. _batches];
                        _batches.Clear();
                    }
                }

                foreach (var batch in batches)
                {
                    // The batch holds an encoded payload: split it again with the codec.
                    var payload = new ReadOnlySequence<byte>(batch.Buffer.WrittenMemory);
                    var position = payload.Start;
                    while (EnginePayloadReader.TryReadPacket(payload, _revision, ref position, out var packet))
                    {
                        var memory = packet.First;
                        if (EngineBinaryPacket.IsBase64(memory.Span))
                        {
                            attachments.Add(EngineBinaryPacket.Decode(memory.Span, _revision));
                            continue;
                        }

                        if (text is { } previous)
                        {
                            await next.SendAsync(previous, attachments.Count > 0 ? [.. attachments] : null, long.MaxValue, CancellationToken.None).ConfigureAwait(false);
                            attachments.Clear();
                        }

                        text = memory;
                    }

                    sent.Add(batch);
                }

                if (batches.Length == 0 && text is { } last)
                {
                    await next.SendAsync(last, attachments.Count > 0 ? [.. attachments] : null, long.MaxValue, CancellationToken.None).ConfigureAwait(false);
                    attachments.Clear();
                    text = null;
                    foreach (var batch in sent)
                    {
                        batch.Completion.TrySetResult();
                    }

                    sent.Clear();
                }
            }
        }
        catch (Exception ex)
        {
            foreach (var batch in sent)
            {
                batch.Fail(ex);
            }

            throw;
        }
    }

    public async ValueTask CloseAsync(TimeSpan timeout, TimeProvider clock, CancellationToken cancellationToken)
    {
        bool forwarded;
        lock (_gate)
        {
            forwarded = _forwardTo is not null;
        }

        if (!forwarded && !cancellationToken.IsCancellationRequested)
        {
            try
            {
                // docs/protocol.md §2.8: a close packet in a POST ends the session at once.
                await SendAsync("1"u8.ToArray(), null, long.MaxValue, CancellationToken.None).AsTask().WaitAsync(timeout, clock, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is TimeoutException or EngineConnectionException or HttpRequestException or OperationCanceledException or IOException)
            {
                // Closing is best effort: the transport is aborted below either way.
            }
        }

        Abort();
    }

    /// <summary>
    /// Whether the server has stopped taking data: the same POST has been in flight since the previous call and a packet
    /// waiting to go out (in it, or queued behind it) has passed its deadline. A POST without deadlines is bounded by
    /// the request timeout itself, so <paramref name="sendTimeout"/> is not needed here.
    /// </summary>
    public bool IsSendStalled(long now, long sendTimeout)
    {
        _ = sendTimeout;
        if (Volatile.Read(ref _posting) is null)
        {
            return false;
        }

        lock (_gate)
        {
            if (_posting is null)
            {
                return false;
            }

            if (_posts != _watchedPost)
            {
                _watchedPost = _posts;
                _watchedSince = now;
                return false;
            }

            if (_posting.Deadline <= now)
            {
                return true;
            }

            foreach (var batch in _batches)
            {
                if (batch.Deadline <= now)
                {
                    return true;
                }
            }

            return false;
        }
    }

    public void Abort()
    {
        try
        {
            _abort.Cancel();
        }
        catch (ObjectDisposedException)
        {
        }
    }

    public void ReleaseReceiveBuffer()
    {
        var body = _body;
        if (body is not null)
        {
            _body = null;
            _payload = default;
            _pool.Return(body);
        }
    }

    public void Dispose()
    {
        Abort();
        _abort.Dispose();
    }

    /// <summary>The http(s) endpoint URL, which cookies are matched against and stored for.</summary>
    private static Uri CookieUri(EngineOptions options) => EngineCookies.ToHttp(new Uri(EngineUri.Build(options, EngineRevision.V4, webSocket: false, sessionId: null).GetLeftPart(UriPartial.Path)));

    /// <summary>
    /// A request with the user's headers and one <c>Cookie</c> header: <paramref name="cookie"/>, the user's cookies merged
    /// with the stored ones (<see cref="EngineCookies.BuildHeader"/>), or none when it is <see langword="null"/>.
    /// </summary>
    private static HttpRequestMessage CreateRequest(HttpMethod method, Uri uri, IReadOnlyList<KeyValuePair<string, string>> headers, string? cookie, HttpContent? content)
    {
        var request = new HttpRequestMessage(method, uri) { Content = content };
        foreach (var (name, value) in headers)
        {
            // Validated by EngineOptions.Validate; Origin and friends go on every request (sticky sessions). The user's
            // Cookie headers are part of the merged cookie.
            if (!string.Equals(name, "Cookie", StringComparison.OrdinalIgnoreCase))
            {
                request.Headers.TryAddWithoutValidation(name, value);
            }
        }

        EngineCookies.AddTo(request, cookie);
        return request;
    }

    /// <summary>
    /// Reads the start of an error body for a message, with every credential the request carried redacted
    /// (<see cref="SecretRedaction"/>): an error page may echo the request's headers.
    /// </summary>
    private static async Task<string> ReadErrorBodyAsync(
        HttpResponseMessage response,
        IReadOnlyList<KeyValuePair<string, string>> headers,
        IReadOnlyList<KeyValuePair<string, string>> redactedHeaders,
        string? cookie,
        IReadOnlyList<KeyValuePair<string, string>> query,
        CancellationToken cancellationToken)
    {
        var (body, length) = await ReadBodyAsync(response, ArrayPool<byte>.Shared, MaxErrorBodyLength, truncate: true, cancellationToken).ConfigureAwait(false);
        string text;
        try
        {
            text = length == 0 ? "(empty body)" : Encoding.UTF8.GetString(body, 0, length);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(body);
        }

        // Redacted as cut: a secret crossing the cut loses its start too.
        var truncated = length >= MaxErrorBodyLength;
        return cookie is null && redactedHeaders.Count == 0
            ? SecretRedaction.Redact(text, headers, query, truncated)
            : SecretRedaction.Redact(text, [.. headers, .. redactedHeaders, .. CookiePair(cookie)], query, truncated);
    }

    private static KeyValuePair<string, string>[] CookiePair(string? cookie) => cookie is null ? [] : [new("Cookie", cookie)];

    /// <summary>Reads a whole response body into a pooled buffer (the caller returns it), refusing one above <paramref name="limit"/>.</summary>
    internal static async Task<(byte[] Body, int Length)> ReadBodyAsync(HttpResponseMessage response, ArrayPool<byte> pool, int limit, bool truncate, CancellationToken cancellationToken)
    {
        var declared = response.Content.Headers.ContentLength;
        if (declared > limit && !truncate)
        {
            throw BodyTooLarge(limit);
        }

        var buffer = pool.Rent((int)Math.Min(declared ?? 4096, limit) + 1);
        var count = 0;
        try
        {
            var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            await using (stream.ConfigureAwait(false))
            {
                while (true)
                {
                    if (count == buffer.Length)
                    {
                        if (count > limit)
                        {
                            if (truncate)
                            {
                                return (buffer, limit);
                            }

                            throw BodyTooLarge(limit);
                        }

                        var larger = pool.Rent((int)Math.Min((long)buffer.Length * 2, limit + 1L));
                        buffer.AsSpan(0, count).CopyTo(larger);
                        pool.Return(buffer);
                        buffer = larger;
                    }

                    var read = await stream.ReadAsync(buffer.AsMemory(count), cancellationToken).ConfigureAwait(false);
                    if (read == 0)
                    {
                        if (count > limit)
                        {
                            if (truncate)
                            {
                                return (buffer, limit);
                            }

                            throw BodyTooLarge(limit);
                        }

                        return (buffer, count);
                    }

                    count += read;
                }
            }
        }
        catch
        {
            pool.Return(buffer);
            throw;
        }
    }

    private static EngineConnectionException BodyTooLarge(int limit) =>
        new(EngineConnectionError.MessageTooLarge, $"The server sent a polling payload larger than the limit of {limit} bytes (EngineOptions.MaxMessageSize).");

    /// <summary>Appends one packet to the last batch that is not yet being posted, or to a new one when it would exceed maxPayload.</summary>
    private Batch Append(ReadOnlySpan<byte> data, bool isBinary)
    {
        var tail = _batches.Count > 0 ? _batches[^1] : null;
        var length = Length(data, isBinary, first: tail is null || tail.Count == 0);
        if (tail is null || (tail.Count > 0 && _maxPayload > 0 && tail.Buffer.WrittenCount + length > _maxPayload))
        {
            tail = new Batch();
            _batches.Add(tail);
        }

        if (isBinary)
        {
            EnginePayloadWriter.WriteBinary(tail.Buffer, data, _revision, tail.Count == 0);
        }
        else
        {
            EnginePayloadWriter.WriteText(tail.Buffer, data, _revision, tail.Count == 0);
        }

        tail.Count++;
        return tail;
    }

    private EngineMessageTooLargeException? TooLarge(ReadOnlyMemory<byte> text, IReadOnlyList<ReadOnlyMemory<byte>>? binary)
    {
        if (_maxPayload <= 0)
        {
            return null;
        }

        long size = Length(text.Span, isBinary: false, first: true);
        if (size > _maxPayload)
        {
            return new EngineMessageTooLargeException(size, _maxPayload);
        }

        if (binary is not null)
        {
            foreach (var data in binary)
            {
                size = Length(data.Span, isBinary: true, first: true);
                if (size > _maxPayload)
                {
                    return new EngineMessageTooLargeException(size, _maxPayload);
                }
            }
        }

        return null;
    }

    private int Length(ReadOnlySpan<byte> data, bool isBinary, bool first) =>
        isBinary ? EnginePayloadWriter.GetBinaryLength(data.Length, _revision, first) : EnginePayloadWriter.GetTextLength(data, _revision, first);

    /// <summary>The one flush loop: posts queued batches in order until the queue is empty or the transport is paused.</summary>
    private async Task FlushAsync()
    {
        while (true)
        {
            Batch batch;
            lock (_gate)
            {
                if (_batches.Count == 0 || _paused || _sendFailure is not null)
                {
                    _flushing = false;
                    _flushIdle?.TrySetResult();
                    _flushIdle = null;
                    return;
                }

                batch = _batches[0];
                _batches.RemoveAt(0);
                _posting = batch;
                _posts++;
            }

            try
            {
                await PostAsync(batch.Buffer.WrittenMemory).ConfigureAwait(false);
                ClearPosting();
                batch.Completion.TrySetResult();
            }
            catch (EngineMessageTooLargeException ex)
            {
                // docs/protocol.md §2.4: a 413 drops that POST's packets but the session survives.
                ClearPosting();
                batch.Fail(ex);
            }
#pragma warning disable CA1031 // Every failure is handed to the senders waiting on this batch and the ones queued behind it.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                List<Batch> failed;
                lock (_gate)
                {
                    _posting = null;
                    _sendFailure = ex;
                    failed = [.. _batches];
                    _batches.Clear();
                }

                batch.Fail(ex);
                if (failed.Count > 0)
                {
                    // These batches were never posted: the server has not seen them, whatever happened to the failed one.
                    var notSent = EarlierPostFailed(ex);
                    foreach (var other in failed)
                    {
                        other.Fail(notSent);
                    }
                }
            }
        }
    }

    private void ClearPosting()
    {
        lock (_gate)
        {
            _posting = null;
        }
    }

    private async Task<(byte[] Body, int Length)> GetAsync(CancellationToken cancellationToken)
    {
        using var deadline = new CancellationTokenSource(_requestTimeout, _clock);
        using var bound = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _abort.Token, deadline.Token);
        try
        {
            var cookie = EngineCookies.BuildHeader(_headers, _cookies, _cookieUri);
            using var request = CreateRequest(HttpMethod.Get, NextUri(), _headers, cookie, content: null);
            using var response = await _invoker.SendAsync(request, bound.Token).ConfigureAwait(false);
            EngineCookies.Store(_cookies, _cookieUri, response);
            if (response.StatusCode != HttpStatusCode.OK)
            {
                throw await RequestFailedAsync("GET", response, cookie, bound.Token).ConfigureAwait(false);
            }

            return await ReadBodyAsync(response, _pool, _maxBodySize, truncate: false, bound.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw Interrupted("GET");
        }
    }

    private async Task PostAsync(ReadOnlyMemory<byte> payload)
    {
        using var deadline = new CancellationTokenSource(_requestTimeout, _clock);
        using var bound = CancellationTokenSource.CreateLinkedTokenSource(_abort.Token, deadline.Token);
        try
        {
            using var content = new ReadOnlyMemoryContent(payload);
            content.Headers.TryAddWithoutValidation("Content-Type", "text/plain;charset=UTF-8");
            var cookie = EngineCookies.BuildHeader(_headers, _cookies, _cookieUri);
            using var request = CreateRequest(HttpMethod.Post, NextUri(), _headers, cookie, content);
            using var response = await _invoker.SendAsync(request, bound.Token).ConfigureAwait(false);
            EngineCookies.Store(_cookies, _cookieUri, response);
            if (response.StatusCode == HttpStatusCode.RequestEntityTooLarge)
            {
                throw new EngineMessageTooLargeException(payload.Length, _maxPayload);
            }

            if (response.StatusCode != HttpStatusCode.OK)
            {
                throw await RequestFailedAsync("POST", response, cookie, bound.Token).ConfigureAwait(false);
            }

            // The body is "ok": read it so the connection returns to the pool.
            var (body, _) = await ReadBodyAsync(response, ArrayPool<byte>.Shared, MaxErrorBodyLength, truncate: true, bound.Token).ConfigureAwait(false);
            ArrayPool<byte>.Shared.Return(body);
        }
        catch (OperationCanceledException)
        {
            // The request may have been written in full before the answer timed out or the connection was aborted.
            throw Interrupted("POST", mayHaveBeenDelivered: true);
        }
        catch (HttpRequestException ex)
        {
            // Only a failure to connect proves the server never saw the POST; any later failure may have lost just the answer.
            throw new EngineConnectionException(EngineConnectionError.TransportError, $"The polling POST failed: {ex.Message}", ex)
            {
                MayHaveBeenDelivered = ex.HttpRequestError != HttpRequestError.ConnectionError,
            };
        }
    }

    /// <summary>A send refused because an earlier POST failed: this one never reached the wire.</summary>
    private static EngineConnectionException EarlierPostFailed(Exception failure) =>
        new(EngineConnectionError.TransportError, $"An earlier polling POST failed: {failure.Message}", failure);

    private EngineConnectionException Interrupted(string method, bool mayHaveBeenDelivered = false) => _abort.IsCancellationRequested
        ? new EngineConnectionException(EngineConnectionError.ClosedByClient, $"The polling {method} was aborted because the connection closed.") { MayHaveBeenDelivered = mayHaveBeenDelivered }
        : new EngineConnectionException(EngineConnectionError.TransportError, $"The polling {method} got no answer within {_requestTimeout.TotalSeconds:0.###} s (EngineOptions.PollingRequestTimeout).") { MayHaveBeenDelivered = mayHaveBeenDelivered };

    private async Task<EngineConnectionException> RequestFailedAsync(string method, HttpResponseMessage response, string? cookie, CancellationToken cancellationToken)
    {
        var status = (int)response.StatusCode;
        var body = await ReadErrorBodyAsync(response, _headers, _redactedHeaders, cookie, _query, cancellationToken).ConfigureAwait(false);

        // 400 {"code":1,"message":"Session ID unknown"} and friends: the server has ended the session (docs/protocol.md §2.9).
        var error = status == 400 ? EngineConnectionError.ClosedByServer : EngineConnectionError.TransportError;
        return new EngineConnectionException(error, $"The server answered a polling {method} with HTTP {status}: {body}", httpStatusCode: status) { HttpResponseBody = body };
    }

    private Uri NextUri() => new(_uriPrefix + Interlocked.Increment(ref _requestCounter).ToString(CultureInfo.InvariantCulture));

    /// <summary>Packets queued for one POST, and the senders waiting for it.</summary>
    private sealed class Batch
    {
        public ArrayBufferWriter<byte> Buffer { get; } = new(256);

        public TaskCompletionSource Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public int Count { get; set; }

        /// <summary>The earliest deadline of its packets; <see cref="long.MaxValue"/> for none. Under the transport's lock.</summary>
        public long Deadline { get; set; } = long.MaxValue;

        /// <summary>
        /// Fails the senders waiting on this batch. The fault is marked observed: a sender whose token ended its wait
        /// (or a bounded close packet) no longer watches the task, and a fault nobody reads must not reach
        /// <see cref="TaskScheduler.UnobservedTaskException"/>.
        /// </summary>
        public void Fail(Exception error)
        {
            if (Completion.TrySetException(error))
            {
                _ = Completion.Task.Exception;
            }
        }
    }
}
