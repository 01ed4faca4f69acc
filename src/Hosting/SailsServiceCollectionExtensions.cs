using System;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using SailSocket.Extensions.Hosting.Internal;

namespace SailSocket.Extensions.Hosting;

/// <summary>Registers Sails clients in an <see cref="IServiceCollection"/>.</summary>
public static class SailsServiceCollectionExtensions
{
    /// <summary>
    /// Registers the default Sails client, bound from <paramref name="configuration"/> (by convention the <c>Sails</c>
    /// section) and validated when the host starts, with the hosted service that keeps its sockets connected.
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="configuration">The client's section, e.g. <c>builder.Configuration.GetSection("Sails")</c>.</param>
    /// <returns>A builder to add socket handlers.</returns>
    public static ISailsClientBuilder AddSailsClient(this IServiceCollection services, IConfiguration configuration) =>
        AddSailsClient(services, Options.DefaultName, configuration);

    /// <summary>Registers a named Sails client bound from <paramref name="configuration"/> and validated when the host starts.</summary>
    /// <param name="services">The services.</param>
    /// <param name="name">The client's name, for <see cref="ISailsClientProvider"/>.</param>
    /// <param name="configuration">The client's section.</param>
    /// <returns>A builder to add socket handlers.</returns>
    public static ISailsClientBuilder AddSailsClient(this IServiceCollection services, string name, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var path = configuration is IConfigurationSection section ? section.Path : "Sails";
        var builder = AddCore(services, name, path);
        builder.Services.AddOptions<SailsClientSettings>(name).Bind(configuration);
        return builder;
    }

    /// <summary>Registers a named Sails client configured in code, validated when the host starts.</summary>
    /// <param name="services">The services.</param>
    /// <param name="name">The client's name, for <see cref="ISailsClientProvider"/>.</param>
    /// <param name="configure">Sets the client's settings.</param>
    /// <returns>A builder to add socket handlers.</returns>
    public static ISailsClientBuilder AddSailsClient(this IServiceCollection services, string name, Action<SailsClientSettings> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        var builder = AddCore(services, name, string.IsNullOrEmpty(name) ? "Sails" : name);
        builder.Services.Configure(name, configure);
        return builder;
    }

    private static SailsClientBuilder AddCore(IServiceCollection services, string name, string configurationPath)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(name);
        foreach (var descriptor in services)
        {
            if (descriptor.ServiceType == typeof(SailsClientRegistration) && descriptor.ImplementationInstance is SailsClientRegistration existing && existing.Name == name)
            {
                throw new InvalidOperationException($"A Sails client named '{name}' is already registered.");
            }
        }

        services.AddSingleton(new SailsClientRegistration(name, configurationPath));
        services.AddOptions<SailsClientSettings>(name).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<SailsClientSettings>, SailsClientSettingsValidator>());
        services.TryAddSingleton<SailsClientProvider>();
        services.TryAddSingleton<ISailsClientProvider>(static sp => sp.GetRequiredService<SailsClientProvider>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, SailsHostedService>());
        return new SailsClientBuilder(name, services);
    }
}
