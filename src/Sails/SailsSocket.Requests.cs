using System;
using System.Collections.Generic;
using System.Runtime.CompilerServices;
using System.Text.Json.Serialization.Metadata;
using System.Threading;
using System.Threading.Tasks;
using SailSocket.Internal;
using SailSocket.Protocol;
using SailSocket.SocketIo;

namespace SailSocket;

/// <content>Requests: the seed's <c>.get()</c>, <c>.post()</c>, <c>.put()</c>, <c>.patch()</c>, <c>.delete()</c> and <c>.request()</c>.</content>
public sealed partial class SailsSocket
{
    /// <summary>Sends <c>GET url</c>.</summary>
    /// <param name="url">The path and query, starting with '/'.</param>
    /// <param name="cancellationToken">Stops waiting for the response.</param>
    /// <returns>The response, whatever its status code (non-2xx responses do not throw).</returns>
    /// <exception cref="ArgumentException">The URL is not a path.</exception>
    /// <exception cref="SailsConnectionException">The socket is not connected, or the connection ended before the response.</exception>
    /// <exception cref="SailsTimeoutException">No response within the request timeout.</exception>
    /// <exception cref="SailsProtocolException">The response is not a JSON WebSocket Response.</exception>
    /// <exception cref="ObjectDisposedException">The socket is disposed.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public ValueTask<SailsResponse> GetAsync(string url, CancellationToken cancellationToken = default) =>
        SendAsync<byte>(SailsMethods.Get, url, null, default, default, null, null, cancellationToken);

    /// <summary>Sends <c>GET url</c> with data (Sails merges it into the request parameters).</summary>
    /// <typeparam name="TData">The data type.</typeparam>
    /// <param name="url">The path and query, starting with '/'.</param>
    /// <param name="data">The data.</param>
    /// <param name="dataTypeInfo">Serialization metadata for the data.</param>
    /// <param name="cancellationToken">Stops waiting for the response.</param>
    /// <returns>The response.</returns>
    /// <exception cref="ArgumentException">The URL is not a path, the data does not serialise, or the request is larger than
    /// the server accepts; nothing was sent.</exception>
    /// <exception cref="SailsConnectionException">The socket is not connected, or the connection ended before the response.</exception>
    /// <exception cref="SailsTimeoutException">No response within the request timeout.</exception>
    /// <exception cref="SailsProtocolException">The response is not a JSON WebSocket Response.</exception>
    /// <exception cref="ObjectDisposedException">The socket is disposed.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public ValueTask<SailsResponse> GetAsync<TData>(string url, TData data, JsonTypeInfo<TData> dataTypeInfo, CancellationToken cancellationToken = default) =>
        SendTypedAsync(SailsMethods.Get, url, data, dataTypeInfo, cancellationToken);

    /// <summary>Sends <c>GET url</c> and reads the body as <typeparamref name="T"/>; an error status throws.</summary>
    /// <typeparam name="T">The body type.</typeparam>
    /// <param name="url">The path and query, starting with '/'.</param>
    /// <param name="responseTypeInfo">Serialization metadata for the body (source-generated for AOT).</param>
    /// <param name="cancellationToken">Stops waiting for the response.</param>
    /// <returns>The body, or <see langword="default"/> when the response has none.</returns>
    /// <exception cref="SailsRequestException">The status code is below 200 or at least 400; the exception carries the response.</exception>
    /// <exception cref="System.Text.Json.JsonException">The body does not match <typeparamref name="T"/>.</exception>
    /// <exception cref="ArgumentException">The URL is not a path.</exception>
    /// <exception cref="SailsConnectionException">The socket is not connected, or the connection ended before the response.</exception>
    /// <exception cref="SailsTimeoutException">No response within the request timeout.</exception>
    /// <exception cref="ObjectDisposedException">The socket is disposed.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public ValueTask<T?> GetAsync<T>(string url, JsonTypeInfo<T> responseTypeInfo, CancellationToken cancellationToken = default) =>
        responseTypeInfo is null
            ? ValueTask.FromException<T?>(new ArgumentNullException(nameof(responseTypeInfo)))
            : ReadBodyAsync(SendAsync<byte>(SailsMethods.Get, url, null, default, default, null, null, cancellationToken), responseTypeInfo);

    /// <summary>Sends a request and reads the body as <typeparamref name="T"/>; an error status throws.</summary>
    /// <typeparam name="T">The body type.</typeparam>
    /// <param name="request">The request.</param>
    /// <param name="responseTypeInfo">Serialization metadata for the body.</param>
    /// <param name="cancellationToken">Stops waiting for the response.</param>
    /// <returns>The body, or <see langword="default"/> when the response has none.</returns>
    /// <exception cref="SailsRequestException">The status code is below 200 or at least 400.</exception>
    /// <exception cref="System.Text.Json.JsonException">The body does not match <typeparamref name="T"/>.</exception>
    /// <exception cref="SailsConnectionException">The socket is not connected, or the connection ended before the response.</exception>
    /// <exception cref="SailsTimeoutException">No response within the request's timeout.</exception>
    /// <exception cref="ObjectDisposedException">The socket is disposed.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public ValueTask<T?> RequestAsync<T>(SailsRequest request, JsonTypeInfo<T> responseTypeInfo, CancellationToken cancellationToken = default)
    {
        if (responseTypeInfo is null)
        {
            return ValueTask.FromException<T?>(new ArgumentNullException(nameof(responseTypeInfo)));
        }

        return request is null
            ? ValueTask.FromException<T?>(new ArgumentNullException(nameof(request)))
            : ReadBodyAsync(SendRequestAsync(request, cancellationToken), responseTypeInfo);
    }

    /// <summary>Sends <c>POST url</c> with no data.</summary>
    /// <inheritdoc cref="GetAsync(string, CancellationToken)"/>
    public ValueTask<SailsResponse> PostAsync(string url, CancellationToken cancellationToken = default) =>
        SendAsync<byte>(SailsMethods.Post, url, null, default, default, null, null, cancellationToken);

    /// <summary>Sends <c>POST url</c> with data.</summary>
    /// <inheritdoc cref="GetAsync{TData}(string, TData, JsonTypeInfo{TData}, CancellationToken)"/>
    public ValueTask<SailsResponse> PostAsync<TData>(string url, TData data, JsonTypeInfo<TData> dataTypeInfo, CancellationToken cancellationToken = default) =>
        SendTypedAsync(SailsMethods.Post, url, data, dataTypeInfo, cancellationToken);

    /// <summary>Sends <c>PUT url</c> with no data.</summary>
    /// <inheritdoc cref="GetAsync(string, CancellationToken)"/>
    public ValueTask<SailsResponse> PutAsync(string url, CancellationToken cancellationToken = default) =>
        SendAsync<byte>(SailsMethods.Put, url, null, default, default, null, null, cancellationToken);

    /// <summary>Sends <c>PUT url</c> with data.</summary>
    /// <inheritdoc cref="GetAsync{TData}(string, TData, JsonTypeInfo{TData}, CancellationToken)"/>
    public ValueTask<SailsResponse> PutAsync<TData>(string url, TData data, JsonTypeInfo<TData> dataTypeInfo, CancellationToken cancellationToken = default) =>
        SendTypedAsync(SailsMethods.Put, url, data, dataTypeInfo, cancellationToken);

    /// <summary>Sends <c>PATCH url</c> with no data.</summary>
    /// <inheritdoc cref="GetAsync(string, CancellationToken)"/>
    public ValueTask<SailsResponse> PatchAsync(string url, CancellationToken cancellationToken = default) =>
        SendAsync<byte>(SailsMethods.Patch, url, null, default, default, null, null, cancellationToken);

    /// <summary>Sends <c>PATCH url</c> with data.</summary>
    /// <inheritdoc cref="GetAsync{TData}(string, TData, JsonTypeInfo{TData}, CancellationToken)"/>
    public ValueTask<SailsResponse> PatchAsync<TData>(string url, TData data, JsonTypeInfo<TData> dataTypeInfo, CancellationToken cancellationToken = default) =>
        SendTypedAsync(SailsMethods.Patch, url, data, dataTypeInfo, cancellationToken);

    /// <summary>Sends <c>DELETE url</c> with no data.</summary>
    /// <inheritdoc cref="GetAsync(string, CancellationToken)"/>
    public ValueTask<SailsResponse> DeleteAsync(string url, CancellationToken cancellationToken = default) =>
        SendAsync<byte>(SailsMethods.Delete, url, null, default, default, null, null, cancellationToken);

    /// <summary>Sends <c>DELETE url</c> with data.</summary>
    /// <inheritdoc cref="GetAsync{TData}(string, TData, JsonTypeInfo{TData}, CancellationToken)"/>
    public ValueTask<SailsResponse> DeleteAsync<TData>(string url, TData data, JsonTypeInfo<TData> dataTypeInfo, CancellationToken cancellationToken = default) =>
        SendTypedAsync(SailsMethods.Delete, url, data, dataTypeInfo, cancellationToken);

    /// <summary>Sends a request with any method, headers, raw JSON data and timeout (<c>io.socket.request(…)</c>).</summary>
    /// <param name="request">The request.</param>
    /// <param name="cancellationToken">Stops waiting for the response.</param>
    /// <returns>The response, whatever its status code.</returns>
    /// <exception cref="ArgumentException">A header name or value is invalid, the data is not valid JSON, or the request is larger
    /// than the server accepts (its <c>maxPayload</c>); nothing was sent.</exception>
    /// <exception cref="SailsConnectionException">The socket is not connected, or the connection ended before the response.</exception>
    /// <exception cref="SailsTimeoutException">No response within the request's timeout.</exception>
    /// <exception cref="SailsProtocolException">The response is not a JSON WebSocket Response.</exception>
    /// <exception cref="ObjectDisposedException">The socket is disposed.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public ValueTask<SailsResponse> RequestAsync(SailsRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        return SendRequestAsync(request, cancellationToken);
    }

    private ValueTask<SailsResponse> SendRequestAsync(SailsRequest request, CancellationToken cancellationToken) =>
        SendAsync<byte>(request.Method, request.Url, request.Headers, request.Data, default, null, request.Timeout, cancellationToken, request.OmittedDefaultHeaders);

    private ValueTask<SailsResponse> SendTypedAsync<TData>(string method, string url, TData data, JsonTypeInfo<TData> dataTypeInfo, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(dataTypeInfo);
        return SendAsync(method, url, null, default, data, dataTypeInfo, null, cancellationToken);
    }

    /// <summary>
    /// Awaits a response and reads its body (the typed overloads). Pooled state machine, like the <see cref="SendOnAsync"/>
    /// it awaits: a typed request allocates only its response and the body the caller asked for.
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private static async ValueTask<T?> ReadBodyAsync<T>(ValueTask<SailsResponse> pending, JsonTypeInfo<T> responseTypeInfo)
    {
        var response = await pending.ConfigureAwait(false);
        return response.EnsureSuccessStatusCode().ReadBody(responseTypeInfo);
    }

    /// <summary>
    /// Checks a request and sends it, or queues it while the socket connects. Not async itself: the direct path costs one
    /// pooled state machine (<see cref="SendOnAsync"/>), and errors found here come back as a faulted task. The public
    /// methods return it as it is: the Sails layer's request path allocates nothing besides the response.
    /// </summary>
    private ValueTask<SailsResponse> SendAsync<TData>(
        string method,
        string url,
        IDictionary<string, string>? headers,
        ReadOnlyMemory<byte> rawData,
        TData data,
        JsonTypeInfo<TData>? dataTypeInfo,
        TimeSpan? timeout,
        CancellationToken cancellationToken,
        ISet<string>? omittedDefaultHeaders = null)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled<SailsResponse>(cancellationToken);
        }

        SocketIoClient? io = null;
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

            requestTimeout = timeout ?? _settings.RequestTimeout;
            SailsSocketOptions.CheckRequestTimeout(requestTimeout, nameof(timeout));
            envelope = new SailsEnvelope<TData>(method, url, headers, _settings.Headers, rawData, data, dataTypeInfo, omittedDefaultHeaders);
            lock (_gate)
            {
                ThrowIfDisposed();
                if (_state == SailsSocketState.Connected && !_flushing && _io is { } current)
                {
                    io = current;
                }
                else if (_state is SailsSocketState.Connecting or SailsSocketState.Reconnecting || _flushing)
                {
                    queued = EnqueueEnvelope(envelope, requestTimeout, cancellationToken);
                }
                else
                {
                    throw new SailsConnectionException($"{Describe(envelope)} was not sent: the socket is not connected (call ConnectAsync, or enable reconnection).");
                }
            }
        }
#pragma warning disable CA1031 // Reported through the returned task, as an async method would.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            return ValueTask.FromException<SailsResponse>(ex);
        }

        if (queued is not null)
        {
            queued.WatchCancellation(this);
            return new ValueTask<SailsResponse>(queued.Task);
        }

        return SendOnAsync(io!, envelope, requestTimeout, cancellationToken, requeueIfNotSent: true);
    }

    /// <summary>Queues an envelope; under the lock. A method of its own so that only queued requests pay for the closure.</summary>
    private QueuedRequest EnqueueEnvelope<TData>(SailsEnvelope<TData> envelope, TimeSpan timeout, CancellationToken cancellationToken) =>
        Enqueue(envelope.Method, envelope.Url, timeout, (connection, remaining, token) => SendOnAsync(connection, envelope, remaining, token), cancellationToken);

    /// <summary>Sends one request on a connection and maps every failure to the Sails exceptions.</summary>
    /// <param name="io">The connection.</param>
    /// <param name="envelope">The request.</param>
    /// <param name="timeout">How long to wait for the response.</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <param name="requeueIfNotSent">
    /// When the connection turns out to be dead before the send and the socket has not handled the loss yet, queue the
    /// request for the next connection (with reconnection on) instead of failing it.
    /// </param>
    /// <remarks>
    /// A pooled state machine (<see cref="PoolingAsyncValueTaskMethodBuilder{TResult}"/>): the box goes back to the
    /// pool when the caller's task reads the result, so the next request on that thread reuses it. Callers await the
    /// result once (or call <see cref="ValueTask{TResult}.AsTask"/> once), never more.
    /// </remarks>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<SailsResponse> SendOnAsync<TData>(SocketIoClient io, SailsEnvelope<TData> envelope, TimeSpan timeout, CancellationToken cancellationToken, bool requeueIfNotSent = false)
    {
        SocketIoAck ack;
        try
        {
            ack = await io.EmitWithAckAsync(envelope.Method, envelope, EnvelopeWriter<TData>.Instance, null, timeout, cancellationToken).ConfigureAwait(false);
        }
        catch (SocketIoTimeoutException ex)
        {
            throw new SailsTimeoutException($"No response to {Describe(envelope)} within {timeout.TotalMilliseconds:0} ms. The server may still process it.", ex);
        }
        catch (SocketIoDisconnectedException ex) when (ex.AfterSend)
        {
            throw new SailsRequestInterruptedException($"{Describe(envelope)} was sent, then the connection ended before its response: the server may or may not have processed it. ({ex.Message})", ex);
        }
        catch (SocketIoDisconnectedException ex)
        {
            if (requeueIfNotSent && TryEnqueueAfterLostConnection(io, envelope, timeout, cancellationToken) is { } queued)
            {
                queued.WatchCancellation(this);
                return await queued.Task.ConfigureAwait(false);
            }

            throw new SailsConnectionException($"{Describe(envelope)} was not sent: the connection had ended. ({ex.Message})", ex);
        }
        catch (SocketIoAckLimitException ex)
        {
            throw new InvalidOperationException($"{Describe(envelope)} was refused: {ex.Limit} requests already wait for their responses (SailsClientOptions.MaxPendingRequests); nothing was sent.", ex);
        }
        catch (SocketIoProtocolException ex)
        {
            throw new SailsProtocolException($"The response to {Describe(envelope)} is malformed: {ex.Message}", ex);
        }
        catch (SocketIoMessageTooLargeException ex)
        {
            throw new ArgumentException($"{Describe(envelope)} was not sent: {ex.Message}", nameof(envelope), ex);
        }
        catch (Exception ex) when (ex is System.Text.Json.JsonException or NotSupportedException)
        {
            throw new ArgumentException($"The data of {Describe(envelope)} could not be serialised: {ex.Message}", nameof(envelope), ex);
        }

        return JwrReader.Read(ack.Arguments, ack.Attachments, envelope.Method, envelope.Url);
    }

    /// <summary>
    /// The Socket.IO layer learns of a loss before the socket does: a request made in that window is queued for the
    /// next connection when reconnection is about to start, rather than refused.
    /// </summary>
    private QueuedRequest? TryEnqueueAfterLostConnection<TData>(SocketIoClient lost, SailsEnvelope<TData> envelope, TimeSpan timeout, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            var reconnecting = _state is SailsSocketState.Connecting or SailsSocketState.Reconnecting
                || (_state == SailsSocketState.Connected && ReferenceEquals(_io, lost) && _settings.Reconnection.Enabled);
            return reconnecting ? EnqueueEnvelope(envelope, timeout, cancellationToken) : null;
        }
    }

    private static string Describe<TData>(SailsEnvelope<TData> envelope) => SafeDescription.Request(envelope.Method, envelope.Url);

    /// <summary>One cached delegate per data type: writing the envelope allocates nothing.</summary>
    private static class EnvelopeWriter<TData>
    {
        public static readonly SocketIoArgumentsWriter<SailsEnvelope<TData>> Instance = static (writer, envelope) => SailsRequestWriter.Write(writer, envelope);
    }
}
