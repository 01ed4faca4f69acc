using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using SailSocket.Engine;
using SailSocket.SocketIo;
using SailSocket.UnitTests.Infrastructure;
using Xunit;
using Xunit.Abstractions;

namespace SailSocket.UnitTests.Fuzz;

/// <summary>
/// The whole receive path: a connected <see cref="SocketIoClient"/> fed mutated frames by an in-memory WebSocket peer —
/// text packets of every type, binary headers followed by too few, too many or mutated attachments, random binary
/// frames. Whatever arrives, the connection either stays up or ends once with a disconnect reason; waiting emits
/// complete; disposal completes within a bound and throws nothing. Never an unhandled exception, never a hang.
/// </summary>
[Collection(FuzzGroup.Name)]
public sealed class ReceivePathFuzzTests(ITestOutputHelper output)
{
    /// <summary>Frames in the suite (about a second); SAILSOCKET_FUZZ_ITERATIONS sets the count for a long run.</summary>
    private const int ShortRunFrames = 3_000;

    private const int FramesPerSession = 30;

    /// <summary>What the server sends as whole Engine.IO text messages (protocol.md §2, §3), ack ids matching the client's emits.</summary>
    private static readonly byte[][] s_textFrames = Mutator.Utf8(
        "42[\"chat\",{\"text\":\"hi\"}]",
        "42[\"pet\",{\"verb\":\"created\",\"data\":{\"createdAt\":1795546342621,\"updatedAt\":1795546342621,\"id\":3,\"name\":\"Kit\",\"species\":\"cat\"},\"id\":3}]",
        "425[\"ask\",{\"x\":1}]",
        "430[{\"body\":{\"method\":\"GET\",\"url\":\"/echo\",\"body\":{\"q\":1},\"query\":{}},\"headers\":{},\"statusCode\":200}]",
        "431[{\"body\":\"Not Found\",\"headers\":{},\"statusCode\":404}]",
        "461-2[{\"body\":{\"_placeholder\":true,\"num\":0},\"headers\":{},\"statusCode\":200}]",
        "451-[\"file\",{\"_placeholder\":true,\"num\":0}]",
        "452-[\"files\",{\"_placeholder\":true,\"num\":0},{\"_placeholder\":true,\"num\":1}]",
        "2",
        "6",
        "3",
        "40{\"sid\":\"again\"}",
        "44{\"message\":\"Invalid namespace\"}",
        "42/admin,[\"x\",1]",
        "41",
        "1",
        "0{\"sid\":\"x\",\"upgrades\":[],\"pingInterval\":25000,\"pingTimeout\":60000,\"maxPayload\":100000000}");

    private static readonly byte[][] s_binaryFrames = [[0x01, 0x02, 0x03, 0xFA], [0x68, 0x69], [0xFF], [], [0x04, 0xDE, 0xAD, 0xBE, 0xEF]];

    [Fact]
    public async Task Mutated_frames_end_the_connection_with_a_reason_or_leave_it_usable_never_an_unhandled_exception()
    {
        var frames = FuzzSettings.Iterations(ShortRunFrames);
        var sessions = Math.Max(1, frames / FramesPerSession);
        var mutator = new Mutator(FuzzSettings.Seed, s_textFrames);
        var binaryMutator = new Mutator(FuzzSettings.Seed + 1, s_binaryFrames);
        var outcomes = new Dictionary<string, int>(StringComparer.Ordinal);
        var stopwatch = System.Diagnostics.Stopwatch.StartNew();
        var heapBefore = GC.GetTotalMemory(forceFullCollection: true);
        var sent = 0;
        for (var session = 0; session < sessions; session++)
        {
            var script = new List<(bool Binary, byte[] Data)>();
            while (script.Count < FramesPerSession)
            {
                var roll = mutator.Random.Next(10);
                if (roll < 6)
                {
                    script.Add((false, mutator.Next()));
                }
                else if (roll < 9)
                {
                    // A binary packet: a header, then a count of attachments that may not match what it announced.
                    var announced = 1 + mutator.Random.Next(3);
                    var header = mutator.Random.Next(2) == 0 ? $"46{announced}-{mutator.Random.Next(3)}[{{\"body\":{{\"_placeholder\":true,\"num\":0}}}}]" : $"45{announced}-[\"bin\",{{\"_placeholder\":true,\"num\":0}}]";
                    script.Add((false, Encoding.UTF8.GetBytes(header)));
                    var attachments = mutator.Random.Next(4) == 0 ? mutator.Random.Next(5) : announced;
                    for (var i = 0; i < attachments; i++)
                    {
                        script.Add((true, binaryMutator.Next()));
                    }
                }
                else
                {
                    script.Add((true, binaryMutator.Next()));
                }
            }

            var outcome = await RunSessionAsync(session, script);
            outcomes[outcome] = outcomes.GetValueOrDefault(outcome) + 1;
            sent += script.Count;
        }

        stopwatch.Stop();
        var heapAfter = GC.GetTotalMemory(forceFullCollection: true);
        output.WriteLine($"receive path: {sessions} sessions, {sent} frames in {stopwatch.ElapsedMilliseconds} ms; heap growth {heapAfter - heapBefore} B; " +
            string.Join(", ", outcomes.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}: {p.Value}")));
        Assert.True(heapAfter - heapBefore < 32L * 1024 * 1024, $"The heap grew by {heapAfter - heapBefore} bytes.");
    }

    /// <summary>One connection: connect, emit three requests (ack ids 0–2), play the script, dispose. Returns how it ended.</summary>
    private static async Task<string> RunSessionAsync(int session, List<(bool Binary, byte[] Data)> script)
    {
        await using var peer = new WebSocketPeer();
        var disconnected = new TaskCompletionSource<SocketIoDisconnectedException>(TaskCreationOptions.RunContinuationsAsynchronously);
        var disconnectedCalls = 0;
        var options = new SocketIoOptions
        {
            Engine = peer.CreateOptions(),
            ConnectTimeout = TestTimeouts.Default,
            OnEvent = (in SocketIoEvent e) => _ = e.GetArgument(0).Length + e.Attachments.Count,
            OnDisconnected = ex =>
            {
                Interlocked.Increment(ref disconnectedCalls);
                disconnected.TrySetResult(ex);
            },
        };

        await peer.SendOpenAsync();
        var connecting = SocketIoClient.ConnectAsync(options);
        Assert.Equal("40", await peer.ReceiveTextAsync());
        await peer.SendTextAsync("40{\"sid\":\"fuzz\"}");
        var client = await connecting.WaitAsync(TestTimeouts.Default);

        // The server side drains whatever the client sends (pongs, acks, the close handshake) so no write blocks.
        var drain = DrainAsync(peer.Server);
        var emits = Enumerable.Range(0, 3)
            .Select(_ => client.EmitWithAckAsync("get", 0, static (Utf8JsonWriter w, int n) => w.WriteNumberValue(n), null, TestTimeouts.Default, CancellationToken.None).AsTask())
            .ToArray();

        var broken = false;
        var index = 0;
        foreach (var (binary, data) in script)
        {
            if (disconnected.Task.IsCompleted)
            {
                break;
            }

            try
            {
                using var cts = new CancellationTokenSource(TestTimeouts.Default);
                await peer.Server.SendAsync(data, binary ? WebSocketMessageType.Binary : WebSocketMessageType.Text, endOfMessage: true, cts.Token);
            }
            catch (Exception ex) when (ex is WebSocketException or IOException or ObjectDisposedException or OperationCanceledException)
            {
                broken = true;
                break;
            }

            index++;
        }

        // Let the receive loop act on the last frames, then end the connection from the client.
        await Task.WhenAny(disconnected.Task, Task.Delay(5));
        var endedByServer = disconnected.Task.IsCompleted;
        try
        {
            await client.DisposeAsync().AsTask().WaitAsync(TestTimeouts.Default);
        }
        catch (Exception ex) when (ex is not TimeoutException)
        {
            throw new FuzzFailureException($"session {session}: DisposeAsync threw {ex.GetType().FullName}: {ex.Message}\n{DescribeScript(script, index)}", ex);
        }
        catch (TimeoutException ex)
        {
            throw new FuzzFailureException($"session {session}: DisposeAsync did not complete within {TestTimeouts.Default}.\n{DescribeScript(script, index)}", ex);
        }

        // Every emit ends: answered, or failed with the documented disconnect or timeout.
        foreach (var emit in emits)
        {
            try
            {
                await emit.WaitAsync(TestTimeouts.Default);
            }
            catch (Exception ex) when (ex is SocketIoDisconnectedException or SocketIoTimeoutException)
            {
            }
            catch (TimeoutException ex)
            {
                throw new FuzzFailureException($"session {session}: an emit neither completed nor failed after disposal.\n{DescribeScript(script, index)}", ex);
            }
        }

        var reason = await disconnected.Task.WaitAsync(TestTimeouts.Default);
        Assert.Equal(1, Volatile.Read(ref disconnectedCalls));
        Assert.False(client.IsConnected);
        await drain.WaitAsync(TestTimeouts.Default);
        return endedByServer ? $"ended by input ({reason.Reason})" : broken ? "send failed" : "still connected";
    }

    private static async Task DrainAsync(WebSocket server)
    {
        var buffer = new byte[4096];
        try
        {
            while (true)
            {
                using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
                var result = await server.ReceiveAsync(buffer.AsMemory(), cts.Token);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    await server.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, cts.Token);
                    return;
                }
            }
        }
        catch (Exception ex) when (ex is WebSocketException or IOException or ObjectDisposedException or OperationCanceledException)
        {
        }
    }

    private static string DescribeScript(List<(bool Binary, byte[] Data)> script, int sent) =>
        string.Join('\n', script.Take(sent + 1).Select((f, i) => $"  frame {i} {(f.Binary ? "binary" : "text")}: {FuzzRunner.Describe(f.Data)}"));
}
