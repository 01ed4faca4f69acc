using System;
using System.Buffers;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using SailSocket.Engine;
using SailSocket.UnitTests.Infrastructure;
using Xunit;

namespace SailSocket.UnitTests.Engine;

/// <summary>
/// <see cref="EngineConnection"/> against a scripted server over an in-memory WebSocket.
/// Every await is bounded by <see cref="TestTimeouts.Default"/>.
/// </summary>
public sealed partial class EngineConnectionTests : IAsyncLifetime
{
    private readonly WebSocketPeer _peer = new();
    private EngineConnection? _connection;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (_connection is not null)
        {
            await _connection.DisposeAsync().AsTask().WaitAsync(TestTimeouts.Default);
        }

        await _peer.DisposeAsync();
    }

    /// <summary>Sends the open packet, then connects.</summary>
    private async Task<EngineConnection> ConnectAsync(EngineOptions? options = null, string? openPacket = null)
    {
        await _peer.SendTextAsync(openPacket ?? WebSocketPeer.OpenPacket());
        _connection = await EngineConnection.ConnectAsync(options ?? _peer.CreateOptions()).WaitAsync(TestTimeouts.Default);
        return _connection;
    }

    /// <summary>Expects the next receive to fail with <paramref name="error"/>, within the default bound.</summary>
    private static async Task<EngineConnectionException> ReceiveFailsAsync(EngineConnection connection, EngineConnectionError error)
    {
        using var cts = new CancellationTokenSource(TestTimeouts.Default);
        var ex = await Assert.ThrowsAsync<EngineConnectionException>(async () => await connection.ReceiveAsync(cts.Token));
        Assert.Equal(error, ex.Error);
        Assert.False(cts.IsCancellationRequested, "the receive only ended because the test's bound ran out");
        Assert.False(connection.IsOpen);
        Assert.Equal(error, connection.CloseReason);
        return ex;
    }

    private static EngineMessageWriter Message(string socketIoPacket)
    {
        var writer = EngineMessageWriter.Rent(ArrayPool<byte>.Shared);
        writer.Write(Encoding.UTF8.GetBytes(socketIoPacket));
        return writer;
    }

    private static string Text(EngineMessage message) => Encoding.UTF8.GetString(message.Data.Span);
}
