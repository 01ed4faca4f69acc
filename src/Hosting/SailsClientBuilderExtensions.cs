using System;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.DependencyInjection;
using SailSocket.Extensions.Hosting.Internal;

namespace SailSocket.Extensions.Hosting;

/// <summary>Configures the sockets of a Sails client registered with <c>AddSailsClient</c>.</summary>
public static class SailsClientBuilderExtensions
{
    /// <summary>
    /// Runs <paramref name="configure"/> on each named socket of the client when it is created, before it connects: the
    /// place to add event handlers (<see cref="SailsSocket.On(string, Action{SailsEvent})"/>), which then see every event,
    /// those after a reconnect included.
    /// </summary>
    /// <param name="builder">The client's builder.</param>
    /// <param name="configure">Receives the services, the socket's name and the socket. It must not block.</param>
    /// <returns>The builder.</returns>
    public static ISailsClientBuilder ConfigureSocket(this ISailsClientBuilder builder, Action<IServiceProvider, string, SailsSocket> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        builder.Services.Configure<SailsSocketCallbacks>(builder.Name, callbacks => callbacks.Configure.Add(configure));
        return builder;
    }

    /// <summary>
    /// Runs <paramref name="configure"/> before every handshake of the client's sockets, reconnections included
    /// (<see cref="SailsClientOptions.ConfigureHandshake"/>): the place to add a token or a CSRF token
    /// (<see cref="SailsHandshake.AddCsrfTokenAsync"/>) that must be fresh for each new session.
    /// </summary>
    /// <param name="builder">The client's builder.</param>
    /// <param name="configure">Receives the services, the handshake and a token bounding the handshake; callbacks run in the order added.</param>
    /// <returns>The builder.</returns>
    public static ISailsClientBuilder ConfigureHandshake(this ISailsClientBuilder builder, Func<IServiceProvider, SailsHandshake, CancellationToken, ValueTask> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        builder.Services.Configure<SailsSocketCallbacks>(builder.Name, callbacks => callbacks.Handshake.Add(configure));
        return builder;
    }
}
