using System.Text.Json;

namespace SailSocket.SocketIo;

/// <summary>Writes the arguments of an emit, after the event name, into the packet's JSON array.</summary>
/// <typeparam name="TState">What the arguments are written from.</typeparam>
/// <param name="writer">The JSON writer, inside the array, after the event name.</param>
/// <param name="state">The state given to the emit.</param>
public delegate void SocketIoArgumentsWriter<TState>(Utf8JsonWriter writer, TState state);
