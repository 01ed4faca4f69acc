using SailSocket.TestServers;

namespace SailSocket.IntegrationTests;

/// <summary>A test class with a client on the shared server; the client (and its sockets) is disposed after each test.</summary>
public abstract class SailsServerTestBase : IAsyncLifetime
{
    protected SailsServer Server { get; private set; } = null!;

    protected SailsClient Client { get; private set; } = null!;

    protected virtual SailsClientOptions CreateOptions(Uri url) => new() { Url = url, RequestTimeout = TimeSpan.FromSeconds(10), ConnectTimeout = TimeSpan.FromSeconds(10) };

    public async Task InitializeAsync()
    {
        Server = await SharedSailsServer.GetAsync();
        Client = new SailsClient(CreateOptions(Server.Url));
    }

    public async Task DisposeAsync() => await Client.DisposeAsync().AsTask().Within(15);

    protected Task<SailsSocket> ConnectAsync() => Client.ConnectAsync(Bound.Seconds(15));
}
