using System.Diagnostics;

namespace SailSocket.LoadTool;

/// <summary>How the load tool starts Node's socket.io-client 4.8.1 (benchmarks/socketio-ack-server/client.js) as a child process.</summary>
internal static class NodeClientProcess
{
    /// <summary>Why the client cannot run (its packages are not installed), or null when it can.</summary>
    public static string? Missing()
    {
        var directory = LiftedServer.FindServerDirectory();
        return File.Exists(Path.Combine(directory, "node_modules", "socket.io-client", "package.json"))
            ? null
            : $"socket.io-client is not installed: run npm ci in {directory}.";
    }

    /// <summary><c>node --expose-gc client.js --url &lt;scheme://host:port&gt;</c> and <paramref name="arguments"/>; stdout and stderr redirected.</summary>
    public static ProcessStartInfo StartInfo(Uri url, params string[] arguments)
    {
        var info = new ProcessStartInfo("node")
        {
            WorkingDirectory = LiftedServer.FindServerDirectory(),
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in (string[])["--expose-gc", "client.js", "--url", url.GetLeftPart(UriPartial.Authority), .. arguments])
        {
            info.ArgumentList.Add(argument);
        }

        return info;
    }
}
