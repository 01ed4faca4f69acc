using System.Net.Security;
using System.Runtime.CompilerServices;
using System.Text.Json;
using SailSocket.Engine;
using SailSocket.SocketIo;

namespace SailSocket.LoadTool;

/// <summary>
/// SailSocket's own Socket.IO layer without the Sails layer on top: <see cref="SocketIoClient.EmitWithAckAsync"/> with the
/// same envelope <see cref="SailsSocket"/> sends, the JWR checked for a 200 like the raw floor checks it. Run beside
/// <c>raw</c> and <c>sailsocket</c>, it says which layer a gap to the floor comes from.
/// </summary>
/// <remarks>
/// With <c>--tls</c> (<paramref name="pin"/> set) every socket shares one handler that pins the certificate, as
/// <see cref="SailsClient"/> shares one: <see cref="EngineOptions.RemoteCertificateValidationCallback"/> alone serves only
/// the managed engine; <see cref="EngineWebSocketEngine.ClientWebSocket"/> connects through <see cref="EngineOptions.HttpInvoker"/>
/// (by default the Engine's shared invoker, which keeps the system's validation).
/// </remarks>
internal sealed class SocketIoLayerLoadClient(Uri url, string transport, TimeSpan timeout, RemoteCertificateValidationCallback? pin) : ILoadClientFactory
{
    private readonly HttpMessageInvoker? _invoker = pin is null
        ? null
        : new HttpMessageInvoker(
            new SocketsHttpHandler
            {
                UseCookies = false,
                AllowAutoRedirect = false,
                PooledConnectionIdleTimeout = TimeSpan.FromSeconds(30),
                SslOptions = { RemoteCertificateValidationCallback = pin },
            },
            disposeHandler: true);

    private static readonly JsonEncodedText s_method = JsonEncodedText.Encode("method");
    private static readonly JsonEncodedText s_get = JsonEncodedText.Encode("get");
    private static readonly JsonEncodedText s_headers = JsonEncodedText.Encode("headers");
    private static readonly JsonEncodedText s_data = JsonEncodedText.Encode("data");
    private static readonly JsonEncodedText s_url = JsonEncodedText.Encode("url");

    public string Name => "sailsocket-io";

    public async Task<ILoadSocket> ConnectAsync(CancellationToken cancellationToken)
    {
        var client = await SocketIoClient.ConnectAsync(
            new SocketIoOptions
            {
                Engine = new EngineOptions
                {
                    Url = url,
                    ConnectTimeout = timeout,
                    Transports = transport == "polling" ? EngineTransports.Polling : EngineTransports.WebSocket,
                    TimerResolution = TimeSpan.FromMilliseconds(100),
                    HttpInvoker = _invoker,
                    RemoteCertificateValidationCallback = pin,
                },
                ConnectTimeout = timeout,
                TimerResolution = TimeSpan.FromMilliseconds(100),
            },
            cancellationToken);
        return new Socket(client, timeout);
    }

    public ValueTask DisposeAsync()
    {
        _invoker?.Dispose();
        return ValueTask.CompletedTask;
    }

    private static void WriteEnvelope(Utf8JsonWriter writer, string requestUrl)
    {
        writer.WriteStartObject();
        writer.WriteString(s_method, s_get);
        writer.WriteStartObject(s_headers);
        writer.WriteEndObject();
        writer.WriteStartObject(s_data);
        writer.WriteEndObject();
        writer.WriteString(s_url, requestUrl);
        writer.WriteEndObject();
    }

    private sealed class Socket(SocketIoClient client, TimeSpan timeout) : ILoadSocket
    {
        [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
        public async ValueTask<bool> EchoAsync(int k)
        {
            var ack = await client.EmitWithAckAsync("get", EchoUrls.For(k), WriteEnvelope, null, timeout);
            return ack.Arguments.Span.IndexOf("\"statusCode\":200"u8) >= 0;
        }

        public ValueTask DisposeAsync() => client.DisposeAsync();
    }
}
