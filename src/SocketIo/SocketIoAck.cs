using System;
using System.Collections.Generic;

namespace SailSocket.SocketIo;

/// <summary>The answer to an emit: the ack's arguments as a JSON array, plus its binary attachments.</summary>
/// <remarks>A view over memory copied off the receive buffer for this ack: it can be kept. A value, so an ack costs no
/// object of its own; <see langword="default"/> has no arguments and no attachments.</remarks>
public readonly struct SocketIoAck
{
    private readonly IReadOnlyList<ReadOnlyMemory<byte>>? _attachments;

    /// <summary>Creates an ack.</summary>
    /// <param name="arguments">The ack's arguments: a UTF-8 JSON array, placeholders included.</param>
    /// <param name="attachments">The binary attachments, in placeholder order.</param>
    public SocketIoAck(ReadOnlyMemory<byte> arguments, IReadOnlyList<ReadOnlyMemory<byte>> attachments)
    {
        ArgumentNullException.ThrowIfNull(attachments);
        Arguments = arguments;
        _attachments = attachments;
    }

    /// <summary>The ack's arguments: a UTF-8 JSON array. Binary values appear as <c>{"_placeholder":true,"num":k}</c>.</summary>
    public ReadOnlyMemory<byte> Arguments { get; }

    /// <summary>Binary attachment <c>k</c> for placeholder <c>num = k</c>; empty when the ack had none.</summary>
    public IReadOnlyList<ReadOnlyMemory<byte>> Attachments => _attachments ?? [];
}
