using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;

namespace SailSocket.Testing.Routing;

/// <summary>
/// The routes of one fake server, in registration order: the first route whose method and path match answers, as in
/// Sails. Registration checks everything, so a malformed route fails the test where it is written, not at the first
/// request.
/// </summary>
/// <remarks>Thread-safe: registration copies the array, lookups read a snapshot.</remarks>
internal sealed class RouteTable
{
    /// <summary>The request methods Sails answers over a socket (protocol.md §5.2: the hook listens to these events only).</summary>
    private static readonly string[] s_methods = ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "HEAD"];

    private readonly object _gate = new();
    private Route[] _routes = [];

    /// <summary>Adds a route; throws <see cref="ArgumentException"/> naming the bad parameter.</summary>
    public void Add(string method, string path, Func<FakeRequest, CancellationToken, ValueTask<FakeResponse>> handler)
    {
        var normalized = NormalizeMethod(method);
        var pattern = RoutePattern.Parse(path, nameof(path));
        ArgumentNullException.ThrowIfNull(handler);
        lock (_gate)
        {
            foreach (var existing in _routes)
            {
                if (existing.Method == normalized && existing.Pattern.SameShapeAs(pattern))
                {
                    throw new ArgumentException($"A {normalized} route for \"{existing.Pattern.Text}\" is already registered; \"{path}\" would never be reached.", nameof(path));
                }
            }

            _routes = [.. _routes, new Route(normalized, pattern, handler)];
        }
    }

    /// <summary>Finds the route for a request, or null (the server then answers 404 like Sails).</summary>
    public Route? Find(string method, string path, out IReadOnlyDictionary<string, string>? parameters)
    {
        foreach (var route in Volatile.Read(ref _routes))
        {
            if (route.Method == method && route.Pattern.TryMatch(path, out var captured))
            {
                parameters = captured;
                return route;
            }
        }

        parameters = null;
        return null;
    }

    /// <summary>The upper-case method, or <see cref="ArgumentException"/> for one Sails does not route.</summary>
    public static string NormalizeMethod(string? method)
    {
        foreach (var known in s_methods)
        {
            if (string.Equals(known, method, StringComparison.OrdinalIgnoreCase))
            {
                return known;
            }
        }

        throw new ArgumentException($"Sails routes socket requests of the methods {string.Join(", ", s_methods)} only; got \"{method}\".", nameof(method));
    }

    /// <summary>One registered route.</summary>
    internal sealed record Route(string Method, RoutePattern Pattern, Func<FakeRequest, CancellationToken, ValueTask<FakeResponse>> Handler);
}
