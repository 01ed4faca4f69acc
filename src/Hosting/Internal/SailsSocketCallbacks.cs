using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;

namespace SailSocket.Extensions.Hosting.Internal;

/// <summary>The <c>ConfigureSocket</c> and <c>ConfigureHandshake</c> callbacks of one client (named options, by client name).</summary>
internal sealed class SailsSocketCallbacks
{
    public List<Action<IServiceProvider, string, SailsSocket>> Configure { get; } = [];

    public List<Func<IServiceProvider, SailsHandshake, CancellationToken, ValueTask>> Handshake { get; } = [];
}
