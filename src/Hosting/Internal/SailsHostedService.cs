using System;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace SailSocket.Extensions.Hosting.Internal;

/// <summary>
/// Starts every configured socket when the host starts (waiting for them only where <see cref="SailsClientSettings.WaitForConnectOnStart"/>
/// says so) and closes them all when it stops, within the host's shutdown token.
/// </summary>
internal sealed class SailsHostedService(SailsClientProvider provider, IOptionsMonitor<SailsClientSettings> settings) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var keepers = provider.StartAll();
        var waited = keepers.Where(k => settings.Get(k.ClientName).WaitForConnectOnStart).Select(k => k.Ready).ToArray();
        if (waited.Length > 0)
        {
            await Task.WhenAll(waited).WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        try
        {
            await provider.DisposeAsync().AsTask().WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The host's shutdown bound is up: the sockets go on closing in the background (each within 4 s).
        }
    }
}
