// SailSocket live-collection dashboard: lifts the bundled Sails app (tests/sails-app, data kept in a temporary folder),
// starts a second process that creates, renames, ages and deletes pets, and shows a live collection of the oldest
// pets updating in the terminal. Halfway through it restarts the server: the collection re-subscribes, refetches and
// reconciles. `--seconds N` sets how long it runs (default 30).
//   dotnet run --project samples/SailSocket.LiveSample -- --seconds 30
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using SailSocket;
using SailSocket.Live;
using SailSocket.LiveSample;
using SailSocket.TestServers;

if (args is ["--writer", var writerUrl])
{
    return await Writer.RunAsync(new Uri(writerUrl));
}

var seconds = args is ["--seconds", var s] && int.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0 ? n : args.Length == 0 ? 30 : -1;
if (seconds < 0)
{
    Console.Error.WriteLine("usage: SailSocket.LiveSample [--seconds N]");
    return 2;
}

using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(seconds + 120));
var ct = timeout.Token;
var dataDir = Directory.CreateTempSubdirectory("sailsocket-livesample-");
var environment = new Dictionary<string, string> { ["SAILS_DISK_DIR"] = dataDir.FullName };
Console.WriteLine("Lifting the bundled Sails app (npm ci on first run)...");
var server = await SailsServer.StartAsync(environment, ct);
environment["PORT"] = server.Port.ToString(CultureInfo.InvariantCulture);
Process? writer = null;
try
{
    await using var client = new SailsClient(new SailsClientOptions
    {
        Url = server.Url,
        Reconnection = new SailsReconnectionOptions { Enabled = true, Delay = TimeSpan.FromMilliseconds(200), DelayMax = TimeSpan.FromSeconds(1) },
    });
    await using var socket = await client.ConnectAsync(ct);
    var query = new LiveQuery("pet") { Where = JsonSerializer.SerializeToElement(new AgeAtLeast(new Min(5)), SampleJson.Default.AgeAtLeast), Sort = "age DESC, name ASC", Limit = 12, Populate = false };
    await using var oldest = await LiveCollection.StartAsync(socket, query, SampleJson.Default.Pet, cancellationToken: ct);

    writer = StartWriter(server.Url);
    var log = new Queue<string>();
    var restarts = 0;
    var changes = Task.Run(async () =>
    {
        await foreach (var change in oldest.ReadChangesAsync(ct))
        {
            lock (log)
            {
                log.Enqueue($"{DateTime.Now:HH:mm:ss.fff} {change.Kind,-7} {Describe(change.NewItem ?? change.OldItem)}");
                while (log.Count > 6)
                {
                    log.Dequeue();
                }
            }
        }
    }, CancellationToken.None);

    var started = Stopwatch.StartNew();
    var restartAt = TimeSpan.FromSeconds(seconds / 2.0);
    while (started.Elapsed < TimeSpan.FromSeconds(seconds))
    {
        if (restarts == 0 && started.Elapsed >= restartAt)
        {
            restarts++;
            Draw(oldest, socket, log, "restarting the server (its data is kept on disk)...", started.Elapsed);
            await server.DisposeAsync();
            server = await SailsServer.StartAsync(environment, ct);
        }

        Draw(oldest, socket, log, restarts == 0 ? $"server restart in {(restartAt - started.Elapsed).TotalSeconds:F0} s" : "server restarted once", started.Elapsed);
        await Task.Delay(250, ct);
    }

    // The end: the collection must equal a fresh find.
    await oldest.RefreshAsync(ct);
    var fresh = (await socket.GetAsync("/pet?where=%7B%22age%22%3A%7B%22%3E%3D%22%3A5%7D%7D&sort=age%20DESC&limit=1000", ct)).ReadBody(SampleJson.Default.PetArray) ?? [];
    Console.WriteLine($"Done: {oldest.MessageCount} messages, {oldest.FetchCount} finds, {restarts} restart; the collection shows {oldest.Snapshot.Count} pets, a fresh find of the window agrees: {oldest.Snapshot.Select(p => p.Id).SequenceEqual(fresh.OrderByDescending(p => p.Age).ThenBy(p => p.Name, StringComparer.Ordinal).ThenBy(p => p.Id).Take(12).Select(p => p.Id))}");
    return 0;
}
finally
{
    if (writer is { HasExited: false })
    {
        writer.Kill(entireProcessTree: true);
        await writer.WaitForExitAsync(CancellationToken.None);
    }

    writer?.Dispose();
    await server.DisposeAsync();
    dataDir.Delete(recursive: true);
}

static Process StartWriter(Uri url)
{
    // This same program, as the writer: another process, another SailsClient, another socket.
    var self = Environment.ProcessPath!;
    var info = new ProcessStartInfo(self) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
    if (Path.GetFileNameWithoutExtension(self).Equals("dotnet", StringComparison.OrdinalIgnoreCase))
    {
        info.ArgumentList.Add(typeof(Writer).Assembly.Location);
    }

    info.ArgumentList.Add("--writer");
    info.ArgumentList.Add(url.ToString());
    var process = Process.Start(info)!;
    process.OutputDataReceived += (_, _) => { };
    process.ErrorDataReceived += (_, _) => { };
    process.BeginOutputReadLine();
    process.BeginErrorReadLine();
    return process;
}

static void Draw(LiveCollection<Pet> pets, SailsSocket socket, Queue<string> log, string status, TimeSpan elapsed)
{
    var text = new StringBuilder();
    if (!Console.IsOutputRedirected)
    {
        text.Append("\u001b[H\u001b[2J");
    }

    var snapshot = pets.Snapshot;
    text.AppendLine(CultureInfo.InvariantCulture, $"SailSocket live collection: the 12 oldest pets aged 5+   [{elapsed.TotalSeconds:F0} s, {status}]");
    text.AppendLine(CultureInfo.InvariantCulture, $"socket {socket.State,-12} messages {pets.MessageCount,-6} finds {pets.FetchCount,-5} version {snapshot.Version}");
    text.AppendLine("  id  name          species  age");
    foreach (var pet in snapshot)
    {
        text.AppendLine(CultureInfo.InvariantCulture, $"{pet.Id,4}  {pet.Name,-12}  {pet.Species,-7}  {pet.Age,3}");
    }

    text.AppendLine("latest changes:");
    lock (log)
    {
        foreach (var line in log)
        {
            text.AppendLine("  " + line);
        }
    }

    Console.Write(text.ToString());
}

static string Describe(Pet? pet) => pet is null ? "" : $"#{pet.Id} {pet.Name} ({pet.Species}, {pet.Age})";

namespace SailSocket.LiveSample
{
    public sealed record Pet(int Id, string Name, string? Species, int Age);

    public sealed record Min([property: JsonPropertyName(">=")] int Value);

    public sealed record AgeAtLeast([property: JsonPropertyName("age")] Min Age);

    [JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
    [JsonSerializable(typeof(Pet))]
    [JsonSerializable(typeof(Pet[]))]
    [JsonSerializable(typeof(AgeAtLeast))]
    internal sealed partial class SampleJson : JsonSerializerContext;

    /// <summary>The other process: changes pets at random, about 20 times a second, riding out the server's restart.</summary>
    internal static class Writer
    {
        public static async Task<int> RunAsync(Uri url)
        {
            await using var client = new SailsClient(new SailsClientOptions
            {
                Url = url,
                Reconnection = new SailsReconnectionOptions { Enabled = true, Delay = TimeSpan.FromMilliseconds(200), DelayMax = TimeSpan.FromSeconds(1) },
            });
            await using var socket = await client.ConnectAsync();
            var random = new Random();
            var ids = new List<int>();
            string[] names = ["rex", "tom", "fido", "kitty", "bella", "max", "luna", "coco"];
            while (true)
            {
                try
                {
                    var roll = random.Next(10);
                    if (roll < 4 || ids.Count < 10)
                    {
                        var body = $$"""{"name":"{{names[random.Next(names.Length)]}}","species":"{{(random.Next(2) == 0 ? "cat" : "dog")}}","age":{{random.Next(15)}}}""";
                        var created = await SendAsync(socket, "post", "/pet", body);
                        ids.Add(created.EnsureSuccessStatusCode().ReadBodyAsElement().GetProperty("id").GetInt32());
                    }
                    else if (roll < 8)
                    {
                        var body = random.Next(2) == 0 ? $$"""{"age":{{random.Next(15)}}}""" : $$"""{"name":"{{names[random.Next(names.Length)]}}"}""";
                        await SendAsync(socket, "patch", $"/pet/{ids[random.Next(ids.Count)]}", body);
                    }
                    else
                    {
                        var id = ids[random.Next(ids.Count)];
                        ids.Remove(id);
                        await SendAsync(socket, "delete", $"/pet/{id}", null);
                    }
                }
                catch (Exception ex) when (ex is SailsConnectionException or SailsTimeoutException or SailsRequestException)
                {
                    // The server is restarting: the socket reconnects by itself.
                }

                await Task.Delay(50);
            }
        }

        private static async Task<SailsResponse> SendAsync(SailsSocket socket, string method, string url, string? body) =>
            await socket.RequestAsync(new SailsRequest(method, url) { Data = body is null ? default : Encoding.UTF8.GetBytes(body) });
    }
}
