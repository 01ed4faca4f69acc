using System;
using System.Threading;
using System.Threading.Tasks;

namespace SailSocket.Testing;

/// <content>Routes: registration (checked at once) and dispatch (404 like Sails when nothing matches).</content>
public sealed partial class FakeSailsServer
{
    /// <summary>Answers <c>GET</c> requests for <paramref name="path"/> (<c>/user/:id</c> style; literals match case-insensitively).</summary>
    /// <returns>This server, to chain registrations.</returns>
    /// <exception cref="ArgumentException">The path is empty, does not start with '/', has an empty segment, a query, a malformed or repeated <c>:param</c>, or duplicates a route.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="handler"/> is null.</exception>
    public FakeSailsServer Get(string path, Func<FakeRequest, FakeResponse> handler) => Map("GET", path, handler);

    /// <summary>Answers <c>POST</c> requests for <paramref name="path"/>.</summary>
    /// <returns>This server, to chain registrations.</returns>
    /// <exception cref="ArgumentException">The path is malformed or duplicates a route (see <see cref="Get"/>).</exception>
    /// <exception cref="ArgumentNullException"><paramref name="handler"/> is null.</exception>
    public FakeSailsServer Post(string path, Func<FakeRequest, FakeResponse> handler) => Map("POST", path, handler);

    /// <summary>Answers <c>PUT</c> requests for <paramref name="path"/>.</summary>
    /// <returns>This server, to chain registrations.</returns>
    /// <exception cref="ArgumentException">The path is malformed or duplicates a route (see <see cref="Get"/>).</exception>
    /// <exception cref="ArgumentNullException"><paramref name="handler"/> is null.</exception>
    public FakeSailsServer Put(string path, Func<FakeRequest, FakeResponse> handler) => Map("PUT", path, handler);

    /// <summary>Answers <c>PATCH</c> requests for <paramref name="path"/>.</summary>
    /// <returns>This server, to chain registrations.</returns>
    /// <exception cref="ArgumentException">The path is malformed or duplicates a route (see <see cref="Get"/>).</exception>
    /// <exception cref="ArgumentNullException"><paramref name="handler"/> is null.</exception>
    public FakeSailsServer Patch(string path, Func<FakeRequest, FakeResponse> handler) => Map("PATCH", path, handler);

    /// <summary>Answers <c>DELETE</c> requests for <paramref name="path"/>.</summary>
    /// <returns>This server, to chain registrations.</returns>
    /// <exception cref="ArgumentException">The path is malformed or duplicates a route (see <see cref="Get"/>).</exception>
    /// <exception cref="ArgumentNullException"><paramref name="handler"/> is null.</exception>
    public FakeSailsServer Delete(string path, Func<FakeRequest, FakeResponse> handler) => Map("DELETE", path, handler);

    /// <summary>Answers requests of <paramref name="method"/> for <paramref name="path"/> with a synchronous handler.</summary>
    /// <returns>This server, to chain registrations.</returns>
    /// <exception cref="ArgumentException"><paramref name="method"/> is not one Sails routes (GET, POST, PUT, PATCH, DELETE, OPTIONS, HEAD), or the path is malformed or duplicates a route.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="handler"/> is null.</exception>
    public FakeSailsServer Map(string method, string path, Func<FakeRequest, FakeResponse> handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        _routes.Add(method, path, (request, _) => ValueTask.FromResult(handler(request)));
        return this;
    }

    /// <summary>
    /// Answers requests of <paramref name="method"/> for <paramref name="path"/> with an asynchronous handler; its token is
    /// cancelled when the requesting connection ends.
    /// </summary>
    /// <returns>This server, to chain registrations.</returns>
    /// <exception cref="ArgumentException"><paramref name="method"/> is not one Sails routes, or the path is malformed or duplicates a route.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="handler"/> is null.</exception>
    public FakeSailsServer Map(string method, string path, Func<FakeRequest, CancellationToken, ValueTask<FakeResponse>> handler)
    {
        _routes.Add(method, path, handler);
        return this;
    }

    /// <summary>Finds the request's route and records the request, in arrival order (called on the receive loop).</summary>
    internal (FakeRequest Request, Routing.RouteTable.Route? Route) Record(FakeRequest request)
    {
        var route = _routes.Find(request.Method, request.Path, out var parameters);
        var recorded = route is null ? request : new FakeRequest(request.Method, request.Url, request.Path, request.Query, request.Headers, request.Body, request.Socket, request.ReceivedAt)
        {
            Params = parameters ?? request.Params,
            RoutePath = route.Pattern.Text,
        };
        _received.Add(recorded);
        return (recorded, route);
    }

    /// <summary>
    /// Runs a recorded request's route: no route → 404 <c>"Not Found"</c>; a handler that throws → 500 with the exception's
    /// type and message as the body (a test's own failure, shown to the client as Sails shows an error).
    /// </summary>
    internal static async Task<FakeResponse> DispatchAsync(FakeRequest request, Routing.RouteTable.Route? route, CancellationToken cancellationToken)
    {
        if (route is null)
        {
            return FakeResponse.Status(404);
        }

        try
        {
            return await route.Handler(request, cancellationToken).ConfigureAwait(false)
                ?? FakeResponse.Text("The route handler returned null.", 500);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return FakeResponse.NoReply;
        }
        catch (Exception ex)
        {
            return FakeResponse.Text($"{ex.GetType().Name}: {ex.Message}", 500);
        }
    }
}
