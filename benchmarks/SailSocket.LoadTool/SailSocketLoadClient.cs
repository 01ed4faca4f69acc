using System.Net.Security;
using System.Runtime.CompilerServices;
using SailSocket.Engine;

namespace SailSocket.LoadTool;

/// <summary>SailSocket as a user would use it: one <see cref="SailsClient"/>, sockets from it, <c>GetAsync(url)</c>.</summary>
internal sealed class SailSocketLoadClient : ILoadClientFactory
{
    private readonly SailsClient _client;

    /// <param name="pin">With <c>--tls</c>: the certificate check (<see cref="TlsCertificate.Validate"/>); otherwise null.</param>
    public SailSocketLoadClient(Uri url, string transport, TimeSpan timeout, RemoteCertificateValidationCallback? pin, EngineWebSocketEngine engine = EngineWebSocketEngine.ClientWebSocket, bool receiveThread = false)
    {
        Name = receiveThread ? "sailsocket-thread" : engine == EngineWebSocketEngine.Managed ? "sailsocket-managed" : "sailsocket";
        _client = new SailsClient(new SailsClientOptions
        {
            WebSocketEngine = engine,
            ReceiveThread = receiveThread,
            Url = url,
            ConnectTimeout = timeout,
            RequestTimeout = timeout,
            Transports = transport == "polling" ? EngineTransports.Polling : EngineTransports.WebSocket,

            // The shared handler's TLS check and the managed engine's.
            RemoteCertificateValidationCallback = pin,
        });
    }

    public string Name { get; }

    public async Task<ILoadSocket> ConnectAsync(CancellationToken cancellationToken) =>
        new Socket(await _client.ConnectAsync(cancellationToken));

    public ValueTask DisposeAsync() => _client.DisposeAsync();

    private sealed class Socket(SailsSocket socket) : ILoadSocket
    {
        // Pooled state machine: the wrapper adds no allocation of its own to SailSocket's figures.
        [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
        public async ValueTask<bool> EchoAsync(int k)
        {
            // No token: the request is bounded by RequestTimeout (the shared timer), which is how SailSocket bounds waits.
            var response = await socket.GetAsync(EchoUrls.For(k));
            return response.StatusCode == 200;
        }

        public ValueTask DisposeAsync() => socket.DisposeAsync();
    }
}
