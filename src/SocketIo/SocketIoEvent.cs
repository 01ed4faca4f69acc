using System;
using System.Collections.Generic;

namespace SailSocket.SocketIo;

/// <summary>An event pushed by the server, as handed to <see cref="SocketIoOptions.OnEvent"/>.</summary>
/// <remarks>
/// <see cref="Arguments"/> and <see cref="Attachments"/> are views over the receive buffer, valid only during the
/// callback: copy what must be kept.
/// </remarks>
public readonly struct SocketIoEvent
{
    /// <summary>Creates an event view.</summary>
    /// <param name="name">The event name.</param>
    /// <param name="arguments">The JSON array of the event, name first.</param>
    /// <param name="ackId">The ack id the server wants answered, or -1.</param>
    /// <param name="attachments">The binary attachments.</param>
    public SocketIoEvent(string name, ReadOnlyMemory<byte> arguments, long ackId, IReadOnlyList<ReadOnlyMemory<byte>> attachments)
    {
        Name = name;
        Arguments = arguments;
        AckId = ackId;
        Attachments = attachments;
    }

    /// <summary>The event name.</summary>
    public string Name { get; }

    /// <summary>The whole JSON array of the event, its name first: <c>["name", arg0, arg1, …]</c>.</summary>
    public ReadOnlyMemory<byte> Arguments { get; }

    /// <summary>The ack id the server asked to be answered with <see cref="SocketIoClient.AckAsync"/>, or -1.</summary>
    public long AckId { get; }

    /// <summary>The binary attachments, in placeholder order.</summary>
    public IReadOnlyList<ReadOnlyMemory<byte>> Attachments { get; }

    /// <summary>Gets the raw JSON of argument <paramref name="index"/> (0 is the first after the name).</summary>
    /// <param name="index">The argument index.</param>
    /// <returns>The argument's UTF-8 JSON, or empty when the event has fewer arguments.</returns>
    public ReadOnlyMemory<byte> GetArgument(int index) => Protocol.SocketIoJsonArray.GetElement(Arguments, index + 1);
}
