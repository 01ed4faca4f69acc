using System;
using System.Collections.Generic;

namespace SailSocket.Fleet;

/// <summary>What <see cref="SailsFleet.ForEachAsync"/> did: how many sockets' actions completed and failed, and the first failures.</summary>
public sealed class SailsFleetRunResult
{
    /// <summary>The most failures kept in <see cref="Errors"/>: 16 (the rest are only counted).</summary>
    public const int MaxErrors = 16;

    internal SailsFleetRunResult(int completed, int failed, IReadOnlyList<Exception> errors)
    {
        Completed = completed;
        Failed = failed;
        Errors = errors;
    }

    /// <summary>Actions that returned.</summary>
    public int Completed { get; }

    /// <summary>Actions that threw.</summary>
    public int Failed { get; }

    /// <summary>The first failures, at most <see cref="MaxErrors"/>.</summary>
    public IReadOnlyList<Exception> Errors { get; }
}
