using System;
using System.Collections.Generic;

namespace SailSocket.Testing.Routing;

/// <summary>
/// A route path such as <c>/user/:id/pets</c>, checked when it is registered: literal segments match case-insensitively
/// (as Sails' router does by default), <c>:name</c> segments match one non-empty segment and capture it, URL-decoded.
/// </summary>
internal sealed class RoutePattern
{
    /// <summary>What a route path must not hold: a query, a fragment, a wildcard or white space.</summary>
    private static readonly System.Buffers.SearchValues<char> s_forbidden = System.Buffers.SearchValues.Create("?#* \t\r\n");

    private readonly string[] _segments;
    private readonly bool[] _isParameter;

    private RoutePattern(string text, string[] segments, bool[] isParameter)
    {
        Text = text;
        _segments = segments;
        _isParameter = isParameter;
    }

    /// <summary>The path as registered.</summary>
    public string Text { get; }

    /// <summary>Parses a route path, or throws <see cref="ArgumentException"/> naming <paramref name="parameterName"/>.</summary>
    public static RoutePattern Parse(string? path, string parameterName)
    {
        if (string.IsNullOrEmpty(path))
        {
            throw new ArgumentException("A route path must not be null or empty.", parameterName);
        }

        if (path[0] != '/')
        {
            throw new ArgumentException($"A route path must start with '/': \"{path}\".", parameterName);
        }

        if (path.AsSpan().IndexOfAny(s_forbidden) >= 0)
        {
            throw new ArgumentException($"A route path holds no query, fragment, wildcard or white space: \"{path}\".", parameterName);
        }

        var trimmed = path.Length > 1 && path[^1] == '/' ? path[1..^1] : path[1..];
        var segments = trimmed.Length == 0 ? [] : trimmed.Split('/');
        var isParameter = new bool[segments.Length];
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < segments.Length; i++)
        {
            var segment = segments[i];
            if (segment.Length == 0)
            {
                throw new ArgumentException($"A route path has no empty segment ('//'): \"{path}\".", parameterName);
            }

            if (segment[0] != ':')
            {
                continue;
            }

            var name = segment[1..];
            if (name.Length == 0 || !IsParameterName(name))
            {
                throw new ArgumentException($"A route parameter is ':' then letters, digits or '_': \"{segment}\" in \"{path}\".", parameterName);
            }

            if (!names.Add(name))
            {
                throw new ArgumentException($"The route parameter ':{name}' appears twice in \"{path}\".", parameterName);
            }

            segments[i] = name;
            isParameter[i] = true;
        }

        return new RoutePattern(path, segments, isParameter);
    }

    /// <summary>Whether two patterns match exactly the same paths (same literals, parameters in the same places).</summary>
    public bool SameShapeAs(RoutePattern other)
    {
        if (other._segments.Length != _segments.Length)
        {
            return false;
        }

        for (var i = 0; i < _segments.Length; i++)
        {
            if (_isParameter[i] != other._isParameter[i]
                || (!_isParameter[i] && !string.Equals(_segments[i], other._segments[i], StringComparison.OrdinalIgnoreCase)))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Matches a request path (without query); on success returns the captured parameters.</summary>
    public bool TryMatch(string path, out Dictionary<string, string>? parameters)
    {
        parameters = null;
        var span = path.AsSpan();
        if (span.Length > 1 && span[^1] == '/')
        {
            span = span[..^1];
        }

        span = span[1..];
        for (var i = 0; i < _segments.Length; i++)
        {
            if (span.IsEmpty)
            {
                return false;
            }

            var slash = span.IndexOf('/');
            var segment = slash < 0 ? span : span[..slash];
            span = slash < 0 ? [] : span[(slash + 1)..];
            if (segment.IsEmpty)
            {
                return false;
            }

            if (_isParameter[i])
            {
                parameters ??= new Dictionary<string, string>(StringComparer.Ordinal);
                parameters[_segments[i]] = Uri.UnescapeDataString(segment.ToString());
            }
            else if (!segment.Equals(_segments[i], StringComparison.OrdinalIgnoreCase))
            {
                return false;
            }
        }

        return span.IsEmpty;
    }

    private static bool IsParameterName(string name)
    {
        foreach (var c in name)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c != '_')
            {
                return false;
            }
        }

        return true;
    }
}
