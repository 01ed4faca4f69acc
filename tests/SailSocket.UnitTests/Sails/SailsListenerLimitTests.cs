using System;
using System.Threading;
using System.Threading.Tasks;
using Xunit;

namespace SailSocket.UnitTests.Sails;

/// <summary><see cref="SailsClientOptions.MaxListenersPerEvent"/>: one handler too many is refused before anything grows.</summary>
public sealed class SailsListenerLimitTests : IAsyncLifetime
{
    private readonly SailsClient _client = new(new SailsClientOptions
    {
        Url = new Uri("http://127.0.0.1:9"),
        AutoConnect = false,
        MaxListenersPerEvent = 3,
    });

    private SailsSocket _socket = null!;

    public Task InitializeAsync()
    {
        _socket = _client.CreateSocket();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _client.DisposeAsync();

    [Fact]
    public void On_OneMoreThanTheLimit_ThrowsInvalidOperationNamingTheEventAndTheOption()
    {
        _socket.On("tick", _ => { });
        _socket.On("tick", _ => { });
        _socket.Once("tick", _ => { });

        var ex = Assert.Throws<InvalidOperationException>(() => _socket.On("tick", _ => { }));

        Assert.Contains("'tick'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("MaxListenersPerEvent = 3", ex.Message, StringComparison.Ordinal);
        Assert.Throws<InvalidOperationException>(() => _socket.Once("tick", _ => { }));
    }

    [Fact]
    public void On_TheLimitIsPerEventName()
    {
        for (var i = 0; i < 3; i++)
        {
            _socket.On("a", _ => { });
            _socket.On("b", _ => { });
        }

        Assert.Throws<InvalidOperationException>(() => _socket.On("a", _ => { }));
        Assert.Throws<InvalidOperationException>(() => _socket.On("b", _ => { }));
    }

    [Fact]
    public void On_DisposingARegistration_MakesRoom()
    {
        _socket.On("tick", _ => { });
        _socket.On("tick", _ => { });
        var third = _socket.On("tick", _ => { });
        Assert.Throws<InvalidOperationException>(() => _socket.On("tick", _ => { }));

        third.Dispose();
        using var again = _socket.On("tick", _ => { });
        Assert.True(_socket.Off("tick"));
        using var afterOff = _socket.On("tick", _ => { });
    }

    [Fact]
    public void OnAny_HasTheSameLimit()
    {
        var first = _socket.OnAny(_ => { });
        _socket.OnAny(_ => { });
        _socket.OnAny(_ => { });

        Assert.Throws<InvalidOperationException>(() => _socket.OnAny(_ => { }));
        first.Dispose();
        using var again = _socket.OnAny(_ => { });
    }

    [Fact]
    public async Task ReadEventsAsync_EachStreamCountsAsAHandler()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        _socket.On("tick", _ => { });
        _socket.On("tick", _ => { });
        await using var first = _socket.ReadEventsAsync("tick", cancellationToken: cts.Token).GetAsyncEnumerator(cts.Token);
        var waiting = first.MoveNextAsync(); // registers, then waits for an event

        // A stream registers when it is created: the one past the limit is refused by ReadEventsAsync itself.
        Assert.Throws<InvalidOperationException>(() => _socket.ReadEventsAsync("tick", cancellationToken: cts.Token));
        Assert.False(waiting.IsCompleted);
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await waiting);
    }
}
