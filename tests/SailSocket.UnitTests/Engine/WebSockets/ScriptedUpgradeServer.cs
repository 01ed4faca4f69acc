using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;

namespace SailSocket.UnitTests.Engine.WebSockets;

/// <summary>
/// A loopback TCP server (127.0.0.1) that reads one HTTP upgrade request and answers with what the test scripts: for
/// misbehaviour the managed connector must survive. Every wait is bounded; disposing stops the listener and the connection.
/// </summary>
internal sealed class ScriptedUpgradeServer : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly Task _run;
    private readonly CancellationTokenSource _stop = new(TimeSpan.FromSeconds(30));
    private readonly TaskCompletionSource<string> _request = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <param name="script">Given the request head and the connected stream: writes the answer (and may go on talking).</param>
    public ScriptedUpgradeServer(Func<string, NetworkStream, CancellationToken, Task> script)
    {
        _listener.Start();
        _run = RunAsync(script);
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public Uri Url => new($"http://127.0.0.1:{Port}");

    /// <summary>The request head the client sent.</summary>
    public Task<string> Request => _request.Task;

    /// <summary>What a WebSocket server answers to <paramref name="request"/>'s key (RFC 6455 §4.2.2).</summary>
    public static string AcceptFor(string request)
    {
        var line = request.Split("\r\n").First(l => l.StartsWith("Sec-WebSocket-Key:", StringComparison.OrdinalIgnoreCase));
        var key = line["Sec-WebSocket-Key:".Length..].Trim();
#pragma warning disable CA5350 // RFC 6455 fixes SHA-1 for the accept value.
        return Convert.ToBase64String(SHA1.HashData(Encoding.ASCII.GetBytes(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11")));
#pragma warning restore CA5350
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _listener.Stop();
        try
        {
            await _run.WaitAsync(TimeSpan.FromSeconds(10));
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or IOException or ObjectDisposedException)
        {
        }

        _stop.Dispose();
    }

    private async Task RunAsync(Func<string, NetworkStream, CancellationToken, Task> script)
    {
        using var client = await _listener.AcceptTcpClientAsync(_stop.Token);
        client.NoDelay = true;
        var stream = client.GetStream();
        var head = new List<byte>();
        var buffer = new byte[1];
        while (head.Count < 4 || !(head[^4] == '\r' && head[^3] == '\n' && head[^2] == '\r' && head[^1] == '\n'))
        {
            if (await stream.ReadAsync(buffer, _stop.Token) == 0)
            {
                _request.TrySetException(new IOException("The client closed before its request ended."));
                return;
            }

            head.Add(buffer[0]);
        }

        var request = Encoding.Latin1.GetString(head.ToArray());
        _request.TrySetResult(request);
        await script(request, stream, _stop.Token);
    }
}
