using System;
using System.Runtime.CompilerServices;
using System.Text.Json.Serialization.Metadata;
using System.Threading;
using System.Threading.Tasks;
using SailSocket.Protocol;

namespace SailSocket;

/// <content>
/// Requests (sails.io.js <c>.get()</c>, <c>.post()</c>, <c>.put()</c>, <c>.patch()</c>, <c>.delete()</c> and <c>.request()</c>).
/// Named as <see cref="System.Net.Http.HttpClient"/>'s JSON extensions are: <c>XxxAsync</c> returns the response whatever
/// its status, <c>XxxAsJsonAsync</c> sends typed data, <c>XxxFromJsonAsync</c> reads a typed body and throws on an error status.
/// </content>
public sealed partial class SailsSocket
{
    /// <summary>Sends <c>GET url</c>.</summary>
    /// <param name="url">The path and query, starting with '/'.</param>
    /// <param name="cancellationToken">Stops waiting for the response.</param>
    /// <returns>The response, whatever its status code (non-2xx responses do not throw).</returns>
    /// <exception cref="ArgumentException">The URL is not a path.</exception>
    /// <exception cref="SailsConnectionException">The socket is not connected, or the connection ended before the response.</exception>
    /// <exception cref="SailsRequestInterruptedException">The request was sent, then the connection ended before its response.</exception>
    /// <exception cref="SailsLimitExceededException">Too many requests wait already; nothing was sent.</exception>
    /// <exception cref="SailsTimeoutException">No response within the request timeout.</exception>
    /// <exception cref="SailsProtocolException">The response is not a JSON WebSocket Response.</exception>
    /// <exception cref="ObjectDisposedException">The socket is disposed.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public ValueTask<SailsResponse> GetAsync(string url, CancellationToken cancellationToken = default) =>
        Send(SailsMethods.Get, url, cancellationToken);

    /// <summary>Sends <c>GET url</c> with data (Sails merges it into the request parameters).</summary>
    /// <typeparam name="TData">The data type.</typeparam>
    /// <param name="url">The path and query, starting with '/'.</param>
    /// <param name="data">The data.</param>
    /// <param name="dataTypeInfo">Serialization metadata for the data (source-generated for AOT).</param>
    /// <param name="cancellationToken">Stops waiting for the response.</param>
    /// <returns>The response, whatever its status code.</returns>
    /// <exception cref="ArgumentException">The URL is not a path, the data does not serialise, or the request is larger than
    /// the server accepts; nothing was sent.</exception>
    /// <exception cref="SailsConnectionException">The socket is not connected, or the connection ended before the response.</exception>
    /// <exception cref="SailsRequestInterruptedException">The request was sent, then the connection ended before its response.</exception>
    /// <exception cref="SailsLimitExceededException">Too many requests wait already; nothing was sent.</exception>
    /// <exception cref="SailsTimeoutException">No response within the request timeout.</exception>
    /// <exception cref="SailsProtocolException">The response is not a JSON WebSocket Response.</exception>
    /// <exception cref="ObjectDisposedException">The socket is disposed.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public ValueTask<SailsResponse> GetAsJsonAsync<TData>(string url, TData data, JsonTypeInfo<TData> dataTypeInfo, CancellationToken cancellationToken = default) =>
        SendJson(SailsMethods.Get, url, data, dataTypeInfo, cancellationToken);

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
    /// <exception cref="SailsRequestInterruptedException">The request was sent, then the connection ended before its response.</exception>
    /// <exception cref="SailsLimitExceededException">Too many requests wait already; nothing was sent.</exception>
    /// <exception cref="SailsTimeoutException">No response within the request timeout.</exception>
    /// <exception cref="ObjectDisposedException">The socket is disposed.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public ValueTask<T?> GetFromJsonAsync<T>(string url, JsonTypeInfo<T> responseTypeInfo, CancellationToken cancellationToken = default) =>
        SendFromJson(SailsMethods.Get, url, responseTypeInfo, cancellationToken);

    /// <summary>Sends <c>POST url</c> with no data.</summary>
    /// <inheritdoc cref="GetAsync(string, CancellationToken)"/>
    public ValueTask<SailsResponse> PostAsync(string url, CancellationToken cancellationToken = default) =>
        Send(SailsMethods.Post, url, cancellationToken);

    /// <summary>Sends <c>POST url</c> with data.</summary>
    /// <inheritdoc cref="GetAsJsonAsync{TData}(string, TData, JsonTypeInfo{TData}, CancellationToken)"/>
    public ValueTask<SailsResponse> PostAsJsonAsync<TData>(string url, TData data, JsonTypeInfo<TData> dataTypeInfo, CancellationToken cancellationToken = default) =>
        SendJson(SailsMethods.Post, url, data, dataTypeInfo, cancellationToken);

    /// <summary>Sends <c>POST url</c> with no data and reads the body as <typeparamref name="T"/>; an error status throws.</summary>
    /// <inheritdoc cref="GetFromJsonAsync{T}(string, JsonTypeInfo{T}, CancellationToken)"/>
    public ValueTask<T?> PostFromJsonAsync<T>(string url, JsonTypeInfo<T> responseTypeInfo, CancellationToken cancellationToken = default) =>
        SendFromJson(SailsMethods.Post, url, responseTypeInfo, cancellationToken);

    /// <summary>Sends <c>PUT url</c> with no data.</summary>
    /// <inheritdoc cref="GetAsync(string, CancellationToken)"/>
    public ValueTask<SailsResponse> PutAsync(string url, CancellationToken cancellationToken = default) =>
        Send(SailsMethods.Put, url, cancellationToken);

    /// <summary>Sends <c>PUT url</c> with data.</summary>
    /// <inheritdoc cref="GetAsJsonAsync{TData}(string, TData, JsonTypeInfo{TData}, CancellationToken)"/>
    public ValueTask<SailsResponse> PutAsJsonAsync<TData>(string url, TData data, JsonTypeInfo<TData> dataTypeInfo, CancellationToken cancellationToken = default) =>
        SendJson(SailsMethods.Put, url, data, dataTypeInfo, cancellationToken);

    /// <summary>Sends <c>PUT url</c> with no data and reads the body as <typeparamref name="T"/>; an error status throws.</summary>
    /// <inheritdoc cref="GetFromJsonAsync{T}(string, JsonTypeInfo{T}, CancellationToken)"/>
    public ValueTask<T?> PutFromJsonAsync<T>(string url, JsonTypeInfo<T> responseTypeInfo, CancellationToken cancellationToken = default) =>
        SendFromJson(SailsMethods.Put, url, responseTypeInfo, cancellationToken);

    /// <summary>Sends <c>PATCH url</c> with no data.</summary>
    /// <inheritdoc cref="GetAsync(string, CancellationToken)"/>
    public ValueTask<SailsResponse> PatchAsync(string url, CancellationToken cancellationToken = default) =>
        Send(SailsMethods.Patch, url, cancellationToken);

    /// <summary>Sends <c>PATCH url</c> with data.</summary>
    /// <inheritdoc cref="GetAsJsonAsync{TData}(string, TData, JsonTypeInfo{TData}, CancellationToken)"/>
    public ValueTask<SailsResponse> PatchAsJsonAsync<TData>(string url, TData data, JsonTypeInfo<TData> dataTypeInfo, CancellationToken cancellationToken = default) =>
        SendJson(SailsMethods.Patch, url, data, dataTypeInfo, cancellationToken);

    /// <summary>Sends <c>PATCH url</c> with no data and reads the body as <typeparamref name="T"/>; an error status throws.</summary>
    /// <inheritdoc cref="GetFromJsonAsync{T}(string, JsonTypeInfo{T}, CancellationToken)"/>
    public ValueTask<T?> PatchFromJsonAsync<T>(string url, JsonTypeInfo<T> responseTypeInfo, CancellationToken cancellationToken = default) =>
        SendFromJson(SailsMethods.Patch, url, responseTypeInfo, cancellationToken);

    /// <summary>Sends <c>DELETE url</c> with no data.</summary>
    /// <inheritdoc cref="GetAsync(string, CancellationToken)"/>
    public ValueTask<SailsResponse> DeleteAsync(string url, CancellationToken cancellationToken = default) =>
        Send(SailsMethods.Delete, url, cancellationToken);

    /// <summary>Sends <c>DELETE url</c> with data.</summary>
    /// <inheritdoc cref="GetAsJsonAsync{TData}(string, TData, JsonTypeInfo{TData}, CancellationToken)"/>
    public ValueTask<SailsResponse> DeleteAsJsonAsync<TData>(string url, TData data, JsonTypeInfo<TData> dataTypeInfo, CancellationToken cancellationToken = default) =>
        SendJson(SailsMethods.Delete, url, data, dataTypeInfo, cancellationToken);

    /// <summary>Sends <c>DELETE url</c> with no data and reads the body as <typeparamref name="T"/>; an error status throws.</summary>
    /// <inheritdoc cref="GetFromJsonAsync{T}(string, JsonTypeInfo{T}, CancellationToken)"/>
    public ValueTask<T?> DeleteFromJsonAsync<T>(string url, JsonTypeInfo<T> responseTypeInfo, CancellationToken cancellationToken = default) =>
        SendFromJson(SailsMethods.Delete, url, responseTypeInfo, cancellationToken);

    /// <summary>Sends a request with any method, headers, raw JSON data and timeout (<c>io.socket.request(…)</c>).</summary>
    /// <param name="request">The request.</param>
    /// <param name="cancellationToken">Stops waiting for the response.</param>
    /// <returns>The response, whatever its status code.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="request"/> is null.</exception>
    /// <exception cref="ArgumentException">A header name or value is invalid, the data is not valid JSON, or the request is larger
    /// than the server accepts (its <c>maxPayload</c>); nothing was sent.</exception>
    /// <exception cref="SailsConnectionException">The socket is not connected, or the connection ended before the response.</exception>
    /// <exception cref="SailsRequestInterruptedException">The request was sent, then the connection ended before its response.</exception>
    /// <exception cref="SailsLimitExceededException">Too many requests wait already; nothing was sent.</exception>
    /// <exception cref="SailsTimeoutException">No response within the request's timeout.</exception>
    /// <exception cref="SailsProtocolException">The response is not a JSON WebSocket Response.</exception>
    /// <exception cref="ObjectDisposedException">The socket is disposed.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public ValueTask<SailsResponse> RequestAsync(SailsRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        return SendRequest(request, cancellationToken);
    }

    /// <summary>Sends a request and reads the body as <typeparamref name="T"/>; an error status throws.</summary>
    /// <typeparam name="T">The body type.</typeparam>
    /// <param name="request">The request.</param>
    /// <param name="responseTypeInfo">Serialization metadata for the body.</param>
    /// <param name="cancellationToken">Stops waiting for the response.</param>
    /// <returns>The body, or <see langword="default"/> when the response has none.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="request"/> or <paramref name="responseTypeInfo"/> is null.</exception>
    /// <exception cref="SailsRequestException">The status code is below 200 or at least 400.</exception>
    /// <exception cref="System.Text.Json.JsonException">The body does not match <typeparamref name="T"/>.</exception>
    /// <exception cref="SailsConnectionException">The socket is not connected, or the connection ended before the response.</exception>
    /// <exception cref="SailsRequestInterruptedException">The request was sent, then the connection ended before its response.</exception>
    /// <exception cref="SailsLimitExceededException">Too many requests wait already; nothing was sent.</exception>
    /// <exception cref="SailsTimeoutException">No response within the request's timeout.</exception>
    /// <exception cref="ObjectDisposedException">The socket is disposed.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public ValueTask<T?> RequestFromJsonAsync<T>(SailsRequest request, JsonTypeInfo<T> responseTypeInfo, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(responseTypeInfo);
        return ReadBodyAsync(SendRequest(request, cancellationToken), responseTypeInfo);
    }

    private ValueTask<SailsResponse> Send(string method, string url, CancellationToken cancellationToken) =>
        _sender.SendAsync<byte>(method, url, null, default, default, null, null, null, cancellationToken);

    private ValueTask<SailsResponse> SendRequest(SailsRequest request, CancellationToken cancellationToken) =>
        _sender.SendAsync<byte>(request.Method, request.Url, request.Headers, request.Data, default, null, request.Timeout, request.OmittedDefaultHeaders, cancellationToken);

    private ValueTask<SailsResponse> SendJson<TData>(string method, string url, TData data, JsonTypeInfo<TData> dataTypeInfo, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(dataTypeInfo);
        return _sender.SendAsync(method, url, null, default, data, dataTypeInfo, null, null, cancellationToken);
    }

    private ValueTask<T?> SendFromJson<T>(string method, string url, JsonTypeInfo<T> responseTypeInfo, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(responseTypeInfo);
        return ReadBodyAsync(Send(method, url, cancellationToken), responseTypeInfo);
    }

    /// <summary>
    /// Awaits a response and reads its body (the typed overloads). A pooled state machine, like the send it awaits: a typed
    /// request allocates only its response and the body the caller asked for.
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private static async ValueTask<T?> ReadBodyAsync<T>(ValueTask<SailsResponse> pending, JsonTypeInfo<T> responseTypeInfo)
    {
        var response = await pending.ConfigureAwait(false);
        return response.EnsureSuccessStatusCode().ReadBody(responseTypeInfo);
    }
}
