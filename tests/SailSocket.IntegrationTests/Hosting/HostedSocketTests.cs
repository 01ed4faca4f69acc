using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using SailSocket.Extensions.Hosting;
using SailSocket.TestServers;

namespace SailSocket.IntegrationTests.Hosting;

/// <summary>A generic host with SailSocket.Extensions.Hosting against the real Sails app (tests/sails-app).</summary>
public sealed class HostedSocketTests
{
    private sealed record Hosted(IHost Host, RecordingLoggerProvider Logs, BlockingCollection<SailsEvent> Pets, HealthCheckService Health);

    private static Hosted Build(Uri url, Action<Dictionary<string, string?>>? more = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Sails:Url"] = url.ToString(),
            ["Sails:ConnectTimeout"] = "00:00:10",
            ["Sails:Reconnection:Delay"] = "00:00:00.200",
            ["Sails:Reconnection:DelayMax"] = "00:00:00.500",
            ["Sails:Sockets:pets:Subscriptions:0"] = "/pet",
            ["Sails:Sockets:pets:Query:token"] = "pa55word-query",
        };
        more?.Invoke(settings);
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(settings);
        var logs = new RecordingLoggerProvider();
        builder.Logging.AddProvider(logs).SetMinimumLevel(LogLevel.Trace);
        var pets = new BlockingCollection<SailsEvent>();
        builder.Services.AddSailsClient(builder.Configuration.GetSection("Sails"))
            .ConfigureSocket((_, name, socket) =>
            {
                if (name == "pets")
                {
                    socket.On("pet", pets.Add);
                }
            });
        builder.Services.AddHealthChecks().AddSailsSocketHealthCheck();
        var host = builder.Build();
        return new Hosted(host, logs, pets, host.Services.GetRequiredService<HealthCheckService>());
    }

    private static async Task<HealthReport> HealthUntilAsync(HealthCheckService health, HealthStatus status, double seconds)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(seconds);
        while (true)
        {
            var report = await health.CheckHealthAsync(Bound.Seconds(5));
            if (report.Status == status)
            {
                return report;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Health stayed {report.Status} ({string.Join(", ", report.Entries["sails"].Data.Select(d => $"{d.Key}={d.Value}"))}), not {status}, for {seconds} s.");
            }

            await Task.Delay(50);
        }
    }

    private static async Task<int> CreatePetAsync(Uri url, string name)
    {
        await using var client = new SailsClient(new SailsClientOptions { Url = url });
        await using var socket = await client.ConnectAsync(Bound.Seconds(15));
        var pet = await socket.PostAsJsonAsync("/pet", new PetData(name), TestJson.Default.PetData, Bound.Seconds(10));
        return pet.ReadBodyAsElement().GetProperty("id").GetInt32();
    }

    private static SailsEvent NextPet(BlockingCollection<SailsEvent> pets, string name)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (pets.TryTake(out var e, deadline - DateTime.UtcNow > TimeSpan.Zero ? deadline - DateTime.UtcNow : TimeSpan.Zero))
        {
            if (e.ReadDataAsElement().GetProperty("data").GetProperty("name").GetString() == name)
            {
                return e;
            }
        }

        throw new TimeoutException($"No pet event for {name} within 10 s.");
    }

    [Fact]
    public async Task The_host_keeps_a_socket_subscribed_through_a_server_restart_and_health_follows()
    {
        SailsServer? server = await SailsServer.StartAsync();
        var port = server.Port;
        var url = server.Url;
        SailsServer? restarted = null;
        var hosted = Build(url);
        try
        {
            await hosted.Host.StartAsync(Bound.Seconds(15));
            var healthy = await HealthUntilAsync(hosted.Health, HealthStatus.Healthy, 15);
            Assert.Equal("connected", healthy.Entries["sails"].Data["pets"]);

            // The subscription made by the host delivers the model's events to the handler added with ConfigureSocket.
            var before = "before-" + Guid.NewGuid().ToString("N")[..8];
            await CreatePetAsync(url, before);
            Assert.Equal("created", NextPet(hosted.Pets, before).ReadDataAsElement().GetProperty("verb").GetString());

            await server.DisposeAsync();
            server = null;
            var down = await HealthUntilAsync(hosted.Health, HealthStatus.Degraded, 10);
            Assert.Equal("reconnecting", down.Entries["sails"].Data["pets"]);

            restarted = await SailsServer.StartAsync(new Dictionary<string, string> { ["PORT"] = port.ToString() });
            await HealthUntilAsync(hosted.Health, HealthStatus.Healthy, 20);

            // The core replayed the subscription on the new connection: an event after the restart reaches the handler.
            var after = "after-" + Guid.NewGuid().ToString("N")[..8];
            var socket = hosted.Host.Services.GetRequiredService<ISailsClientProvider>().GetSocket("pets");
            await Bound.Until(() => socket.IsConnected, 10);
            await CreatePetAsync(url, after);
            NextPet(hosted.Pets, after);

            // The core's log events reach ILogger under the documented category, with their event ids; no query value leaks.
            var lines = hosted.Logs.Lines;
            Assert.Contains(lines, l => l.Category == LoggerSailsLogSink.CategoryName && l.EventId.Name == "Connected" && l.EventId.Id > 0);
            Assert.Contains(lines, l => l.Category == LoggerSailsLogSink.CategoryName && l.Level >= LogLevel.Warning);
            Assert.Contains(lines, l => l.Category == "SailSocket.Extensions.Hosting" && l.Message.Contains("subscribed to /pet", StringComparison.Ordinal));
            Assert.DoesNotContain(lines, l => l.Message.Contains("pa55word", StringComparison.Ordinal));

            // A graceful stop closes the socket well within the host's shutdown bound.
            var stopwatch = Stopwatch.StartNew();
            await hosted.Host.StopAsync(Bound.Seconds(10));
            Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(5), $"stop took {stopwatch.Elapsed}");
            Assert.Equal(SailsSocketState.Closed, socket.State);
            Assert.Equal(HealthStatus.Unhealthy, (await hosted.Health.CheckHealthAsync(Bound.Seconds(5))).Status);
        }
        finally
        {
            hosted.Host.Dispose();
            if (server is not null)
            {
                await server.DisposeAsync();
            }

            if (restarted is not null)
            {
                await restarted.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task Named_clients_have_their_own_sockets_and_a_refused_subscription_makes_health_unhealthy()
    {
        var server = await SharedSailsServer.GetAsync();
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Sails:Url"] = server.Url.ToString(),
            ["Sails:Sockets:pets:Subscriptions:0"] = "/pet",
            ["Orders:Url"] = server.Url.ToString(),
            ["Orders:WaitForConnectOnStart"] = "true",
            ["Orders:Sockets:feed:Subscriptions:0"] = "/status/404?secret=pa55word",
        });
        var logs = new RecordingLoggerProvider();
        builder.Logging.AddProvider(logs);
        builder.Services.AddSailsClient(builder.Configuration.GetSection("Sails"));
        builder.Services.AddSailsClient("orders", builder.Configuration.GetSection("Orders"));
        builder.Services.AddHealthChecks()
            .AddSailsSocketHealthCheck()
            .AddSailsSocketHealthCheck("sails-default", clientName: "");
        using var host = builder.Build();

        // WaitForConnectOnStart: the start returns once the orders socket is connected and its subscription answered.
        await host.StartAsync(Bound.Seconds(20));
        var provider = host.Services.GetRequiredService<ISailsClientProvider>();
        Assert.True(provider.GetSocket("feed", "orders").IsConnected);
        Assert.NotSame(provider.GetClient(), provider.GetClient("orders"));
        Assert.Same(provider.GetSocket("pets"), provider.GetSocket("pets"));

        var health = host.Services.GetRequiredService<HealthCheckService>();
        var report = await health.CheckHealthAsync(Bound.Seconds(5));
        Assert.Equal(HealthStatus.Unhealthy, report.Entries["sails"].Status);
        Assert.Equal("failed: subscription /status/404 refused with status 404", report.Entries["sails"].Data["orders/feed"]);
        await HealthUntilAsync(health, HealthStatus.Unhealthy, 5);
        var defaultOnly = await health.CheckHealthAsync(r => r.Name == "sails-default", Bound.Seconds(5));
        for (var i = 0; i < 100 && defaultOnly.Status != HealthStatus.Healthy; i++)
        {
            await Task.Delay(50);
            defaultOnly = await health.CheckHealthAsync(r => r.Name == "sails-default", Bound.Seconds(5));
        }

        Assert.Equal(HealthStatus.Healthy, defaultOnly.Status);
        Assert.False(defaultOnly.Entries["sails-default"].Data.ContainsKey("orders/feed"));
        Assert.DoesNotContain(logs.Lines, l => l.Message.Contains("pa55word", StringComparison.Ordinal));
        await host.StopAsync(Bound.Seconds(10));
    }
    [Fact]
    public async Task A_dead_server_does_not_block_the_start_by_default_and_health_says_so()
    {
        var url = new Uri($"http://127.0.0.1:{ConnectionTests.FreePort()}");
        var hosted = Build(url);
        using var host = hosted.Host;
        var stopwatch = Stopwatch.StartNew();
        await host.StartAsync(Bound.Seconds(10));
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(5), $"start took {stopwatch.Elapsed}");

        var report = await HealthUntilAsync(hosted.Health, HealthStatus.Degraded, 10);
        Assert.Contains(report.Entries["sails"].Data["pets"] as string, new[] { "connecting", "reconnecting" });
        await host.StopAsync(Bound.Seconds(10));
    }

    [Fact]
    public async Task WaitForConnectOnStart_fails_the_start_when_a_socket_cannot_connect_and_will_not_retry()
    {
        var url = new Uri($"http://127.0.0.1:{ConnectionTests.FreePort()}");
        var hosted = Build(url, s =>
        {
            s["Sails:WaitForConnectOnStart"] = "true";
            s["Sails:Reconnection:Enabled"] = "false";
        });
        using var host = hosted.Host;
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => host.StartAsync(Bound.Seconds(15)));
        Assert.Contains("The Sails socket 'pets' could not connect", error.Message, StringComparison.Ordinal);
        var report = await hosted.Health.CheckHealthAsync(Bound.Seconds(5));
        Assert.Equal(HealthStatus.Unhealthy, report.Status);
        Assert.StartsWith("failed: connection failed", (string)report.Entries["sails"].Data["pets"], StringComparison.Ordinal);
        Assert.DoesNotContain(hosted.Logs.Lines, l => l.Message.Contains("pa55word", StringComparison.Ordinal));
    }
    [Fact]
    public async Task ConfigureHandshake_adds_a_fresh_CSRF_token_to_the_hosted_socket()
    {
        await using var server = await SailsServer.StartAsync(new Dictionary<string, string> { ["CSRF"] = "1" }).Within(150);
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Sails:Url"] = server.Url.ToString(),
            ["Sails:WaitForConnectOnStart"] = "true",
            ["Sails:Sockets:csrf:Subscriptions:0"] = "/pet",
            ["Sails:Sockets:bare:Subscriptions:0"] = "/pet",
        });
        var handshakes = 0;
        builder.Services.AddSailsClient(builder.Configuration.GetSection("Sails"))
            .ConfigureHandshake(async (services, handshake, ct) =>
            {
                Assert.NotNull(services.GetService<ISailsClientProvider>());
                Interlocked.Increment(ref handshakes);
                await handshake.AddCsrfTokenAsync(ct);
            });
        using var host = builder.Build();
        await host.StartAsync(Bound.Seconds(20));
        var socket = host.Services.GetRequiredService<ISailsClientProvider>().GetSocket("csrf");

        Assert.Equal(200, (await socket.PostAsJsonAsync("/pet", new PetData("hosted-csrf"), TestJson.Default.PetData, Bound.Seconds(10))).StatusCode);
        Assert.Equal(2, Volatile.Read(ref handshakes)); // one per socket

        // The token is what made the POST pass: the same request without it is refused.
        var bare = new SailsRequest("post", "/echo");
        bare.OmittedDefaultHeaders.Add("x-csrf-token");
        Assert.Equal(403, (await socket.RequestAsync(bare, Bound.Seconds(10))).StatusCode);
        await host.StopAsync(Bound.Seconds(10));
    }
}
