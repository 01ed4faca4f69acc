using System;

namespace SailSocket.Internal;

/// <summary>One unit of work for a socket's dispatcher: a server event for the handlers, or a lifecycle notification.</summary>
/// <param name="Event">The server event, or <see langword="null"/>.</param>
/// <param name="Notification">The lifecycle notification to raise, or <see langword="null"/>.</param>
internal readonly record struct DispatchItem(SailsEvent? Event, Action? Notification);
