using Microsoft.Extensions.DependencyInjection;

namespace SailSocket.Extensions.Hosting;

/// <summary>Configures one named Sails client registered by <see cref="SailsServiceCollectionExtensions.AddSailsClient(IServiceCollection, Microsoft.Extensions.Configuration.IConfiguration)"/>.</summary>
public interface ISailsClientBuilder
{
    /// <summary>The client's name (<see cref="Microsoft.Extensions.Options.Options.DefaultName"/> for the default client).</summary>
    string Name { get; }

    /// <summary>The services the client is registered in.</summary>
    IServiceCollection Services { get; }
}
