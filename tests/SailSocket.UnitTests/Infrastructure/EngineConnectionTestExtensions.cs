using System;
using System.Buffers;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using SailSocket.Engine;

namespace SailSocket.UnitTests.Infrastructure;

/// <summary>Bounded receive, send of a Socket.IO packet, and disposal of a polling connection, shared by the Engine tests.</summary>
internal static class EngineConnectionTestExtensions
{
    /// <summary>Receives the next message within <see cref="TestTimeouts.Default"/>.</summary>
    public static async Task<EngineMessage> ReceiveWithinAsync(this EngineConnection connection)
    {
        using var cts = new CancellationTokenSource(TestTimeouts.Default);
        return await connection.ReceiveAsync(cts.Token);
    }

    /// <summary>Sends <c>4</c> + <paramref name="socketIoPacket"/>, then the binary attachments. The send starts synchronously.</summary>
    public static async Task SendPacketAsync(this EngineConnection connection, string socketIoPacket, params byte[][] attachments)
    {
        using var writer = EngineMessageWriter.Rent(ArrayPool<byte>.Shared);
        var bytes = Encoding.UTF8.GetBytes(socketIoPacket);
        bytes.CopyTo(writer.GetSpan(bytes.Length));
        writer.Advance(bytes.Length);
        await connection.SendAsync(writer, attachments.Length == 0 ? null : Array.ConvertAll(attachments, a => (ReadOnlyMemory<byte>)a));
    }

    /// <summary>
    /// Disposes a connection made against <paramref name="server"/>; a polling close POSTs the close packet, which is
    /// answered so that the dispose does not wait for its bound. Then checks that no request was left unhandled.
    /// </summary>
    public static async Task DisposeConnectionAsync(this ScriptedHttpHandler server, EngineConnection? connection)
    {
        if (connection is not null)
        {
            var dispose = connection.DisposeAsync().AsTask();
            if (connection.Transport == "polling" && await server.PostArrivesSoonAsync())
            {
                (await server.NextPostAsync()).RespondOk();
            }

            await dispose.WaitAsync(TestTimeouts.Default);
        }

        server.AssertNoUnhandledRequests();
    }
}
