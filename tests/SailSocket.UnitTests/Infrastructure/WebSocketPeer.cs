using System;
using System.Buffers;
using System.IO;
using System.Net.WebSockets;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using Nerdbank.Streams;
using SailSocket.Engine;

namespace SailSocket.UnitTests.Infrastructure;

/// <summary>
/// A scripted Engine.IO server over an in-memory WebSocket: <see cref="FullDuplexStream.CreatePair"/> plus
/// <see cref="WebSocket.CreateFromStream(Stream, WebSocketCreationOptions)"/> on both ends.
/// The client end is handed to the code under test through <see cref="EngineOptions.WebSocketFactory"/>.
/// </summary>
internal sealed class WebSocketPeer : IAsyncDisposable
{
    private readonly Stream _serverStream;
    private readonly Stream _clientStream;
    private int _factoryCalls;

    public WebSocketPeer()
    {
        var (serverStream, clientStream) = FullDuplexStream.CreatePair();
        _serverStream = serverStream;
        _clientStream = new SocketLikeStream(clientStream);
        Server = WebSocket.CreateFromStream(_serverStream, new WebSocketCreationOptions { IsServer = true, KeepAliveInterval = TimeSpan.Zero });
        Client = WebSocket.CreateFromStream(_clientStream, new WebSocketCreationOptions { IsServer = false, KeepAliveInterval = TimeSpan.Zero });
    }

    /// <summary>The server end, driven by the test.</summary>
    public WebSocket Server { get; }

    /// <summary>The client end, owned by the connection under test once the factory hands it out.</summary>
    public WebSocket Client { get; }

    /// <summary>The handshake URL the connection asked the factory for.</summary>
    public Uri? RequestedUri { get; private set; }

    public int FactoryCalls => Volatile.Read(ref _factoryCalls);

    /// <summary>An EIO4 open packet as the server sends it over WebSocket (protocol.md §2.3), with the limits as parameters.</summary>
    public static string OpenPacket(int pingInterval = 25000, int pingTimeout = 60000, long maxPayload = 100000000) =>
        $"0{{\"sid\":\"MNQeYTmC5hM-mxNWAAAB\",\"upgrades\":[],\"pingInterval\":{pingInterval},\"pingTimeout\":{pingTimeout},\"maxPayload\":{maxPayload}}}";

    /// <summary>Options that connect to this peer; the URL points at a port nothing listens on, so no real socket can be used.</summary>
    public EngineOptions CreateOptions(TimeSpan? connectTimeout = null, int? maxMessageSize = null, TimerSettings? timer = null) => new()
    {
        Url = new Uri("http://127.0.0.1:1"),
        WebSocketFactory = (uri, _) =>
        {
            RequestedUri = uri;
            Interlocked.Increment(ref _factoryCalls);
            return ValueTask.FromResult(Client);
        },
        ConnectTimeout = connectTimeout ?? TestTimeouts.Default,
        MaxMessageSize = maxMessageSize ?? 16 * 1024 * 1024,
        TimeProvider = timer?.TimeProvider ?? TimeProvider.System,
        TimerResolution = timer?.Resolution ?? TimeSpan.FromSeconds(1),
    };

    public Task SendTextAsync(string text) => SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, endOfMessage: true);

    public Task SendBinaryAsync(byte[] data) => SendAsync(data, WebSocketMessageType.Binary, endOfMessage: true);

    public async Task SendAsync(byte[] data, WebSocketMessageType type, bool endOfMessage)
    {
        using var cts = new CancellationTokenSource(TestTimeouts.Default);
        await Server.SendAsync(data, type, endOfMessage, cts.Token);
    }

    public Task SendOpenAsync(int pingInterval = 25000, int pingTimeout = 60000, long maxPayload = 100000000) =>
        SendTextAsync(OpenPacket(pingInterval, pingTimeout, maxPayload));

    /// <summary>Receives one whole message from the client, bounded by <see cref="TestTimeouts.Default"/>.</summary>
    public async Task<(WebSocketMessageType Type, byte[] Data)> ReceiveAsync()
    {
        using var cts = new CancellationTokenSource(TestTimeouts.Default);
        var buffer = new ArrayBufferWriter<byte>();
        while (true)
        {
            var result = await Server.ReceiveAsync(buffer.GetMemory(4096), cts.Token);
            buffer.Advance(result.Count);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                return (WebSocketMessageType.Close, []);
            }

            if (result.EndOfMessage)
            {
                return (result.MessageType, buffer.WrittenSpan.ToArray());
            }
        }
    }

    /// <summary>Receives one text message from the client and decodes it.</summary>
    public async Task<string> ReceiveTextAsync()
    {
        var (type, data) = await ReceiveAsync();
        if (type != WebSocketMessageType.Text)
        {
            throw new InvalidDataException($"Expected a text message from the client, got {type}.");
        }

        return Encoding.UTF8.GetString(data);
    }

    /// <summary>Sends a close frame with status 1000 through the server WebSocket.</summary>
    public async Task CloseAsync()
    {
        using var cts = new CancellationTokenSource(TestTimeouts.Default);
        await Server.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, cts.Token);
    }

    /// <summary>
    /// Sends a close frame without a status code: the bytes <c>88 00</c>, what the server sends when it drops a session
    /// (protocol.md §2.5; clients see 1005). Written raw because <c>CloseOutputAsync(WebSocketCloseStatus.Empty)</c> puts
    /// the reserved code 1005 itself on the wire (<c>88 02 03 ED</c>), which a client rightly treats as a protocol error.
    /// The server WebSocket must not be used for sending after this.
    /// </summary>
    public async Task CloseWithoutStatusAsync()
    {
        using var cts = new CancellationTokenSource(TestTimeouts.Default);
        await _serverStream.WriteAsync(new byte[] { 0x88, 0x00 }, cts.Token);
        await _serverStream.FlushAsync(cts.Token);
    }

    public async ValueTask DisposeAsync()
    {
        Server.Abort();
        Server.Dispose();
        Client.Dispose();
        await _serverStream.DisposeAsync();
        await _clientStream.DisposeAsync();
    }
}
