using System;
using System.Collections.Generic;
using System.Text.Json.Serialization.Metadata;
using System.Threading;
using SailSocket.Events;

namespace SailSocket;

/// <content>Server events (<c>io.socket.on</c> / <c>off</c>) and streams of events, kept by the socket's <see cref="EventRouter"/>.</content>
public sealed partial class SailsSocket
{
    /// <summary>
    /// How many server events this socket dropped to stay within its bounds: events the handlers fell
    /// <see cref="SailsClientOptions.MaxPendingEvents"/> events or <see cref="SailsClientOptions.MaxPendingEventBytes"/>
    /// bytes behind on, and events a <see cref="ReadEventsAsync"/> stream dropped (oldest first) because its consumer fell
    /// its capacity or <see cref="SailsClientOptions.MaxPendingEventBytes"/> behind.
    /// </summary>
    public long DroppedEventCount => _events.DroppedCount;

    /// <summary>Raised when an event handler throws; the socket and the other handlers carry on.</summary>
    public event EventHandler<SailsHandlerExceptionEventArgs>? HandlerException;

    /// <summary>Calls <paramref name="handler"/> for every server event named <paramref name="eventName"/> (<c>io.socket.on</c>).</summary>
    /// <param name="eventName">The event name: a room event, <c>message</c>, or a model identity such as <c>user</c>.</param>
    /// <param name="handler">The handler; runs on the thread pool, one event at a time, in arrival order.</param>
    /// <returns>A registration; dispose it to remove this handler.</returns>
    /// <exception cref="ArgumentException"><paramref name="eventName"/> is empty or reserved by Socket.IO (<c>connect</c>,
    /// <c>disconnect</c>, … — use the lifecycle events instead).</exception>
    /// <exception cref="InvalidOperationException">The event already has <see cref="SailsClientOptions.MaxListenersPerEvent"/>
    /// handlers (a registration leak, most likely: dispose the registrations you no longer need).</exception>
    public IDisposable On(string eventName, Action<SailsEvent> handler) => _events.On(eventName, handler);

    /// <summary>Calls <paramref name="handler"/> with the data of every event named <paramref name="eventName"/>, deserialised.</summary>
    /// <typeparam name="T">The data type.</typeparam>
    /// <param name="eventName">The event name.</param>
    /// <param name="dataTypeInfo">Serialization metadata for the data (source-generated for AOT).</param>
    /// <param name="handler">The handler; data that does not deserialise is reported to <see cref="HandlerException"/>.</param>
    /// <returns>A registration; dispose it to remove the handler.</returns>
    /// <exception cref="ArgumentException"><paramref name="eventName"/> is empty or reserved.</exception>
    /// <exception cref="InvalidOperationException">The event already has <see cref="SailsClientOptions.MaxListenersPerEvent"/> handlers.</exception>
    public IDisposable On<T>(string eventName, JsonTypeInfo<T> dataTypeInfo, Action<T?> handler)
    {
        ArgumentNullException.ThrowIfNull(dataTypeInfo);
        ArgumentNullException.ThrowIfNull(handler);
        return _events.On(eventName, e => handler(e.ReadData(dataTypeInfo)));
    }

    /// <summary>Calls <paramref name="handler"/> for the next event named <paramref name="eventName"/> only.</summary>
    /// <param name="eventName">The event name.</param>
    /// <param name="handler">The handler.</param>
    /// <returns>A registration; dispose it to remove the handler before it runs.</returns>
    /// <exception cref="ArgumentException"><paramref name="eventName"/> is empty or reserved.</exception>
    /// <exception cref="InvalidOperationException">The event already has <see cref="SailsClientOptions.MaxListenersPerEvent"/> handlers.</exception>
    public IDisposable Once(string eventName, Action<SailsEvent> handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        IDisposable? registration = null;
        var fired = 0;
        registration = _events.On(eventName, e =>
        {
            if (Interlocked.Exchange(ref fired, 1) == 0)
            {
                registration?.Dispose();
                handler(e);
            }
        });
        return registration;
    }

    /// <summary>Calls <paramref name="handler"/> for every server event, whatever its name (after the named handlers).</summary>
    /// <param name="handler">The handler.</param>
    /// <returns>A registration; dispose it to remove the handler.</returns>
    /// <exception cref="InvalidOperationException">The socket already has <see cref="SailsClientOptions.MaxListenersPerEvent"/> such handlers.</exception>
    public IDisposable OnAny(Action<SailsEvent> handler) => _events.OnAny(handler);

    /// <summary>Removes one registration of <paramref name="handler"/> for <paramref name="eventName"/>.</summary>
    /// <param name="eventName">The event name.</param>
    /// <param name="handler">The handler given to <see cref="On(string, Action{SailsEvent})"/>.</param>
    /// <returns>Whether a registration was removed.</returns>
    public bool Off(string eventName, Action<SailsEvent> handler)
    {
        ArgumentNullException.ThrowIfNull(eventName);
        ArgumentNullException.ThrowIfNull(handler);
        return _events.Off(eventName, handler);
    }

    /// <summary>Removes every handler for <paramref name="eventName"/> (<c>io.socket.off(eventName)</c>).</summary>
    /// <param name="eventName">The event name.</param>
    /// <returns>Whether any handler was removed.</returns>
    public bool Off(string eventName)
    {
        ArgumentNullException.ThrowIfNull(eventName);
        return _events.Off(eventName);
    }

    /// <summary>Removes every handler of every event, <see cref="OnAny"/> ones included (<c>io.socket.removeAllListeners()</c>).</summary>
    /// <returns>Whether any handler was removed.</returns>
    /// <remarks>Streams from <see cref="ReadEventsAsync"/> stop receiving too; lifecycle events are CLR events and stay.</remarks>
    public bool OffAll() => _events.OffAll();

    /// <summary>
    /// Streams the events named <paramref name="eventName"/> for <c>await foreach</c>, across reconnects. The stream is
    /// registered by this call: events that arrive before the first <c>MoveNextAsync</c> wait in it, so start it before
    /// the request that will cause them (a subscription, say).
    /// </summary>
    /// <param name="eventName">The event name.</param>
    /// <param name="capacity">How many events may wait for a slow consumer. Default 1024.</param>
    /// <param name="cancellationToken">Ends the stream, whether or not it is being enumerated.</param>
    /// <returns>The events, in arrival order; enumerable once.</returns>
    /// <remarks>
    /// The stream ends when its enumeration ends, when <paramref name="cancellationToken"/> is cancelled, or when the socket
    /// is disposed; a stream that is never enumerated keeps its registration until one of the last two. When the consumer
    /// falls <paramref name="capacity"/> events or <see cref="SailsClientOptions.MaxPendingEventBytes"/> payload bytes
    /// behind, the oldest waiting events are dropped to make room (counted in <see cref="DroppedEventCount"/>). Each stream
    /// is one handler of <paramref name="eventName"/>, counted against <see cref="SailsClientOptions.MaxListenersPerEvent"/>.
    /// </remarks>
    /// <exception cref="ArgumentException"><paramref name="eventName"/> is empty or reserved.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="capacity"/> is less than 1.</exception>
    /// <exception cref="InvalidOperationException">The event already has <see cref="SailsClientOptions.MaxListenersPerEvent"/> handlers.</exception>
    public IAsyncEnumerable<SailsEvent> ReadEventsAsync(string eventName, int capacity = 1024, CancellationToken cancellationToken = default)
    {
        EventRouter.CheckEventName(eventName);
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        return new EventStream(_events, eventName, capacity, cancellationToken);
    }
}
