using System;
using System.Text;
using SailSocket.Engine;
using SailSocket.Protocol;
using Xunit;

namespace SailSocket.UnitTests.Sails;

/// <summary>What is refused before anything is sent: methods Sails does not route, URLs that are not paths, bad headers.</summary>
public sealed class SailsRequestTests
{
    [Theory]
    [InlineData("get", SailsMethods.Get)]
    [InlineData("GET", SailsMethods.Get)]
    [InlineData("Get", SailsMethods.Get)]
    [InlineData("post", SailsMethods.Post)]
    [InlineData("POST", SailsMethods.Post)]
    [InlineData("pOsT", SailsMethods.Post)]
    [InlineData("put", SailsMethods.Put)]
    [InlineData("PUT", SailsMethods.Put)]
    [InlineData("patch", SailsMethods.Patch)]
    [InlineData("PATCH", SailsMethods.Patch)]
    [InlineData("delete", SailsMethods.Delete)]
    [InlineData("DELETE", SailsMethods.Delete)]
    [InlineData("head", SailsMethods.Head)]
    [InlineData("HEAD", SailsMethods.Head)]
    [InlineData("options", SailsMethods.Options)]
    [InlineData("OPTIONS", SailsMethods.Options)]
    public void Normalize_KnownMethodInAnyCase_ReturnsTheInternedLowerCaseName(string method, string expected)
    {
        var normalized = SailsMethods.Normalize(method);

        // The constant itself, not a new string: the event name is compared and hashed on every request.
        Assert.Equal(expected, normalized);
        Assert.Same(string.IsInterned(expected), normalized);
    }

    [Theory]
    [InlineData("")]
    [InlineData(" get")]
    [InlineData("get ")]
    [InlineData("gets")]
    [InlineData("connect")]
    [InlineData("trace")]
    [InlineData("subscribe")]
    [InlineData("message")]
    [InlineData("GET\n")]
    [InlineData("\u0130")] // capital I with dot: no case folding trick may turn anything into a method
    public void Normalize_UnknownMethod_ThrowsArgumentException(string method)
    {
        var ex = Assert.Throws<ArgumentException>(() => SailsMethods.Normalize(method));

        Assert.Equal("method", ex.ParamName);
    }

    [Fact]
    public void Normalize_Null_ThrowsArgumentNullException()
    {
        Assert.Throws<ArgumentNullException>(() => SailsMethods.Normalize(null!));
    }

    [Theory]
    [InlineData("/")]
    [InlineData("/echo")]
    [InlineData("/echo/")]
    [InlineData("/user?id=1&limit=10")]
    [InlineData("/pet/1#frag")]
    [InlineData("/a b")]
    [InlineData("/\u00e9t\u00e9")]
    [InlineData("//double")]
    public void Constructor_PathUrl_Accepted(string url)
    {
        var request = new SailsRequest("GET", url);

        Assert.Equal("get", request.Method);
        Assert.Equal(url, request.Url);
        Assert.Empty(request.Headers);
        Assert.True(request.Data.IsEmpty);
        Assert.Null(request.Timeout);
    }

    [Theory]
    [InlineData("")]
    [InlineData("echo")]
    [InlineData(" /echo")]
    [InlineData("http://localhost:1337/echo")]
    [InlineData("?q=1")]
    [InlineData("\\echo")]
    [InlineData("/a\tb")]
    [InlineData("/a\nb")]
    [InlineData("/a\rb")]
    [InlineData("/a\0b")]
    [InlineData("/a\u007fb")]
    [InlineData("/a\u0085b")]
    [InlineData("/echo\r\nx-injected: 1")]
    public void Constructor_UrlNotAPathOrWithControlCharacters_ThrowsArgumentException(string url)
    {
        var ex = Assert.Throws<ArgumentException>(() => new SailsRequest("get", url));

        Assert.Equal("url", ex.ParamName);
    }

    [Fact]
    public void Constructor_NullArguments_ThrowArgumentNullException()
    {
        Assert.Throws<ArgumentNullException>(() => new SailsRequest(null!, "/echo"));
        Assert.Throws<ArgumentNullException>(() => new SailsRequest("get", null!));
    }

    [Fact]
    public void Constructor_UnknownMethod_ThrowsArgumentException()
    {
        Assert.Throws<ArgumentException>(() => new SailsRequest("connect", "/echo"));
    }

    [Fact]
    public void Headers_AreCaseInsensitive()
    {
        var request = new SailsRequest("post", "/pet");
        request.Headers["X-CSRF-Token"] = "first";
        request.Headers["x-csrf-token"] = "second";

        Assert.Equal("second", Assert.Single(request.Headers).Value);
        Assert.True(request.Headers.ContainsKey("X-Csrf-Token"));
        Assert.Equal("second", request.Headers["X-CSRF-TOKEN"]);
    }

    [Fact]
    public void Create_SerialisesTheDataThroughTheTypeInfo()
    {
        var request = SailsRequest.Create("PATCH", "/pet/1", new PetPatch("Tommy"), SailsTestJsonContext.Default.PetPatch);

        Assert.Equal("patch", request.Method);
        Assert.Equal("/pet/1", request.Url);
        Assert.Equal("""{"name":"Tommy"}""", Encoding.UTF8.GetString(request.Data.Span));
    }

    [Fact]
    public void Create_ValidatesMethodAndUrl()
    {
        Assert.Throws<ArgumentException>(() => SailsRequest.Create("fetch", "/pet", 1, SailsTestJsonContext.Default.Int32));
        Assert.Throws<ArgumentException>(() => SailsRequest.Create("get", "pet", 1, SailsTestJsonContext.Default.Int32));
    }

    [Theory]
    [InlineData("x-api-version", "2")]
    [InlineData("Cookie", "sails.sid=s%3AabcDEF.123; Path=/")]
    [InlineData("Origin", "http://good.example")]
    [InlineData("x-empty", "")]
    [InlineData("x-spaces", "  a  b\tc  ")]
    [InlineData("Authorization", "Bearer eyJhbGciOi.J9-_~+/=")]
    [InlineData("!#$%&'*+-.^_`|~09azAZ", "every token character in the name")]
    public void HeaderValidation_ValidHeader_Passes(string name, string value)
    {
        HeaderValidation.ThrowIfInvalid(name, value);
    }

    [Theory]
    [InlineData("x header")]
    [InlineData("x:header")]
    [InlineData("x-header:")]
    [InlineData("(x)")]
    [InlineData("\"x\"")]
    [InlineData("x/y")]
    [InlineData("x;y")]
    [InlineData("x=y")]
    [InlineData("x@y")]
    [InlineData("x[y]")]
    [InlineData("x{y}")]
    [InlineData("x,y")]
    [InlineData("x<y>")]
    [InlineData("x?y")]
    [InlineData("x\\y")]
    [InlineData("x\ty")]
    [InlineData("x\r\ny")]
    [InlineData("x\0y")]
    [InlineData("x\u007fy")]
    [InlineData("\u00e9")]
    [InlineData(" x")]
    public void HeaderValidation_InvalidName_ThrowsArgumentException(string name)
    {
        var ex = Assert.Throws<ArgumentException>(() => HeaderValidation.ThrowIfInvalid(name, "v"));

        Assert.Equal("name", ex.ParamName);
    }

    [Fact]
    public void HeaderValidation_EmptyOrNullName_ThrowsArgumentException()
    {
        Assert.ThrowsAny<ArgumentException>(() => HeaderValidation.ThrowIfInvalid("", "v"));
        Assert.Throws<ArgumentNullException>(() => HeaderValidation.ThrowIfInvalid(null!, "v"));
        Assert.Throws<ArgumentNullException>(() => HeaderValidation.ThrowIfInvalid("x", null!));
    }

    [Theory]
    [InlineData("\r")]
    [InlineData("\n")]
    [InlineData("\0")]
    [InlineData("\u007f")]
    [InlineData("\u0080")]
    [InlineData("\u00e9")]
    [InlineData("\u65e5\u672c")]
    [InlineData("\ud83d\ude00")]
    [InlineData("\ud800")]
    public void HeaderValidation_InvalidValue_ThrowsWithoutEchoingTheValue(string bad)
    {
        // A value that looks like a credential, with the bad character in the middle.
        const string Secret = "sk_live_51HxSECRETzzT0ken";
        var value = "Bearer " + Secret + bad + "X-Injected: 1";

        var ex = Assert.Throws<ArgumentException>(() => HeaderValidation.ThrowIfInvalid("Authorization", value));

        Assert.Equal("value", ex.ParamName);
        Assert.Contains("Authorization", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("Bearer", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("X-Injected", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, ex.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("\r")]
    [InlineData("\n")]
    [InlineData("\0")]
    [InlineData("\u00e9")]
    public void RequestValidation_CheckHeaders_RefusesAnyBadHeader(string bad)
    {
        var headers = new System.Collections.Generic.Dictionary<string, string> { ["ok"] = "1", ["x-bad"] = "a" + bad + "b" };

        Assert.Throws<ArgumentException>(() => SailsRequestValidation.CheckHeaders(headers));
    }
}
