using System.Collections.Concurrent;

namespace SailSocket.TestingSample;

/// <summary>
/// Keeps a live view of the orders of a Sails app: loads them with <c>GET /orders</c> (a subscribing request, replayed
/// after a reconnect) and applies the <c>order</c> events the app then pushes.
/// </summary>
public sealed class OrderWatcher : IDisposable
{
    private readonly SailsSocket _socket;
    private readonly ConcurrentDictionary<int, Order> _orders = new();
    private IDisposable? _handler;

    public OrderWatcher(SailsSocket socket) => _socket = socket;

    /// <summary>The orders as last seen.</summary>
    public IReadOnlyDictionary<int, Order> Orders => _orders;

    /// <summary>Raised after an event changed <see cref="Orders"/>, with the id of the order.</summary>
    public event Action<int>? Changed;

    /// <summary>Loads the orders and subscribes to their changes.</summary>
    /// <exception cref="SailsRequestException">The app answered with an error status.</exception>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        _handler = _socket.On("order", e =>
        {
            var message = e.ReadData(OrderJsonContext.Default.OrderMessage);
            if (message is null)
            {
                return;
            }

            if (message.Verb == "destroyed")
            {
                _orders.TryRemove(message.Id, out _);
            }
            else if (message.Data is { } order)
            {
                _orders[message.Id] = order;
            }

            Changed?.Invoke(message.Id);
        });
        var subscription = await _socket.SubscribeAsync(new SailsRequest("get", "/orders"), cancellationToken);
        var orders = subscription.LastResponse!.EnsureSuccessStatusCode().ReadBody(OrderJsonContext.Default.OrderArray) ?? [];
        foreach (var order in orders)
        {
            _orders[order.Id] = order;
        }
    }

    public void Dispose() => _handler?.Dispose();
}
