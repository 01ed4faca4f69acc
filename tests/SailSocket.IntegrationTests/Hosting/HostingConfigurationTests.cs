using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using SailSocket.Extensions.Hosting;
using SailSocket.Extensions.Hosting.Internal;

namespace SailSocket.IntegrationTests.Hosting;

/// <summary>
/// Bad configuration fails the host at start with the option's configuration path, before any request; the values of
/// URLs (which may carry credentials) are never echoed. No server is needed: nothing may be attempted.
/// </summary>
public sealed class HostingConfigurationTests
{
    private static IHost Build(Dictionary<string, string?> settings)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Services.AddSailsClient(builder.Configuration.GetSection("Sails"));
        return builder.Build();
    }

    private static async Task<Exception> StartFailsAsync(Dictionary<string, string?> settings)
    {
        using var host = Build(settings);
        var error = await Assert.ThrowsAnyAsync<Exception>(() => host.StartAsync(Bound.Seconds(10)));
        // Nothing was created: a failed start made no socket.
        Assert.Empty(host.Services.GetRequiredService<SailsClientProvider>().Keepers());
        return error;
    }

    [Theory]
    [InlineData("Sails:Url", "ftp://user:pa55word@example.com", "Sails:Url must use http, https, ws or wss, not 'ftp'.")]
    [InlineData("Sails:Url", "not a url?token=pa55word", "Sails:Url is not an absolute URL.")]
    [InlineData("Sails:Transports", "carrier-pigeon", "Sails:Transports: unknown transport 'carrier-pigeon'; expected WebSocket, Polling or PollingThenUpgrade.")]
    [InlineData("Sails:Transports", "7", "Sails:Transports: unknown transport '7'")]
    [InlineData("Sails:WebSocketEngine", "curl", "Sails:WebSocketEngine: unknown engine 'curl'; expected ClientWebSocket or Managed.")]
    [InlineData("Sails:WebSocketEngine", "1", "Sails:WebSocketEngine: unknown engine '1'")]
    [InlineData("Sails:FailedNodeRetryDelay", "-00:00:01", "Sails:FailedNodeRetryDelay must not be negative, not -00:00:01.")]
    [InlineData("Sails:ConnectTimeout", "-00:00:05", "Sails:ConnectTimeout must be positive, not -00:00:05.")]
    [InlineData("Sails:RequestTimeout", "00:00:00", "Sails:RequestTimeout must be positive, not 00:00:00.")]
    [InlineData("Sails:Reconnection:Delay", "-00:00:01", "Sails:Reconnection:Delay must not be negative")]
    [InlineData("Sails:Reconnection:Attempts", "0", "Sails:Reconnection:Attempts must be at least 1")]
    [InlineData("Sails:Urls:0", "gopher://example.com", "Sails:Urls:0 must use http, https, ws or wss, not 'gopher'.")]
    [InlineData("Sails:Urls:0", "http://admin:pa55word@node1.example.com", "Sails:Urls:0 must not carry user info (put credentials in Headers).")]
    [InlineData("Sails:Sockets:orders:Url", "gopher://example.com", "Sails:Sockets:orders:Url must use http, https, ws or wss, not 'gopher'.")]
    [InlineData("Sails:Sockets:orders:Subscriptions:0", "pet", "Sails:Sockets:orders:Subscriptions:0 must be a path starting with '/'.")]
    public async Task A_bad_option_fails_the_start_naming_the_option(string key, string value, string expected)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Sails:Url"] = "http://127.0.0.1:9",
            ["Sails:Sockets:orders:Subscriptions:0"] = "/pet",
            [key] = value,
        };

        var error = Assert.IsType<OptionsValidationException>(await StartFailsAsync(settings));
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("pa55word", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_url_fails_the_start_and_every_problem_is_listed()
    {
        var error = Assert.IsType<OptionsValidationException>(await StartFailsAsync(new()
        {
            ["Sails:Transports"] = "smoke-signals",
            ["Sails:Sockets:orders:Subscriptions:0"] = "/pet",
        }));

        Assert.Contains("Sails:Url is required (or a Url on every socket).", error.Failures);
        Assert.Contains(error.Failures, f => f.StartsWith("Sails:Transports:", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_value_that_is_not_a_time_span_fails_the_start_naming_the_option()
    {
        var error = await StartFailsAsync(new() { ["Sails:Url"] = "http://127.0.0.1:9", ["Sails:ConnectTimeout"] = "soon" });
        Assert.IsType<InvalidOperationException>(error);
        Assert.Contains("Sails:ConnectTimeout", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Valid_settings_map_to_the_core_options_with_the_documented_defaults()
    {
        using var host = Build(new()
        {
            ["Sails:Url"] = "http://127.0.0.1:9",
            ["Sails:Urls:0"] = "http://127.0.0.1:9",
            ["Sails:Urls:1"] = "http://127.0.0.2:9",
            ["Sails:Transports"] = "pollingthenupgrade",
            ["Sails:Reconnection:Attempts"] = "3",
            ["Sails:WebSocketEngine"] = "managed",
            ["Sails:ReceiveThread"] = "true",
            ["Sails:FailedNodeRetryDelay"] = "00:00:05",
        });
        var settings = host.Services.GetRequiredService<IOptionsMonitor<SailsClientSettings>>().Get(Options.DefaultName);
        Assert.Equal(TimeSpan.FromSeconds(20), settings.ConnectTimeout);
        Assert.False(settings.WaitForConnectOnStart);
        Assert.Equal(TimeSpan.FromSeconds(5), settings.FailedNodeRetryDelay);

        var client = host.Services.GetRequiredService<ISailsClientProvider>().GetClient();
        Assert.Equal(new Uri("http://127.0.0.1:9"), client.Options.Url);
        Assert.Equal([new Uri("http://127.0.0.1:9"), new Uri("http://127.0.0.2:9")], client.Options.Urls!);
        Assert.Equal(SailSocket.Engine.EngineTransports.PollingThenUpgrade, client.Options.Transports);
        Assert.Equal(SailSocket.Engine.EngineWebSocketEngine.Managed, client.Options.WebSocketEngine);
        Assert.True(client.Options.ReceiveThread);
        Assert.Equal(TimeSpan.FromSeconds(5), client.Options.FailedNodeRetryDelay);
        Assert.True(client.Options.Reconnection.Enabled);
        Assert.Equal(3, client.Options.Reconnection.Attempts);
        Assert.Equal(TimeSpan.FromSeconds(30), client.Options.RequestTimeout);
        Assert.IsType<LoggerSailsLogSink>(client.Options.LogSink);
        Assert.Throws<InvalidOperationException>(() => host.Services.GetRequiredService<ISailsClientProvider>().GetSocket("nope"));
        Assert.Throws<InvalidOperationException>(() => host.Services.GetRequiredService<ISailsClientProvider>().GetClient("nope"));
    }

    [Fact]
    public void A_client_name_registered_twice_is_refused()
    {
        var services = new ServiceCollection();
        services.AddSailsClient("a", s => s.Url = "http://127.0.0.1:9");
        Assert.Throws<InvalidOperationException>(() => services.AddSailsClient("a", s => s.Url = "http://127.0.0.1:9"));
    }
}
