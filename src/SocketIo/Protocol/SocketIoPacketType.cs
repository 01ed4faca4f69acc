namespace SailSocket.SocketIo.Protocol;

/// <summary>Socket.IO packet types (docs/protocol.md §3.1): the first character of a packet.</summary>
internal enum SocketIoPacketType : byte
{
    /// <summary><c>0</c>: connect to a namespace (client) or connected (server, with <c>{"sid":…}</c>).</summary>
    Connect = 0,

    /// <summary><c>1</c>: leave a namespace.</summary>
    Disconnect = 1,

    /// <summary><c>2</c>: an event: <c>["name", args…]</c>.</summary>
    Event = 2,

    /// <summary><c>3</c>: the answer to an event that carried an ack id.</summary>
    Ack = 3,

    /// <summary><c>4</c>: the server refused a namespace connect (<c>{"message":…}</c>).</summary>
    ConnectError = 4,

    /// <summary><c>5</c>: an event with binary attachments following it.</summary>
    BinaryEvent = 5,

    /// <summary><c>6</c>: an ack with binary attachments following it.</summary>
    BinaryAck = 6,
}
