using System;
using System.Collections.Generic;
using System.Net;
using System.Net.Http;
using System.Text;
using System.Threading;
using System.Threading.Channels;
using System.Threading.Tasks;
using Xunit;

namespace SailSocket.UnitTests.Infrastructure;

/// <summary>
/// A scripted Engine.IO polling server: every request the client makes is queued for the test,
/// which takes it with <see cref="NextGetAsync"/> / <see cref="NextPostAsync"/> and answers it. A request the test never
/// takes fails the test at <see cref="AssertNoUnhandledRequests"/>; overlapping GETs or POSTs (which make a real server
/// close the session) are recorded and fail it too; anything but GET or POST fails loudly at once.
/// </summary>
internal sealed class ScriptedHttpHandler : HttpMessageHandler
{
    private readonly Channel<PendingRequest> _gets = Channel.CreateUnbounded<PendingRequest>();
    private readonly Channel<PendingRequest> _posts = Channel.CreateUnbounded<PendingRequest>();
    private readonly List<string> _violations = [];
    private int _getsInFlight;
    private int _postsInFlight;

    public HttpMessageInvoker CreateInvoker() => new(this, disposeHandler: false);

    /// <summary>Takes the next GET, bounded by <see cref="TestTimeouts.Default"/>.</summary>
    public async Task<PendingRequest> NextGetAsync()
    {
        using var cts = new CancellationTokenSource(TestTimeouts.Default);
        return await _gets.Reader.ReadAsync(cts.Token);
    }

    /// <summary>Takes the next POST, bounded by <see cref="TestTimeouts.Default"/>.</summary>
    public async Task<PendingRequest> NextPostAsync()
    {
        using var cts = new CancellationTokenSource(TestTimeouts.Default);
        return await _posts.Reader.ReadAsync(cts.Token);
    }

    /// <summary>Whether a POST arrives within <see cref="TestTimeouts.Quiet"/>.</summary>
    public async Task<bool> PostArrivesSoonAsync()
    {
        using var cts = new CancellationTokenSource(TestTimeouts.Quiet);
        try
        {
            return await _posts.Reader.WaitToReadAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    public void AssertNoUnhandledRequests()
    {
        lock (_violations)
        {
            Assert.Empty(_violations);
        }

        Assert.False(_gets.Reader.TryRead(out var get), $"unhandled GET {get?.Uri}");
        Assert.False(_posts.Reader.TryRead(out var post), $"unhandled POST {post?.Uri} {post?.Body}");
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var isGet = request.Method == HttpMethod.Get;
        if (!isGet && request.Method != HttpMethod.Post)
        {
            throw new InvalidOperationException($"Unexpected {request.Method} {request.RequestUri}: the polling transport sends only GET and POST.");
        }

        var body = request.Content is null ? null : await request.Content.ReadAsStringAsync(cancellationToken);
        var pending = new PendingRequest(request.Method, request.RequestUri!, body, request.Content?.Headers.ContentType?.ToString());
        ref var inFlight = ref isGet ? ref _getsInFlight : ref _postsInFlight;
        if (Interlocked.Increment(ref inFlight) > 1 && pending.SessionId is not null)
        {
            lock (_violations)
            {
                _violations.Add($"two {request.Method}s at once: {request.RequestUri}");
            }
        }

        try
        {
            await (isGet ? _gets : _posts).Writer.WriteAsync(pending, cancellationToken);
            return await pending.Response.Task.WaitAsync(cancellationToken);
        }
        finally
        {
            Interlocked.Decrement(ref isGet ? ref _getsInFlight : ref _postsInFlight);
        }
    }

    /// <summary>One request from the client, waiting for the test's answer.</summary>
    internal sealed class PendingRequest(HttpMethod method, Uri uri, string? body, string? contentType)
    {
        public HttpMethod Method { get; } = method;

        public Uri Uri { get; } = uri;

        public string? Body { get; } = body;

        public string? ContentType { get; } = contentType;

        public TaskCompletionSource<HttpResponseMessage> Response { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public string? SessionId => Query("sid");

        public string? Query(string name)
        {
            foreach (var part in Uri.Query.TrimStart('?').Split('&'))
            {
                var equals = part.IndexOf('=', StringComparison.Ordinal);
                if (equals > 0 && part[..equals] == name)
                {
                    return Uri.UnescapeDataString(part[(equals + 1)..]);
                }
            }

            return null;
        }

        public void Respond(string body, HttpStatusCode status = HttpStatusCode.OK) =>
            Response.TrySetResult(new HttpResponseMessage(status) { Content = new ByteArrayContent(Encoding.UTF8.GetBytes(body)) });

        public void RespondOk() => Respond("ok");
    }
}
