using System.Diagnostics;
using System.Net.Sockets;
using SailSocket.TestServers;

namespace SailSocket.IntegrationTests.Cluster;

/// <summary>The Redis fixture on its own: it answers on 127.0.0.1, restarts on its port, and never outlives the test process.</summary>
public sealed class RedisServerTests
{
    [Fact]
    public async Task Redis_answers_restarts_on_its_port_and_is_killed_by_its_watchdog_when_the_launcher_goes_away()
    {
        await using var redis = await RedisServer.StartAsync(Bound.Seconds(30));
        Assert.Equal("+PONG", await PingAsync(redis.Port));
        var port = redis.Port;
        var first = redis.ProcessId;

        await redis.RestartAsync(Bound.Seconds(30));
        Assert.Equal(port, redis.Port);
        Assert.NotEqual(first, redis.ProcessId);
        Assert.Equal("+PONG", await PingAsync(redis.Port));
        Assert.Throws<ArgumentException>(() => Process.GetProcessById(first));

        // What the kernel does when the test process dies: the launcher's end of the watchdog's pipe closes.
        var pid = redis.ProcessId;
        redis.AbandonToWatchdog();
        await Bound.Until(() => !redis.IsRunning, 10);
        Assert.Throws<ArgumentException>(() => Process.GetProcessById(pid));
    }

    private static async Task<string> PingAsync(int port)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync("127.0.0.1", port, Bound.Seconds(5));
        var stream = tcp.GetStream();
        await stream.WriteAsync("PING\r\n"u8.ToArray(), Bound.Seconds(5));
        var buffer = new byte[64];
        var read = await stream.ReadAsync(buffer, Bound.Seconds(5));
        return System.Text.Encoding.ASCII.GetString(buffer, 0, read).TrimEnd();
    }
}
