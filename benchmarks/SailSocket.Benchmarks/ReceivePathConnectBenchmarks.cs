using System.Net.WebSockets;
using BenchmarkDotNet.Attributes;
using SailSocket.Engine;

namespace SailSocket.Benchmarks;

/// <summary>
/// What <see cref="ReceivePathBenchmarks"/> leaves out: opening and closing a connection over the in-memory stream (the
/// open packet read and parsed, the heartbeat registered, then disposed), against a bare WebSocket reading the same frame.
/// </summary>
public class ReceivePathConnectBenchmarks
{
    private byte[] _open = null!;
    private byte[] _buffer = null!;

    [GlobalSetup]
    public void Setup()
    {
        _open = ServerScript.OpenFrame();
        _buffer = new byte[4096];
    }

    [Benchmark(Baseline = true, Description = "bare WebSocket: create, read the open frame, dispose")]
    public int Raw()
    {
        using var socket = ServerScript.ClientOver(new LoopingStream(_open, []));
        return socket.ReceiveAsync(_buffer.AsMemory(), CancellationToken.None).AsTask().GetAwaiter().GetResult().Count;
    }

    [Benchmark(Description = "SailSocket EngineConnection.ConnectAsync + DisposeAsync")]
    public int Engine() => EngineAsync().GetAwaiter().GetResult();

    private async Task<int> EngineAsync()
    {
        var connection = await EngineConnection.ConnectAsync(ServerScript.EngineOptions(new LoopingStream(_open, []))).ConfigureAwait(false);
        var sid = connection.Handshake.SessionId.Length;
        await connection.DisposeAsync().ConfigureAwait(false);
        return sid;
    }
}
