using System.Buffers;
using System.Buffers.Text;
using System.Net;
using System.Net.Security;
using System.Net.WebSockets;
using System.Runtime.CompilerServices;

namespace SailSocket.LoadTool;

/// <summary>
/// The floor: the least a correct client must do over a <see cref="ClientWebSocket"/>. The Engine.IO 4 / Socket.IO 5
/// handshake by hand (open packet, <c>40</c>, <c>40{sid}</c>), pings answered (<c>2</c> → <c>3</c>), requests sent as
/// pre-encoded frames <c>42&lt;id&gt;["get",{"method":"get","headers":{},"data":{},"url":"/echo?i=k"}]</c> and
/// matched to their <c>43&lt;id&gt;[…]</c> acks.
/// </summary>
/// <remarks>
/// What it shares with SailSocket so that the comparison is fair: one <see cref="SocketsHttpHandler"/> for every
/// socket, zero-byte receives so an idle socket holds no buffer, one send at a time per socket, continuations off the
/// receive loop, pooled async state machines (<see cref="PoolingAsyncValueTaskMethodBuilder{TResult}"/>) so that
/// the floor allocates next to nothing per request. What it leaves out: timers (a stalled request is ended by the load tool's watchdog disposing the
/// socket), events, binary attachments, validation, error mapping.
/// </remarks>
internal sealed class RawWebSocketLoadClient : ILoadClientFactory
{
    private readonly Uri _endpoint;
    private readonly SocketsHttpHandler _handler = new() { UseCookies = false, PooledConnectionIdleTimeout = TimeSpan.FromSeconds(30) };
    private readonly HttpMessageInvoker _invoker;

    /// <param name="pin">With <c>--tls</c>: the certificate check (<see cref="TlsCertificate.Validate"/>); otherwise null.</param>
    public RawWebSocketLoadClient(Uri url, RemoteCertificateValidationCallback? pin)
    {
        // On the handler, not ClientWebSocket.Options: ConnectAsync with an invoker refuses the options' TLS settings.
        _handler.SslOptions.RemoteCertificateValidationCallback = pin;
        var scheme = url.Scheme is "https" or "wss" ? "wss" : "ws";
        _endpoint = new Uri($"{scheme}://{url.Authority}/socket.io/?EIO=4&transport=websocket&{SailsQuery.Text}");
        _invoker = new HttpMessageInvoker(_handler, disposeHandler: false);
    }

    public string Name => "raw";

    public async Task<ILoadSocket> ConnectAsync(CancellationToken cancellationToken)
    {
        var ws = new ClientWebSocket();
        try
        {
            await ws.ConnectAsync(_endpoint, _invoker, cancellationToken);
            var socket = new Socket(ws);
            await socket.HandshakeAsync(cancellationToken);
            return socket;
        }
        catch
        {
            ws.Dispose();
            throw;
        }
    }

    public ValueTask DisposeAsync()
    {
        _invoker.Dispose();
        _handler.Dispose();
        return ValueTask.CompletedTask;
    }

    private sealed class Socket(ClientWebSocket ws) : ILoadSocket
    {
        private static readonly byte[] s_prefix = "42"u8.ToArray();
        private static readonly byte[] s_middle = """["get",{"method":"get","headers":{},"data":{},"url":"/echo?i="""u8.ToArray();
        private static readonly byte[] s_suffix = "\"}]"u8.ToArray();
        private static readonly byte[] s_pong = "3"u8.ToArray();
        private static readonly byte[] s_connect = "40"u8.ToArray();

        private readonly SemaphoreSlim _sendLock = new(1, 1);
        private readonly Lock _gate = new();
        private readonly Dictionary<int, ReusableSignal> _pending = [];
        private readonly Stack<Request> _free = new();
        private Task _receiveLoop = Task.CompletedTask;
        private Exception? _failure;
        private int _nextId;

        /// <summary>The message being received, rented only once data arrives; valid until the next receive.</summary>
        private byte[]? _buffer;

        public async Task HandshakeAsync(CancellationToken cancellationToken)
        {
            // Engine.IO open packet: 0{"sid":…,"pingInterval":…,…}.
            var open = await ReceiveMessageAsync(cancellationToken);
            if (open.Length == 0 || open.Span[0] != (byte)'0')
            {
                throw new InvalidDataException("Expected the Engine.IO open packet.");
            }

            await ws.SendAsync(s_connect, WebSocketMessageType.Text, true, cancellationToken);
            while (true)
            {
                var message = await ReceiveMessageAsync(cancellationToken);
                if (message.Span.StartsWith("40"u8))
                {
                    break;
                }

                if (message.Span.StartsWith("44"u8))
                {
                    throw new InvalidOperationException($"Namespace connect refused: {System.Text.Encoding.UTF8.GetString(message.Span)}");
                }

                if (message.Span.SequenceEqual("2"u8))
                {
                    await ws.SendAsync(s_pong, WebSocketMessageType.Text, true, cancellationToken);
                }
            }

            _receiveLoop = Task.Run(ReceiveLoopAsync, CancellationToken.None);
        }

        [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
        public async ValueTask<bool> EchoAsync(int k)
        {
            Request request;
            int id;
            lock (_gate)
            {
                if (_failure is not null)
                {
                    throw new IOException("The socket has failed.", _failure);
                }

                request = _free.Count > 0 ? _free.Pop() : new Request();
                id = _nextId++;
            }

            // Armed before it is registered: the ack may arrive before SendAsync returns.
            var wait = request.Signal.Arm();
            lock (_gate)
            {
                _pending.Add(id, request.Signal);
            }

            var length = request.Encode(id, k);
            try
            {
                await _sendLock.WaitAsync();
                try
                {
                    await ws.SendAsync(request.Frame.AsMemory(0, length), WebSocketMessageType.Text, true, CancellationToken.None);
                }
                finally
                {
                    _sendLock.Release();
                }
            }
            catch (Exception ex)
            {
                lock (_gate)
                {
                    _pending.Remove(id);
                }

                throw new IOException("Send failed.", ex);
            }

            var ok = await wait;
            lock (_gate)
            {
                _free.Push(request);
            }

            return ok;
        }

        public async ValueTask DisposeAsync()
        {
            if (ws.State == WebSocketState.Open)
            {
                using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                try
                {
                    await ws.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, bound.Token);
                }
                catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or ObjectDisposedException)
                {
                }
            }

            ws.Abort();
            await _receiveLoop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            ws.Dispose();
            _sendLock.Dispose();
        }

        private async Task ReceiveLoopAsync()
        {
            Exception failure;
            try
            {
                while (true)
                {
                    var message = await ReceiveMessageAsync(CancellationToken.None);
                    await HandleAsync(message);
                }
            }
            catch (Exception ex)
            {
                failure = ex;
            }

            List<ReusableSignal> waiting;
            lock (_gate)
            {
                _failure = failure;
                waiting = [.. _pending.Values];
                _pending.Clear();
            }

            foreach (var signal in waiting)
            {
                signal.Fail(new IOException("The connection ended.", failure));
            }
        }

        [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
        private async ValueTask HandleAsync(ReadOnlyMemory<byte> message)
        {
            var span = message.Span;
            if (span.SequenceEqual("2"u8))
            {
                await _sendLock.WaitAsync();
                try
                {
                    await ws.SendAsync(s_pong, WebSocketMessageType.Text, true, CancellationToken.None);
                }
                finally
                {
                    _sendLock.Release();
                }

                return;
            }

            if (span.StartsWith("43"u8))
            {
                var rest = span[2..];
                var bracket = rest.IndexOf((byte)'[');
                if (bracket <= 0 || !Utf8Parser.TryParse(rest[..bracket], out int id, out var consumed) || consumed != bracket)
                {
                    throw new InvalidDataException("Malformed ack.");
                }

                ReusableSignal? signal;
                lock (_gate)
                {
                    _pending.Remove(id, out signal);
                }

                // The JWR ends with "statusCode":NNN}]; a 200 is all the load tool checks.
                signal?.Complete(rest[bracket..].IndexOf("\"statusCode\":200"u8) >= 0);
                return;
            }

            if (span.StartsWith("41"u8) || span.StartsWith("1"u8))
            {
                throw new IOException("The server disconnected the socket.");
            }
        }

        [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
        private async ValueTask<ReadOnlyMemory<byte>> ReceiveMessageAsync(CancellationToken cancellationToken)
        {
            if (_buffer is not null)
            {
                ArrayPool<byte>.Shared.Return(_buffer);
                _buffer = null;
            }

            var first = await ws.ReceiveAsync(Memory<byte>.Empty, cancellationToken);
            if (first.MessageType == WebSocketMessageType.Close)
            {
                throw new IOException("The server closed the WebSocket.");
            }

            _buffer = ArrayPool<byte>.Shared.Rent(4096);
            var length = 0;
            while (true)
            {
                if (length == _buffer.Length)
                {
                    var bigger = ArrayPool<byte>.Shared.Rent(_buffer.Length * 2);
                    _buffer.AsSpan(0, length).CopyTo(bigger);
                    ArrayPool<byte>.Shared.Return(_buffer);
                    _buffer = bigger;
                }

                var result = await ws.ReceiveAsync(_buffer.AsMemory(length), cancellationToken);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    throw new IOException("The server closed the WebSocket.");
                }

                length += result.Count;
                if (result.EndOfMessage)
                {
                    return _buffer.AsMemory(0, length);
                }
            }
        }

        /// <summary>One outstanding request: its signal and its frame buffer, reused.</summary>
        private sealed class Request
        {
            public ReusableSignal Signal { get; } = new();

            public byte[] Frame { get; } = new byte[256];

            public int Encode(int id, int k)
            {
                var span = Frame.AsSpan();
                s_prefix.CopyTo(span);
                var at = s_prefix.Length;
                Utf8Formatter.TryFormat(id, span[at..], out var written);
                at += written;
                s_middle.CopyTo(span[at..]);
                at += s_middle.Length;
                Utf8Formatter.TryFormat(k & (EchoUrls.Count - 1), span[at..], out written);
                at += written;
                s_suffix.CopyTo(span[at..]);
                return at + s_suffix.Length;
            }
        }
    }
}

/// <summary>The handshake query sails.io.js sends, which Sails checks (sails-hook-sockets' SDK version check).</summary>
internal static class SailsQuery
{
    public const string Version = "1.2.1";

    public const string Text = "__sails_io_sdk_version=1.2.1&__sails_io_sdk_platform=dotnet&__sails_io_sdk_language=csharp";

    public static readonly KeyValuePair<string, string>[] Pairs =
    [
        new("__sails_io_sdk_version", Version),
        new("__sails_io_sdk_platform", "dotnet"),
        new("__sails_io_sdk_language", "csharp"),
    ];
}
