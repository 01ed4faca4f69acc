using SailSocket.Resources;

namespace SailSocket.IntegrationTests.Resources;

/// <summary>Every pub/sub message one socket hears of one model, in arrival order, with a bounded wait for the next match.</summary>
internal sealed class MessageLog<T> : IDisposable
{
    private readonly List<SailsResourceMessage<T>> _messages = [];
    private readonly IDisposable _registration;

    public MessageLog(SailsResource<T> resource)
    {
        _registration = resource.On(m =>
        {
            lock (_messages)
            {
                _messages.Add(m);
                Monitor.PulseAll(_messages);
            }
        });
    }

    public IReadOnlyList<SailsResourceMessage<T>> Snapshot()
    {
        lock (_messages)
        {
            return [.. _messages];
        }
    }

    /// <summary>Waits (at most <paramref name="seconds"/>) for a message that matches, and returns it.</summary>
    public async Task<SailsResourceMessage<T>> WaitFor(Func<SailsResourceMessage<T>, bool> match, double seconds = 10)
    {
        SailsResourceMessage<T>? found = null;
        await Bound.Until(() =>
        {
            lock (_messages)
            {
                found = _messages.FirstOrDefault(match);
                return found is not null;
            }
        }, seconds);
        return found!;
    }

    public void Dispose() => _registration.Dispose();
}
