using System.Collections.Concurrent;
using System.Diagnostics;
using Xunit.Abstractions;

namespace SailSocket.IntegrationTests.Reliability;

/// <summary>
/// Concurrency: many tasks send requests, register and remove handlers (On/Off/Once/OnAny), disconnect,
/// reconnect and dispose sockets, all at once, against the real Sails app. No deadlock (every wait bounded), every
/// response belongs to its request (no ack id reused while pending), every request is answered or fails with a
/// documented exception.
/// </summary>
[Collection(ReliabilityGroup.Name)]
public sealed class ConcurrencyStressTests(ITestOutputHelper output)
{
    private const int Sockets = 4;
    private const int RequestTasksPerSocket = 6;
    private static readonly TimeSpan s_duration = TimeSpan.FromSeconds(6);

    [Fact]
    public async Task Requests_handlers_disconnects_and_disposal_at_once_never_deadlock_and_every_request_ends_documented()
    {
        var server = await SharedSailsServer.GetAsync();
        var failures = new ConcurrentDictionary<string, int>(StringComparer.Ordinal);
        var undocumented = new ConcurrentQueue<Exception>();
        var answered = 0;
        var handlerCalls = 0;
        var operations = 0;
        var nextRequest = 0;
        await using var client = new SailsClient(new SailsClientOptions
        {
            Url = server.Url,
            ConnectTimeout = TimeSpan.FromSeconds(10),
            RequestTimeout = TimeSpan.FromSeconds(10),
            Reconnection = new SailsReconnectionOptions { Enabled = true },
        });
        var sockets = new SailsSocket[Sockets];
        for (var i = 0; i < Sockets; i++)
        {
            sockets[i] = await client.ConnectAsync(Bound.Seconds(15));
        }

        var stop = new CancellationTokenSource(s_duration);
        var tasks = new List<Task>();
        foreach (var socket in sockets)
        {
            for (var t = 0; t < RequestTasksPerSocket; t++)
            {
                tasks.Add(Task.Run(async () =>
                {
                    while (!stop.IsCancellationRequested)
                    {
                        var id = Interlocked.Increment(ref nextRequest);
                        using var requestCts = new CancellationTokenSource(TimeSpan.FromSeconds(id % 7 == 0 ? 0.005 : 20));
                        try
                        {
                            var response = await socket.GetAsync($"/echo?id={id}", requestCts.Token);
                            var echo = response.ReadBody(TestJson.Default.EchoReply)!;
                            Assert.Equal(id.ToString(System.Globalization.CultureInfo.InvariantCulture), echo.Query.GetProperty("id").GetString());
                            Interlocked.Increment(ref answered);
                        }
                        catch (Exception ex) when (IsDocumented(ex))
                        {
                            failures.AddOrUpdate(ex.GetType().Name, 1, (_, c) => c + 1);
                            if (ex is ObjectDisposedException)
                            {
                                return;
                            }

                            await Task.Delay(5); // not connected fails at once: do not spin
                        }
                        catch (Exception ex)
                        {
                            undocumented.Enqueue(ex);
                        }

                        Interlocked.Increment(ref operations);
                    }
                }));
            }

            // Handlers registered and removed while events may arrive.
            tasks.Add(Task.Run(async () =>
            {
                Action<SailsEvent> handler = _ => Interlocked.Increment(ref handlerCalls);
                while (!stop.IsCancellationRequested)
                {
                    try
                    {
                        using (socket.On("chat", handler))
                        using (socket.Once("chat", handler))
                        using (socket.OnAny(handler))
                        {
                            socket.On("announcement", handler);
                            await socket.PostAsync("/blast", Bound.Seconds(20));
                        }

                        socket.Off("announcement", handler);
                        socket.Off("chat");
                    }
                    catch (Exception ex) when (IsDocumented(ex))
                    {
                        failures.AddOrUpdate("handlers: " + ex.GetType().Name, 1, (_, c) => c + 1);
                        if (ex is ObjectDisposedException)
                        {
                            return;
                        }

                        await Task.Delay(5);
                    }
                    catch (Exception ex)
                    {
                        undocumented.Enqueue(ex);
                    }

                    Interlocked.Increment(ref operations);
                }
            }));
        }

        // Chaos: disconnect and reconnect sockets 0–2 at random, dispose socket 3 half-way through.
        tasks.Add(Task.Run(async () =>
        {
            var random = new Random(6);
            var disposedLast = false;
            var stopwatch = Stopwatch.StartNew();
            while (!stop.IsCancellationRequested)
            {
                var socket = sockets[random.Next(Sockets - 1)];
                try
                {
                    switch (random.Next(3))
                    {
                        case 0:
                            await socket.DisconnectAsync(Bound.Seconds(10)).Within(15);
                            await Task.Delay(random.Next(50));
                            await socket.ConnectAsync(Bound.Seconds(15)).Within(20);
                            break;
                        case 1:
                            await socket.ReconnectAsync(Bound.Seconds(15)).Within(20);
                            break;
                        default:
                            await Task.Delay(random.Next(100));
                            break;
                    }
                }
                catch (Exception ex) when (IsDocumented(ex))
                {
                    failures.AddOrUpdate("chaos: " + ex.GetType().Name, 1, (_, c) => c + 1);
                }
                catch (Exception ex)
                {
                    undocumented.Enqueue(ex);
                }

                if (!disposedLast && stopwatch.Elapsed > s_duration / 2)
                {
                    disposedLast = true;
                    await sockets[Sockets - 1].DisposeAsync().AsTask().Within(15);
                }

                await Task.Delay(random.Next(150));
            }
        }));

        await Task.WhenAll(tasks).Within(s_duration.TotalSeconds + 60);
        output.WriteLine($"{operations} operations; {nextRequest} requests, {answered} answered; handler calls {handlerCalls}; failures: " +
            string.Join(", ", failures.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key} {p.Value}")));
        Assert.True(undocumented.IsEmpty, "Undocumented exceptions:\n" + string.Join("\n\n", undocumented.Take(5)));
        Assert.True(answered > 0);

        // Afterwards every surviving socket is usable again, and disposal of everything completes.
        for (var i = 0; i < Sockets - 1; i++)
        {
            await sockets[i].ConnectAsync(Bound.Seconds(15)).Within(20);
            Assert.Equal(200, (await sockets[i].GetAsync("/echo?after=1", Bound.Seconds(10))).StatusCode);
            await sockets[i].DisposeAsync().AsTask().Within(15);
        }
    }

    /// <summary>The exceptions SailsSocket documents for a request, a connect or a handler call (README, docs/reliability.md).</summary>
    private static bool IsDocumented(Exception ex) =>
        ex is SailsConnectionException or SailsTimeoutException or ObjectDisposedException or OperationCanceledException;
}
