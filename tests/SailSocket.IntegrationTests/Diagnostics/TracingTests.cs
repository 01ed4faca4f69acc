using System.Collections.Concurrent;
using System.Diagnostics;

namespace SailSocket.IntegrationTests.Diagnostics;

/// <summary>
/// One client activity per request on the <c>SailSocket</c> source, parented to the caller's, and the W3C trace context
/// in the envelope's headers when <see cref="SailsClientOptions.PropagateTraceContext"/> is on, as the real Sails app sees
/// it (<c>GET /headers</c> returns <c>req.headers</c>).
/// </summary>
[Collection(DiagnosticsGroup.Name)]
public sealed class TracingTests : SailsServerTestBase, IDisposable
{
    private const string QuerySecret = "query-secret-value";
    private readonly ActivitySource _caller = new("SailSocket.Tests.Caller");
    private readonly ConcurrentQueue<Activity> _stopped = new();
    private ActivityListener? _listener;

    protected override SailsClientOptions CreateOptions(Uri url) => new()
    {
        Url = url,
        RequestTimeout = TimeSpan.FromSeconds(10),
        ConnectTimeout = TimeSpan.FromSeconds(10),
        PropagateTraceContext = true,
    };

    public void Dispose()
    {
        _listener?.Dispose();
        _caller.Dispose();
    }

    [Fact]
    public async Task A_request_is_a_client_activity_under_the_callers_and_the_server_sees_its_traceparent()
    {
        Listen("SailSocket", _caller.Name);
        var socket = await ConnectAsync();

        Activity parent;
        SailsResponse response;
        using (parent = _caller.StartActivity("caller")!)
        {
            parent.TraceStateString = "vendor=opaque";
            response = await socket.GetAsync("/headers?token=" + QuerySecret).AsTask().Within(15);
        }

        var activity = Assert.Single(_stopped, a => a.Source.Name == "SailSocket" && a.TraceId == parent.TraceId);
        Assert.Equal(ActivityKind.Client, activity.Kind);
        Assert.Equal(parent.SpanId, activity.ParentSpanId);
        Assert.Equal("GET", activity.DisplayName);
        Assert.Equal("GET", activity.GetTagItem("http.request.method"));
        Assert.Equal("/headers", activity.GetTagItem("url.path"));
        Assert.Equal(200, activity.GetTagItem("http.response.status_code"));
        Assert.Equal("127.0.0.1", activity.GetTagItem("server.address"));
        Assert.Equal(Server.Port, activity.GetTagItem("server.port"));
        Assert.Null(activity.GetTagItem("error.type"));
        Assert.Equal(ActivityStatusCode.Unset, activity.Status);
        Assert.DoesNotContain(activity.TagObjects, t => t.Value?.ToString()?.Contains(QuerySecret, StringComparison.Ordinal) == true);

        // The Sails app received the trace context of the request's own activity.
        var headers = response.ReadBodyAsElement();
        Assert.Equal(activity.Id, headers.GetProperty("traceparent").GetString());
        Assert.Equal("vendor=opaque", headers.GetProperty("tracestate").GetString());
    }

    [Fact]
    public async Task A_subscription_replayed_after_a_reconnect_is_a_request_activity_too()
    {
        Listen("SailSocket");
        var socket = await ConnectAsync();
        var resubscribed = new TaskCompletionSource<SailsResubscribedEventArgs>(TaskCreationOptions.RunContinuationsAsynchronously);
        socket.Resubscribed += (_, e) => resubscribed.TrySetResult(e);

        await socket.SubscribeAsync(new SailsRequest("get", "/status/201")).Within(15);
        await socket.ReconnectAsync().Within(15);
        await resubscribed.Task.Within(15);

        var activities = _stopped.Where(a => a.Source.Name == "SailSocket" && Equals(a.GetTagItem("url.path"), "/status/201")).ToList();
        Assert.Equal(2, activities.Count);
        Assert.All(activities, a => Assert.Equal(201, a.GetTagItem("http.response.status_code")));
    }

    [Fact]
    public async Task An_error_status_marks_the_activity_with_the_status_code_as_error_type()
    {
        Listen("SailSocket");
        var socket = await ConnectAsync();

        var response = await socket.GetAsync("/status/404").AsTask().Within(15);

        Assert.Equal(404, response.StatusCode);
        var activity = Assert.Single(_stopped, a => a.Source.Name == "SailSocket" && Equals(a.GetTagItem("url.path"), "/status/404"));
        Assert.Equal(404, activity.GetTagItem("http.response.status_code"));
        Assert.Equal("404", activity.GetTagItem("error.type"));
        Assert.Equal(ActivityStatusCode.Error, activity.Status);
    }

    [Fact]
    public async Task With_nobody_listening_to_SailSocket_the_callers_context_is_propagated()
    {
        Listen(_caller.Name);
        var socket = await ConnectAsync();

        using var parent = _caller.StartActivity("caller")!;
        var headers = (await socket.GetAsync("/headers").AsTask().Within(15)).ReadBodyAsElement();

        Assert.Equal(parent.Id, headers.GetProperty("traceparent").GetString());
        Assert.False(headers.TryGetProperty("tracestate", out _));
        Assert.DoesNotContain(_stopped, a => a.Source.Name == "SailSocket");
    }

    [Fact]
    public async Task A_traceparent_set_on_the_request_wins()
    {
        Listen("SailSocket", _caller.Name);
        var socket = await ConnectAsync();
        const string own = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";

        using var parent = _caller.StartActivity("caller")!;
        var request = new SailsRequest("get", "/headers");
        request.Headers["traceparent"] = own;
        var headers = (await socket.RequestAsync(request).AsTask().Within(15)).ReadBodyAsElement();

        Assert.Equal(own, headers.GetProperty("traceparent").GetString());
    }

    [Fact]
    public async Task Without_the_option_the_server_sees_no_trace_header()
    {
        Listen("SailSocket", _caller.Name);
        await using var client = new SailsClient(new SailsClientOptions { Url = Server.Url, RequestTimeout = TimeSpan.FromSeconds(10), ConnectTimeout = TimeSpan.FromSeconds(10) });
        var socket = await client.ConnectAsync(Bound.Seconds(15));

        using var parent = _caller.StartActivity("caller")!;
        var headers = (await socket.GetAsync("/headers").AsTask().Within(15)).ReadBodyAsElement();

        Assert.False(headers.TryGetProperty("traceparent", out _));
        Assert.False(headers.TryGetProperty("tracestate", out _));

        // Still traced on the client.
        Assert.Single(_stopped, a => a.Source.Name == "SailSocket" && a.TraceId == parent.TraceId);
    }

    private void Listen(params string[] sources)
    {
        _listener = new ActivityListener
        {
            ShouldListenTo = source => sources.Contains(source.Name),
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = _stopped.Enqueue,
        };
        ActivitySource.AddActivityListener(_listener);
    }
}
