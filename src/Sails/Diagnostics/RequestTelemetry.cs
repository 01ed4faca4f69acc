using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using SailSocket.Protocol;

namespace SailSocket.Diagnostics;

/// <summary>
/// The activity and the metrics of one request (docs/diagnostics.md): an <see cref="ActivityKind.Client"/> activity
/// parented to the caller's current one, the <c>sailsocket.requests</c> count and the <c>sailsocket.request.duration</c>
/// histogram, and the W3C trace context in the envelope's headers when <see cref="SailsClientOptions.PropagateTraceContext"/> is on.
/// </summary>
/// <remarks>
/// A request goes this way only when <see cref="IsObserved"/>: with no listener and no propagation, the request path is
/// the one it always was and allocates nothing more. Tags carry the method, the status class and the error type (a
/// bounded set); the activity also carries the path without its query. Never a header value or a query value.
/// </remarks>
internal static class RequestTelemetry
{
    /// <summary>Whether a request must be traced, counted or carry the trace context.</summary>
    public static bool IsObserved(bool propagate) =>
        propagate || SailsTelemetry.Requests.Enabled || SailsTelemetry.RequestDuration.Enabled || SailsTelemetry.Source.HasListeners();

    /// <summary>Starts the request's activity, or returns <see langword="null"/> when nobody samples it.</summary>
    public static Activity? Start(string method, string url, Uri server)
    {
        var name = MethodName(method);
        var activity = SailsTelemetry.Source.StartActivity(name, ActivityKind.Client);
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag("http.request.method", name);
            activity.SetTag("url.path", PathOf(url));
            activity.SetTag("server.address", server.Host);
            activity.SetTag("server.port", server.Port);
        }

        return activity;
    }

    /// <summary>
    /// The request's headers with the trace context of <paramref name="context"/> added (<c>traceparent</c>,
    /// <c>tracestate</c>), unless the request already sets them; <paramref name="headers"/> itself when the context is not W3C.
    /// </summary>
    public static IDictionary<string, string>? WithTraceContext(IDictionary<string, string>? headers, Activity context)
    {
        if (context.IdFormat != ActivityIdFormat.W3C || context.Id is not { } traceParent)
        {
            return headers;
        }

        var merged = headers is null
            ? new Dictionary<string, string>(2, StringComparer.OrdinalIgnoreCase)
            : new Dictionary<string, string>(headers, StringComparer.OrdinalIgnoreCase);
        merged.TryAdd("traceparent", traceParent);
        if (context.TraceStateString is { Length: > 0 } traceState)
        {
            merged.TryAdd("tracestate", traceState);
        }

        return merged;
    }

    /// <summary>Ends the request's activity and records its count and duration.</summary>
    public static void Stop(Activity? activity, string method, TimeSpan elapsed, SailsResponse? response, Exception? error)
    {
        var status = response?.StatusCode ?? 0;
        var errorType = error is not null ? error.GetType().FullName : response is not null && status >= 400 ? StatusErrorType(status) : null;
        if (activity is not null)
        {
            if (activity.IsAllDataRequested)
            {
                if (response is not null)
                {
                    activity.SetTag("http.response.status_code", status);
                }

                if (errorType is not null)
                {
                    activity.SetTag("error.type", errorType);
                }
            }

            if (errorType is not null)
            {
                // The description is the type, never the message: a message may quote what the server sent.
                activity.SetStatus(ActivityStatusCode.Error, errorType);
            }

            activity.Stop();
        }

        if (SailsTelemetry.Requests.Enabled || SailsTelemetry.RequestDuration.Enabled)
        {
            var tags = new TagList { { "http.request.method", MethodName(method) } };
            if (response is not null)
            {
                tags.Add("sailsocket.response.status_class", StatusClass(status));
            }

            if (errorType is not null)
            {
                tags.Add("error.type", errorType);
            }

            SailsTelemetry.Requests.Add(1, tags);
            SailsTelemetry.RequestDuration.Record(elapsed.TotalSeconds, tags);
        }
    }

    /// <summary>The method in upper case, from the normalized set (no string is made).</summary>
    internal static string MethodName(string method) => method switch
    {
        SailsMethods.Get => "GET",
        SailsMethods.Post => "POST",
        SailsMethods.Put => "PUT",
        SailsMethods.Patch => "PATCH",
        SailsMethods.Delete => "DELETE",
        SailsMethods.Head => "HEAD",
        SailsMethods.Options => "OPTIONS",
        _ => "_OTHER",
    };

    /// <summary><c>1xx</c> to <c>5xx</c>, or <c>_OTHER</c> for a code a server should not send.</summary>
    internal static string StatusClass(int status) => (status / 100) switch
    {
        1 when status >= 100 => "1xx",
        2 => "2xx",
        3 => "3xx",
        4 => "4xx",
        5 => "5xx",
        _ => "_OTHER",
    };

    /// <summary>The path without the query or fragment.</summary>
    internal static string PathOf(string url)
    {
        if (url is null)
        {
            // Not checked yet: the request itself fails with ArgumentNullException.
            return string.Empty;
        }

        var end = url.AsSpan().IndexOfAny('?', '#');
        return end < 0 ? url : url[..end];
    }

    /// <summary>The status code as <c>error.type</c> (OpenTelemetry's rule for HTTP), bounded to 400–599.</summary>
    private static string StatusErrorType(int status) =>
        status is >= 400 and <= 599 ? status.ToString(CultureInfo.InvariantCulture) : "_OTHER";
}
