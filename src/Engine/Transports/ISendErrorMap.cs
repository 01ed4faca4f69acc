using System;

namespace SailSocket.Engine.Transports;

/// <summary>Turns the error of a failed send into what its sender sees (an interface, not a delegate: no object per socket).</summary>
internal interface ISendErrorMap
{
    /// <summary>Maps the error; may end the connection on the way.</summary>
    Exception Map(Exception error);
}
