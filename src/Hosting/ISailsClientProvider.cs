using System.Collections.Generic;

namespace SailSocket.Extensions.Hosting;

/// <summary>
/// The named Sails clients of the application and their named sockets, created once on first use from their validated
/// <see cref="SailsClientSettings"/> and disposed with the host.
/// </summary>
/// <remarks>Thread-safe. A socket is created with its handlers (<see cref="SailsClientBuilderExtensions.ConfigureSocket"/>) and then kept connected, its subscriptions replayed after every reconnect.</remarks>
public interface ISailsClientProvider
{
    /// <summary>The names of the registered clients.</summary>
    IReadOnlyCollection<string> ClientNames { get; }

    /// <summary>The names of the sockets configured for a client (<see cref="SailsClientSettings.Sockets"/>).</summary>
    /// <param name="clientName">The client; <see langword="null"/> for the default one.</param>
    /// <returns>The socket names.</returns>
    /// <exception cref="System.InvalidOperationException">No client of that name is registered.</exception>
    IReadOnlyCollection<string> GetSocketNames(string? clientName = null);

    /// <summary>The client of that name.</summary>
    /// <param name="clientName">The client; <see langword="null"/> for the default one.</param>
    /// <returns>The client, shared by every caller.</returns>
    /// <exception cref="System.InvalidOperationException">No client of that name is registered.</exception>
    /// <exception cref="System.ObjectDisposedException">The provider is disposed.</exception>
    SailsClient GetClient(string? clientName = null);

    /// <summary>The named socket of a client, connecting (and subscribing) in the background from its first use.</summary>
    /// <param name="socketName">A name of <see cref="SailsClientSettings.Sockets"/>.</param>
    /// <param name="clientName">The client; <see langword="null"/> for the default one.</param>
    /// <returns>The socket, shared by every caller; do not dispose it.</returns>
    /// <exception cref="System.InvalidOperationException">No client or socket of that name is configured.</exception>
    /// <exception cref="System.ObjectDisposedException">The provider is disposed.</exception>
    SailsSocket GetSocket(string socketName, string? clientName = null);
}
