// A web app that keeps one Sails socket connected, subscribed to the pet model (blueprint pubsub), logs each pet event
// through ILogger and reports the socket's health at /health. Try it against the bundled Sails app:
//   (cd tests/sails-app && PORT=1337 node app.js)   then   dotnet run --project samples/SailSocket.HostingSample
using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using SailSocket;
using SailSocket.Extensions.Hosting;

// appsettings.json is read from beside the binary, wherever the app is started from.
var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });

builder.Services.AddSailsClient(builder.Configuration.GetSection("Sails"))
    .ConfigureSocket((services, name, socket) =>
    {
        var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger("HostingSample");
        socket.On("pet", e => PetLog.Event(logger, name, e));
    });
builder.Services.AddHealthChecks().AddSailsSocketHealthCheck();

var app = builder.Build();
app.MapHealthChecks("/health", new HealthCheckOptions { ResponseWriter = HealthJson.WriteAsync });
app.Run();

/// <summary>The sample's log lines.</summary>
internal static partial class PetLog
{
    public static void Event(ILogger logger, string socket, SailsEvent e)
    {
        var data = e.ReadDataAsElement();
        var verb = data.TryGetProperty("verb", out var v) ? v.ToString() : "?";
        var id = data.TryGetProperty("id", out var i) ? i.ToString() : "?";
        PetEvent(logger, socket, verb, id);
    }

    [LoggerMessage(1, LogLevel.Information, "socket {Socket}: pet {Verb} id={Id}")]
    private static partial void PetEvent(ILogger logger, string socket, string verb, string id);
}

/// <summary>Writes a health report as JSON: the overall status and each socket's state.</summary>
internal static class HealthJson
{
    public static async Task WriteAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json";
        await using var json = new Utf8JsonWriter(context.Response.Body);
        json.WriteStartObject();
        json.WriteString("status", report.Status.ToString());
        foreach (var (name, entry) in report.Entries)
        {
            json.WriteStartObject(name);
            json.WriteString("status", entry.Status.ToString());
            json.WriteString("description", entry.Description);
            foreach (var (key, value) in entry.Data)
            {
                json.WriteString(key, value.ToString());
            }

            json.WriteEndObject();
        }

        json.WriteEndObject();
    }
}
