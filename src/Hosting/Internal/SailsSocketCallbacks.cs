using System;
using System.Collections.Generic;

namespace SailSocket.Extensions.Hosting.Internal;

/// <summary>The <c>ConfigureSocket</c> callbacks of one client (named options, by client name).</summary>
internal sealed class SailsSocketCallbacks
{
    public List<Action<IServiceProvider, string, SailsSocket>> Configure { get; } = [];
}
