using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Serialization;
using SocketIOClient;
using SocketIOClient.Transport;

namespace SailSocket.LoadTool;

/// <summary>
/// The SocketIOClient package (3.0.6) sending the same Sails envelope as an event with an ack callback, the way a
/// Sails user of that package has to: <c>EmitAsync("get", ack, new { method, headers, data, url })</c>.
/// </summary>
/// <remarks>
/// The envelopes are built once per URL (<see cref="Envelopes"/>) and each outstanding request reuses one cached ack
/// callback, so what is measured is the package's own cost. The callback reads <c>statusCode</c>, the least a caller does.
/// </remarks>
internal sealed class SocketIoClientLoadClient(Uri url, string transport, TimeSpan timeout) : ILoadClientFactory
{
    private static readonly Envelope[] s_envelopes = Enumerable.Range(0, EchoUrls.Count).Select(i => new Envelope(EchoUrls.For(i))).ToArray();

    public string Name => "socketioclient";

    public async Task<ILoadSocket> ConnectAsync(CancellationToken cancellationToken)
    {
        var io = new SocketIOClient.SocketIO(url, new SocketIOOptions
        {
            EIO = 4,
            Transport = transport == "polling" ? TransportProtocol.Polling : TransportProtocol.WebSocket,
            AutoUpgrade = false,
            Reconnection = false,
            ConnectionTimeout = timeout,
            Query = SailsQuery.Pairs,
        });
        // ConnectAsync returns before the namespace connect is acknowledged (3.0.6): an emit sent in between is lost,
        // so the socket counts as connected when OnConnected fires.
        var connected = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        io.OnConnected += (_, _) => connected.TrySetResult();
        io.OnError += (_, e) => connected.TrySetException(new InvalidOperationException("SocketIOClient: " + e));
        try
        {
            await io.ConnectAsync().WaitAsync(cancellationToken);
            await connected.Task.WaitAsync(cancellationToken);
            return new Socket(io);
        }
        catch
        {
            io.Dispose();
            throw;
        }
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    private sealed class Socket(SocketIOClient.SocketIO io) : ILoadSocket
    {
        private readonly Lock _gate = new();
        private readonly Stack<Request> _free = new();
        private readonly HashSet<Request> _outstanding = [];
        private readonly SemaphoreSlim _emitLock = new(1, 1);
        private bool _disposed;

        [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
        public async ValueTask<bool> EchoAsync(int k)
        {
            Request request;
            ValueTask<bool> wait;
            lock (_gate)
            {
                ObjectDisposedException.ThrowIf(_disposed, this);
                request = _free.Count > 0 ? _free.Pop() : new Request();
                wait = request.Signal.Arm();
                _outstanding.Add(request);
            }

            // Emits are serialised, waits are not: with concurrent EmitAsync calls on one socket, 3.0.6 lost acks in
            // our runs (a pipelined phase stalled within its warm-up). One emit at a time is what a user has to do.
            await _emitLock.WaitAsync();
            try
            {
                await io.EmitAsync("get", request.Callback, s_envelopes[k & (EchoUrls.Count - 1)]);
            }
            finally
            {
                _emitLock.Release();
            }

            var ok = await wait;
            lock (_gate)
            {
                _outstanding.Remove(request);
                _free.Push(request);
            }

            return ok;
        }

        public async ValueTask DisposeAsync()
        {
            // The package has no request deadline and never fails an ack on disconnect: fail what is outstanding here,
            // so that the load tool's watchdog can end a stalled phase.
            Request[] outstanding;
            lock (_gate)
            {
                if (_disposed)
                {
                    return;
                }

                _disposed = true;
                outstanding = [.. _outstanding];
                _outstanding.Clear();
            }

            foreach (var request in outstanding)
            {
                request.Signal.TryFail(new IOException("The socket was closed."));
            }

            try
            {
                await io.DisconnectAsync().WaitAsync(TimeSpan.FromSeconds(2));
            }
            catch (Exception ex) when (ex is TimeoutException or InvalidOperationException or System.Net.WebSockets.WebSocketException or ObjectDisposedException)
            {
            }

            io.Dispose();
        }
    }

    /// <summary>One outstanding request: its signal and the ack callback bound to it, created once.</summary>
    private sealed class Request
    {
        public Request() => Callback = OnAck;

        public ReusableSignal Signal { get; } = new();

        public Action<SocketIOResponse> Callback { get; }

        private void OnAck(SocketIOResponse response)
        {
            try
            {
                var jwr = response.GetValue<JsonElement>(0);
                Signal.TryComplete(jwr.TryGetProperty("statusCode", out var status) && status.GetInt32() == 200);
            }
            catch (Exception ex)
            {
                // Any failure must reach the waiting request: an exception left in the package's callback is swallowed.
                Signal.TryFail(ex);
            }
        }
    }

    /// <summary>The Sails request envelope (what sails.io.js emits for <c>io.socket.get(url)</c>).</summary>
    private sealed class Envelope(string url)
    {
        [JsonPropertyName("method")]
        public string Method => "get";

        [JsonPropertyName("headers")]
        public Dictionary<string, string> Headers { get; } = [];

        [JsonPropertyName("data")]
        public Dictionary<string, string> Data { get; } = [];

        [JsonPropertyName("url")]
        public string Url { get; } = url;
    }
}
