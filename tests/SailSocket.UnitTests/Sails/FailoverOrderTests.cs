using System;
using System.Collections.Generic;
using System.Linq;
using SailSocket.Connection;
using SailSocket.UnitTests.Infrastructure;
using Xunit;

namespace SailSocket.UnitTests.Sails;

/// <summary>The failover policy (docs/cluster.md): which node each attempt goes to, the Urls option and a socket's node list.</summary>
public sealed class FailoverOrderTests
{
    private static readonly Uri s_a = new("http://10.0.0.1:1337");
    private static readonly Uri s_b = new("http://10.0.0.2:1337");
    private static readonly Uri s_c = new("http://10.0.0.3:1337");
    private static readonly Uri[] s_nodes = [s_a, s_b, s_c];

    private readonly ManualTimeProvider _clock = new();

    private NodeHealth Health(TimeSpan? retryDelay = null) => new(_clock, retryDelay ?? TimeSpan.FromSeconds(30));

    [Fact]
    public void A_healthy_own_node_always_comes_first()
    {
        var health = Health();
        health.Failed(s_b);

        Assert.All(Enumerable.Range(0, 10), spread => Assert.Same(s_a, FailoverOrder.Next(s_nodes, spread, health)));
    }

    [Fact]
    public void The_sockets_of_a_failed_node_spread_evenly_over_the_others()
    {
        var health = Health();
        health.Failed(s_a);

        var picks = Enumerable.Range(0, 100).Select(spread => FailoverOrder.Next(s_nodes, spread, health)).ToList();

        Assert.Equal(50, picks.Count(n => n == s_b));
        Assert.Equal(50, picks.Count(n => n == s_c));
    }

    [Fact]
    public void A_node_that_just_failed_is_tried_last()
    {
        var health = Health();
        health.Failed(s_a);
        health.Failed(s_b);

        Assert.Same(s_c, FailoverOrder.Next(s_nodes, 0, health));
        Assert.Same(s_c, FailoverOrder.Next(s_nodes, 1, health));
    }

    [Fact]
    public void When_every_node_failed_the_one_that_failed_longest_ago_is_next_so_all_are_tried_in_turn()
    {
        var health = Health();
        var tried = new List<Uri>();
        health.Failed(s_a);
        _clock.Advance(TimeSpan.FromSeconds(1));
        health.Failed(s_c);
        _clock.Advance(TimeSpan.FromSeconds(1));
        health.Failed(s_b);
        for (var attempt = 0; attempt < 6; attempt++)
        {
            _clock.Advance(TimeSpan.FromSeconds(1));
            var node = FailoverOrder.Next(s_nodes, 7, health);
            tried.Add(node);
            health.Failed(node);
        }

        Assert.Equal([s_a, s_c, s_b, s_a, s_c, s_b], tried);
    }

    [Fact]
    public void A_failure_older_than_the_retry_delay_no_longer_counts()
    {
        var health = Health(TimeSpan.FromSeconds(30));
        health.Failed(s_a);
        _clock.Advance(TimeSpan.FromSeconds(29));
        Assert.NotSame(s_a, FailoverOrder.Next(s_nodes, 0, health));

        _clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Same(s_a, FailoverOrder.Next(s_nodes, 0, health));
    }

    [Fact]
    public void A_connect_clears_the_node_at_once()
    {
        var health = Health();
        health.Failed(s_a);
        health.Succeeded(s_a);

        Assert.Same(s_a, FailoverOrder.Next(s_nodes, 0, health));
        Assert.False(health.IsSuspect(s_a, out _));
    }

    [Fact]
    public void A_single_node_is_always_tried()
    {
        var health = Health();
        health.Failed(s_a);

        Assert.Same(s_a, FailoverOrder.Next([s_a], 3, health));
    }

    [Fact]
    public void Urls_default_null_and_the_retry_delay_30_seconds()
    {
        var options = new SailsClientOptions();

        Assert.Null(options.Urls);
        Assert.Equal(TimeSpan.FromSeconds(30), options.FailedNodeRetryDelay);
    }

    public static TheoryData<string, Uri?[]> InvalidUrls => new()
    {
        { "empty", [] },
        { "null", [s_a, null] },
        { "scheme 'ftp'", [s_a, new Uri("ftp://10.0.0.2/")] },
        { "relative", [new Uri("/socket.io", UriKind.Relative)] },
        { "user info", [new Uri("http://admin:hunter2@10.0.0.2:1337/?token=s3cret")] },
    };

    [Theory]
    [MemberData(nameof(InvalidUrls))]
    public void Invalid_urls_throw_naming_the_option_without_the_url(string why, Uri?[] urls)
    {
        var options = new SailsClientOptions { Urls = urls! };

        var ex = Assert.Throws<ArgumentException>(options.Validate);

        Assert.Equal("Urls", ex.ParamName);
        Assert.DoesNotContain("hunter2", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cret", ex.Message, StringComparison.Ordinal);
        Assert.NotEmpty(why);
    }

    [Fact]
    public void A_negative_retry_delay_is_refused()
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(new SailsClientOptions { FailedNodeRetryDelay = TimeSpan.FromSeconds(-1) }.Validate);

        Assert.Equal("FailedNodeRetryDelay", ex.ParamName);
    }

    [Fact]
    public void A_socket_s_nodes_are_its_own_url_then_the_others_in_order()
    {
        var client = new SailsClientOptions { Urls = s_nodes };

        Assert.Equal(s_nodes, SocketIdentity.Resolve(client, null, "url").Nodes);
        Assert.Equal([s_b, s_a, s_c], SocketIdentity.Resolve(client, new SailsSocketOptions { Url = s_b }, "options").Nodes);
        var outside = new Uri("http://10.0.0.9:1337");
        Assert.Equal([outside, s_a, s_b, s_c], SocketIdentity.Resolve(client, new SailsSocketOptions { Url = outside }, "options").Nodes);
        Assert.Null(SocketIdentity.Resolve(new SailsClientOptions { Url = s_a }, null, "url").Nodes);
    }
}
