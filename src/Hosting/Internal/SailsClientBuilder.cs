using Microsoft.Extensions.DependencyInjection;

namespace SailSocket.Extensions.Hosting.Internal;

/// <summary>The builder <c>AddSailsClient</c> returns.</summary>
internal sealed class SailsClientBuilder(string name, IServiceCollection services) : ISailsClientBuilder
{
    public string Name { get; } = name;

    public IServiceCollection Services { get; } = services;
}
