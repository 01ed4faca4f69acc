using System.Buffers;
using System.Net.WebSockets;
using System.Text;
using BenchmarkDotNet.Attributes;
using SailSocket.Engine;

namespace SailSocket.Benchmarks;

/// <summary>
/// The receive path over an in-memory stream: the same server frames (an Engine.IO open packet, then 1,000 Socket.IO
/// events of ≈ 75 B, then a close frame) read by a bare <see cref="WebSocket"/> loop (the floor) and by
/// <see cref="EngineConnection.ReceiveAsync"/>. Each invocation builds a fresh connection over the script; the cost
/// is reported per message.
/// </summary>
public class ReceivePathBenchmarks
{
    private const int Messages = 1000;
    private static readonly WebSocketCreationOptions s_client = new() { IsServer = false, KeepAliveInterval = TimeSpan.Zero };
    private byte[] _withOpen = null!;
    private byte[] _messagesOnly = null!;

    [GlobalSetup]
    public void Setup()
    {
        _withOpen = Script(withOpen: true);
        _messagesOnly = Script(withOpen: false);
        if (Raw() != Engine())
        {
            throw new InvalidOperationException("The two receive paths read different bytes.");
        }
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Messages, Description = "bare WebSocket.ReceiveAsync loop (floor)")]
    public long Raw() => RawAsync().GetAwaiter().GetResult();

    [Benchmark(OperationsPerInvoke = Messages, Description = "SailSocket EngineConnection.ReceiveAsync")]
    public long Engine() => EngineAsync().GetAwaiter().GetResult();

    private async Task<long> RawAsync()
    {
        using var socket = WebSocket.CreateFromStream(new ScriptStream(_messagesOnly), s_client);
        var buffer = ArrayPool<byte>.Shared.Rent(4096);
        long total = 0;
        for (var i = 0; i < Messages; i++)
        {
            var result = await socket.ReceiveAsync(buffer.AsMemory(), CancellationToken.None).ConfigureAwait(false);
            total += result.Count - 1; // without the Engine.IO type character, as EngineConnection hands it over
        }

        ArrayPool<byte>.Shared.Return(buffer);
        return total;
    }

    private async Task<long> EngineAsync()
    {
        var connection = await EngineConnection.ConnectAsync(new EngineOptions
        {
            Url = new Uri("http://127.0.0.1:9/"),
            WebSocketFactory = (_, _) => ValueTask.FromResult(WebSocket.CreateFromStream(new ScriptStream(_withOpen), s_client)),
        }).ConfigureAwait(false);
        long total = 0;
        for (var i = 0; i < Messages; i++)
        {
            var message = await connection.ReceiveAsync().ConfigureAwait(false);
            total += message.Data.Length;
        }

        await connection.DisposeAsync().ConfigureAwait(false);
        return total;
    }

    private static byte[] Script(bool withOpen)
    {
        using var output = new MemoryStream();
        using var server = WebSocket.CreateFromStream(output, new WebSocketCreationOptions { IsServer = true, KeepAliveInterval = TimeSpan.Zero });
        if (withOpen)
        {
            Send(server, """0{"sid":"bench","upgrades":[],"pingInterval":25000,"pingTimeout":20000,"maxPayload":1000000}""");
        }

        for (var i = 0; i < Messages; i++)
        {
            Send(server, "42[\"user\",{\"verb\":\"updated\",\"id\":" + (i % 10) + ",\"data\":{\"name\":\"Kit\",\"species\":\"cat\"}}]");
        }

        server.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None).GetAwaiter().GetResult();
        return output.ToArray();

        static void Send(WebSocket socket, string text) =>
            socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, endOfMessage: true, CancellationToken.None).GetAwaiter().GetResult();
    }

    /// <summary>Serves a fixed script of server bytes; what the client writes is discarded.</summary>
    private sealed class ScriptStream(byte[] script) : Stream
    {
        private int _position;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            var n = Math.Min(buffer.Length, script.Length - _position);
            script.AsSpan(_position, n).CopyTo(buffer);
            _position += n;
            return n;
        }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => new(Read(buffer.Span));

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => Task.FromResult(Read(buffer, offset, count));

        public override void Write(byte[] buffer, int offset, int count)
        {
        }

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) => default;

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => Task.CompletedTask;

        public override void Flush()
        {
        }

        public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
