namespace SailSocket.Internal;

/// <summary>Handles the items of a <see cref="SerialDispatcher{T}"/>; implemented by their owner, so that an idle socket
/// does not hold a delegate for it.</summary>
/// <typeparam name="T">The work item.</typeparam>
internal interface ISerialHandler<in T>
{
    /// <summary>Handles one item; must not throw.</summary>
    /// <param name="item">The item.</param>
    void Handle(T item);
}
