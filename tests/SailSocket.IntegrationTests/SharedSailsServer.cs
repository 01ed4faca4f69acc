using SailSocket.TestServers;

namespace SailSocket.IntegrationTests;

/// <summary>
/// One Sails server for every test that does not change server state, lifted once per test run (lifting takes ~5 s).
/// Tests that kill, pause or reconfigure a server start their own.
/// </summary>
public static class SharedSailsServer
{
    private static readonly Lazy<Task<SailsServer>> s_server = new(StartAsync);

    public static Task<SailsServer> GetAsync() => s_server.Value;

    private static async Task<SailsServer> StartAsync()
    {
        var server = await SailsServer.StartAsync();
        AppDomain.CurrentDomain.ProcessExit += (_, _) => server.Kill();
        return server;
    }
}
