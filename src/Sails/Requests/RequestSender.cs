using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Text.Json.Serialization.Metadata;
using System.Threading;
using System.Threading.Tasks;
using SailSocket.Connection;
using SailSocket.Diagnostics;
using SailSocket.Errors;
using SailSocket.Protocol;
using SailSocket.SocketIo;

namespace SailSocket.Requests;

/// <summary>
/// One request from the caller to the wire and back: checked, wrapped in the Sails envelope, sent on the open connection
/// (or queued), its acknowledgement read as a JSON WebSocket Response, every failure mapped once by <see cref="SailsErrors"/>.
/// </summary>
/// <remarks>
/// The direct path costs one pooled state machine (<see cref="SendOnAsync"/>) and allocates nothing besides the response;
/// checks fail through the returned task, as an async method's would.
/// </remarks>
internal sealed class RequestSender(RequestQueue queue, SailsClientOptions options, SocketDiagnostics diagnostics)
{
    private static readonly Dictionary<string, string> s_noHeaders = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Checks a request and sends it, or queues it while the socket connects; traced and counted when someone listens.</summary>
    public ValueTask<SailsResponse> SendAsync<TData>(
        string method,
        string url,
        IDictionary<string, string>? headers,
        ReadOnlyMemory<byte> rawData,
        TData data,
        JsonTypeInfo<TData>? dataTypeInfo,
        TimeSpan? timeout,
        ISet<string>? omittedDefaultHeaders,
        CancellationToken cancellationToken) =>
        RequestTelemetry.IsObserved(options.PropagateTraceContext)
            ? SendObservedAsync(method, url, headers, rawData, data, dataTypeInfo, timeout, omittedDefaultHeaders, cancellationToken)
            : SendUnobservedAsync(method, url, headers, rawData, data, dataTypeInfo, timeout, omittedDefaultHeaders, cancellationToken);

    /// <summary>
    /// A request inside its activity, counted and timed (docs/diagnostics.md); with <see cref="SailsClientOptions.PropagateTraceContext"/>,
    /// the activity's trace context (or the caller's) goes in the envelope's headers.
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<SailsResponse> SendObservedAsync<TData>(
        string method,
        string url,
        IDictionary<string, string>? headers,
        ReadOnlyMemory<byte> rawData,
        TData data,
        JsonTypeInfo<TData>? dataTypeInfo,
        TimeSpan? timeout,
        ISet<string>? omittedDefaultHeaders,
        CancellationToken cancellationToken)
    {
        var started = options.TimeProvider.GetTimestamp();
        var activity = RequestTelemetry.Start(method, url, diagnostics.Url);
        if (options.PropagateTraceContext && (activity ?? Activity.Current) is { } context)
        {
            headers = RequestTelemetry.WithTraceContext(headers, context);
        }

        return await StopWhenDoneAsync(activity, method, started, SendUnobservedAsync(method, url, headers, rawData, data, dataTypeInfo, timeout, omittedDefaultHeaders, cancellationToken)).ConfigureAwait(false);
    }

    /// <summary>Awaits an observed request, then ends its activity and records its count and duration.</summary>
    private async ValueTask<SailsResponse> StopWhenDoneAsync(Activity? activity, string method, long started, ValueTask<SailsResponse> send)
    {
        SailsResponse response;
        try
        {
            response = await send.ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            RequestTelemetry.Stop(activity, method, options.TimeProvider.GetElapsedTime(started), null, ex);
            throw;
        }

        RequestTelemetry.Stop(activity, method, options.TimeProvider.GetElapsedTime(started), response, null);
        return response;
    }

    /// <summary>Checks a request and sends it, or queues it while the socket connects.</summary>
    private ValueTask<SailsResponse> SendUnobservedAsync<TData>(
        string method,
        string url,
        IDictionary<string, string>? headers,
        ReadOnlyMemory<byte> rawData,
        TData data,
        JsonTypeInfo<TData>? dataTypeInfo,
        TimeSpan? timeout,
        ISet<string>? omittedDefaultHeaders,
        CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled<SailsResponse>(cancellationToken);
        }

        LiveConnection? connection;
        QueuedRequest? queued = null;
        SailsEnvelope<TData> envelope;
        TimeSpan requestTimeout;
        try
        {
            SailsRequestValidation.CheckUrl(url);
            if (headers is not null)
            {
                SailsRequestValidation.CheckHeaders(headers);
            }

            requestTimeout = timeout ?? options.RequestTimeout;
            SailsSocketOptions.CheckRequestTimeout(requestTimeout, nameof(timeout));
            envelope = new SailsEnvelope<TData>(method, url, headers, s_noHeaders, rawData, data, dataTypeInfo, omittedDefaultHeaders);
            connection = queue.TryGetOpen();
            if (connection is null)
            {
                queued = Queued(envelope, requestTimeout, cancellationToken);
                connection = queue.EnqueueUnlessOpen(queued);
            }
        }
#pragma warning disable CA1031 // Reported through the returned task, as an async method would.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            return ValueTask.FromException<SailsResponse>(ex);
        }

        return connection is null
            ? new ValueTask<SailsResponse>(queued!.Task)
            : SendOnAsync(connection, envelope, requestTimeout, cancellationToken, requeueIfNotSent: true);
    }

    /// <summary>Sends one request on a connection and maps every failure to the Sails exceptions.</summary>
    /// <param name="connection">The connection.</param>
    /// <param name="envelope">The request.</param>
    /// <param name="timeout">How long to wait for the response.</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <param name="requeueIfNotSent">
    /// When the connection turns out to be dead before the send and the socket has not handled the loss yet, queue the
    /// request for the next connection (with reconnection on) instead of failing it.
    /// </param>
    /// <remarks>
    /// A pooled state machine (<see cref="PoolingAsyncValueTaskMethodBuilder{TResult}"/>): callers await the result once
    /// (or call <see cref="ValueTask{TResult}.AsTask"/> once), never more.
    /// </remarks>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<SailsResponse> SendOnAsync<TData>(LiveConnection connection, SailsEnvelope<TData> envelope, TimeSpan timeout, CancellationToken cancellationToken, bool requeueIfNotSent = false)
    {
        SocketIoAck ack;
        try
        {
            ack = await connection.Io.EmitWithAckAsync(envelope.Method, envelope.WithDefaultHeaders(connection.RequestHeaders), EnvelopeWriter<TData>.Instance, null, timeout, cancellationToken).ConfigureAwait(false);
        }
        catch (SocketIoDisconnectedException ex) when (!ex.AfterSend && requeueIfNotSent)
        {
            var queued = Queued(envelope, timeout, cancellationToken);
            if (queue.TryEnqueueAfterLoss(queued, connection, options.Reconnection.Enabled))
            {
                return await queued.Task.ConfigureAwait(false);
            }

            throw SailsErrors.NotSent(envelope.Method, envelope.Url, ex);
        }
        catch (Exception ex) when (SailsErrors.Request(ex, envelope.Method, envelope.Url, timeout) is { } mapped)
        {
            throw mapped;
        }

        SailsResponse response;
        try
        {
            response = JwrReader.Read(ack.Arguments, ack.Attachments, envelope.Method, envelope.Url);
        }
        catch (SailsProtocolException ex) when (diagnostics.RequestProtocolError(ex))
        {
            throw;
        }

        if (!response.IsSuccessOrRedirect)
        {
            // Only an error response describes its body in an exception: it alone pays for the secrets it must not show.
            response.AttachSecrets(envelope.Headers is null ? connection.Secrets : connection.Secrets.With(envelope.Headers));
        }

        return response;
    }

    /// <summary>
    /// Sends a replayed subscription on a new connection: traced and counted like any request when someone listens. Its
    /// headers were fixed when it was first made, so no trace context is added.
    /// </summary>
    public async ValueTask<SailsResponse> ReplayOnAsync<TData>(LiveConnection connection, SailsEnvelope<TData> envelope, TimeSpan timeout)
    {
        if (!RequestTelemetry.IsObserved(propagate: false))
        {
            return await SendOnAsync(connection, envelope, timeout, CancellationToken.None).ConfigureAwait(false);
        }

        var started = options.TimeProvider.GetTimestamp();
        var activity = RequestTelemetry.Start(envelope.Method, envelope.Url, diagnostics.Url);
        return await StopWhenDoneAsync(activity, envelope.Method, started, SendOnAsync(connection, envelope, timeout, CancellationToken.None)).ConfigureAwait(false);
    }

    /// <summary>A queued form of a request. A method of its own so that only queued requests pay for the closure.</summary>
    private QueuedRequest Queued<TData>(SailsEnvelope<TData> envelope, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var deadline = timeout == Timeout.InfiniteTimeSpan ? long.MaxValue : options.TimeProvider.GetTimestamp() + (long)(timeout.TotalSeconds * options.TimeProvider.TimestampFrequency);
        return new QueuedRequest(envelope.Method, envelope.Url, timeout, deadline, (connection, remaining, token) => SendOnAsync(connection, envelope, remaining, token), cancellationToken);
    }

    /// <summary>One cached delegate per data type: writing the envelope allocates nothing.</summary>
    private static class EnvelopeWriter<TData>
    {
        public static readonly SocketIoArgumentsWriter<SailsEnvelope<TData>> Instance = static (writer, envelope) => SailsRequestWriter.Write(writer, envelope);
    }
}
