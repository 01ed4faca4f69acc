using System;
using System.Threading.Tasks;
using SailSocket.Fleet;
using Xunit;

namespace SailSocket.UnitTests.Sails.Fleet;

public sealed class FleetOptionsTests
{
    private static readonly Uri[] s_three = [new("http://127.0.0.1:1"), new("http://127.0.0.1:2"), new("http://127.0.0.1:3")];

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(SailsFleetOptions.MaxSocketCount + 1)]
    public void SocketCount_OutOfRange_NamesIt(int count)
    {
        var error = Assert.ThrowsAny<ArgumentException>(() => new SailsFleet(new SailsFleetOptions { Nodes = s_three, SocketCount = count }));
        Assert.Equal(nameof(SailsFleetOptions.SocketCount), error.ParamName);
    }

    [Fact]
    public void NoNodes_NamesThem()
    {
        var error = Assert.ThrowsAny<ArgumentException>(() => new SailsFleet(new SailsFleetOptions { Nodes = [], SocketCount = 3 }));
        Assert.Equal(nameof(SailsFleetOptions.Nodes), error.ParamName);
        error = Assert.ThrowsAny<ArgumentException>(() => new SailsFleet(new SailsFleetOptions { Nodes = [new Uri("ftp://127.0.0.1:1")], SocketCount = 3 }));
        Assert.Equal(nameof(SailsFleetOptions.Nodes), error.ParamName);
        error = Assert.ThrowsAny<ArgumentException>(() => new SailsFleet(new SailsFleetOptions { Nodes = [null!], SocketCount = 3 }));
        Assert.Equal(nameof(SailsFleetOptions.Nodes), error.ParamName);
    }

    [Theory]
    [InlineData(0, 1, 0.5, nameof(SailsFleetOptions.ConnectRate))]
    [InlineData(double.NaN, 1, 0.5, nameof(SailsFleetOptions.ConnectRate))]
    [InlineData(double.PositiveInfinity, 1, 0.5, nameof(SailsFleetOptions.ConnectRate))]
    [InlineData(0.001, 1, 0.5, nameof(SailsFleetOptions.ConnectRate))]
    [InlineData(10, 0, 0.5, nameof(SailsFleetOptions.ConnectBurst))]
    [InlineData(10, SailsFleetOptions.MaxSocketCount + 1, 0.5, nameof(SailsFleetOptions.ConnectBurst))]
    [InlineData(10, 1, 1.5, nameof(SailsFleetOptions.ConnectJitter))]
    [InlineData(10, 1, -0.1, nameof(SailsFleetOptions.ConnectJitter))]
    public void ConnectRate_OutOfRange_NamesIt(double rate, int burst, double jitter, string name)
    {
        var error = Assert.ThrowsAny<ArgumentException>(() => new SailsFleetOptions { Nodes = s_three, SocketCount = 1, ConnectRate = rate, ConnectBurst = burst, ConnectJitter = jitter }.Validate());
        Assert.Equal(name, error.ParamName);
    }

    [Fact]
    public async Task RoundRobin_IsTheDefault()
    {
        await using var fleet = new SailsFleet(new SailsFleetOptions { Nodes = s_three, SocketCount = 8 });
        Assert.Equal(8, fleet.Count);
        for (var i = 0; i < fleet.Count; i++)
        {
            Assert.Equal(i % 3, fleet.GetPlacement(i));
            Assert.Equal(s_three[i % 3], fleet[i].Url);
            Assert.Equal(SailsSocketState.Disconnected, fleet[i].State);
        }

        Assert.Equal([3, 3, 2], new[] { fleet.GetSocketsPlacedOn(0).Count, fleet.GetSocketsPlacedOn(1).Count, fleet.GetSocketsPlacedOn(2).Count });
        Assert.Same(fleet[4], fleet.GetSocketsPlacedOn(1)[1]);
        var snapshot = fleet.GetSnapshot();
        Assert.Equal(8, snapshot.Disconnected);
        Assert.Equal([3, 3, 2], new[] { snapshot.Nodes[0].Placed, snapshot.Nodes[1].Placed, snapshot.Nodes[2].Placed });
    }

    [Fact]
    public async Task UserPlacement_IsCalledOncePerSocket_AndMayReturnAnEqualUri()
    {
        var calls = 0;
        await using var fleet = new SailsFleet(new SailsFleetOptions
        {
            Nodes = s_three,
            SocketCount = 10,
            Placement = (i, nodes) =>
            {
                calls++;
                Assert.Same(nodes, nodes);
                return i < 7 ? new Uri("http://127.0.0.1:3") : nodes[0];
            },
        });
        Assert.Equal(10, calls);
        Assert.Equal(7, fleet.GetSocketsPlacedOn(2).Count);
        Assert.Equal(3, fleet.GetSocketsPlacedOn(0).Count);
        Assert.Empty(fleet.GetSocketsPlacedOn(1));
        Assert.Equal(2, fleet.GetPlacement(6));
        Assert.Equal(0, fleet.GetPlacement(7));
    }

    [Fact]
    public void Placement_ReturningAStranger_NamesIt_WithoutTheUrl()
    {
        var error = Assert.ThrowsAny<ArgumentException>(() => new SailsFleet(new SailsFleetOptions
        {
            Nodes = s_three,
            SocketCount = 4,
            Placement = (i, nodes) => i == 2 ? new Uri("http://127.0.0.1:9/?token=s3cret") : nodes[0],
        }));
        Assert.Equal(nameof(SailsFleetOptions.Placement), error.ParamName);
        Assert.Contains("socket 2", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cret", error.Message, StringComparison.Ordinal);

        error = Assert.ThrowsAny<ArgumentException>(() => new SailsFleet(new SailsFleetOptions { Nodes = s_three, SocketCount = 1, Placement = (_, _) => null! }));
        Assert.Equal(nameof(SailsFleetOptions.Placement), error.ParamName);
    }

    [Fact]
    public async Task Disposal_DisposesEverySocket_AndIsIdempotent()
    {
        var fleet = new SailsFleet(new SailsFleetOptions { Nodes = s_three, SocketCount = 5 });
        Assert.Equal(5, fleet.Client.Sockets.Count);
        await fleet.DisposeAsync();
        await fleet.DisposeAsync();
        Assert.Empty(fleet.Client.Sockets);
        Assert.Equal(SailsSocketState.Closed, fleet[0].State);
        await Assert.ThrowsAsync<ObjectDisposedException>(() => fleet.ConnectAsync());
    }
}
