using SailSocket.Internal;
using Xunit;

namespace SailSocket.UnitTests.Sails;

/// <summary>What exception messages and diagnostics may say about a request or a server (no secrets).</summary>
public sealed class SafeDescriptionTests
{
    [Theory]
    [InlineData("/pet/1", "/pet/1")]
    [InlineData("/pet?access_token=s3cr3t", "/pet?access_token=…")]
    [InlineData("/pet?id=1&token=abc&flag", "/pet?id=…&token=…&flag")]
    [InlineData("/pet?", "/pet?")]
    [InlineData("/pet?a=1#frag=secret", "/pet?a=…")]
    [InlineData("/pet?=x&&b=", "/pet?=…&&b=…")]
    public void Path_KeepsThePathAndParameterNames_NeverValues(string url, string expected) =>
        Assert.Equal(expected, SafeDescription.Path(url));

    [Fact]
    public void Request_NamesTheMethodInCapitals() =>
        Assert.Equal("DELETE /pet/1?key=…", SafeDescription.Request("delete", "/pet/1?key=k"));

    [Theory]
    [InlineData("http://user:pa55@example.com:1337/socket.io/?token=t", "http://example.com:1337")]
    [InlineData("https://example.com/", "https://example.com")]
    [InlineData("ws://127.0.0.1:8080", "ws://127.0.0.1:8080")]
    public void Origin_DropsUserInfoPathAndQuery(string url, string expected) =>
        Assert.Equal(expected, SafeDescription.Origin(new System.Uri(url)));

    [Fact]
    public void A_failed_response_does_not_repeat_the_query_values_of_its_request()
    {
        var response = JwrReaderTests.Read("""[{"body":"no","headers":{},"statusCode":404}]""", method: "get", url: "/pet?access_token=s3cr3t");

        var ex = Assert.Throws<SailsRequestException>(() => response.EnsureSuccessStatusCode());

        Assert.DoesNotContain("s3cr3t", ex.Message, System.StringComparison.Ordinal);
        Assert.Contains("GET /pet?access_token=… failed with status 404", ex.Message, System.StringComparison.Ordinal);
    }
}
