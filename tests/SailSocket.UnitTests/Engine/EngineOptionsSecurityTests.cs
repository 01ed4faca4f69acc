using System;
using SailSocket.Engine;
using Xunit;

namespace SailSocket.UnitTests.Engine;

/// <summary>What <see cref="EngineOptions.Validate"/> refuses, and that its messages never repeat a credential.</summary>
public sealed class EngineOptionsSecurityTests
{
    [Theory]
    [InlineData("ftp://user:pa55word@127.0.0.1/?token=t0ken-value")]
    [InlineData("file:///tmp/x?token=t0ken-value")]
    public void AnUnsupportedUrl_IsRefused_WithoutRepeatingIt(string url)
    {
        var ex = Assert.Throws<ArgumentException>(() => new EngineOptions { Url = new Uri(url) }.Validate());
        Assert.DoesNotContain("pa55word", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("t0ken-value", ex.Message, StringComparison.Ordinal);
        Assert.Equal("Url", ex.ParamName);
    }

    [Fact]
    public void ARelativeUrl_IsRefused_WithoutRepeatingIt()
    {
        var ex = Assert.Throws<ArgumentException>(() => new EngineOptions { Url = new Uri("/socket.io/?token=t0ken-value", UriKind.Relative) }.Validate());
        Assert.DoesNotContain("t0ken-value", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Cookie", "a=1\r\nSet-Cookie: x=1")]
    [InlineData("Cookie", "a=caf\u00e9")]
    [InlineData("Authorization", "Bearer t0ken-value\n")]
    public void AHeaderValueWithCrLfOrNonAscii_IsRefused_WithoutRepeatingIt(string name, string value)
    {
        var options = new EngineOptions { Url = new Uri("http://127.0.0.1:1"), Headers = [new(name, value)] };
        var ex = Assert.Throws<ArgumentException>(options.Validate);
        Assert.DoesNotContain(value.Trim(), ex.Message, StringComparison.Ordinal);
    }
}
