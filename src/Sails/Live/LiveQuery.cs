using System;
using System.Collections.Generic;
using System.Text.Json;

namespace SailSocket.Live;

/// <summary>
/// The blueprint find a <see cref="LiveCollection{T}"/> keeps current: a model, a Waterline <c>where</c>, a sort and a
/// skip/limit window (docs/live-collections.md).
/// </summary>
/// <remarks>Immutable once created. The criteria travel as JSON, URL-encoded, never spliced into the URL as text.</remarks>
public sealed class LiveQuery
{
    /// <summary>Creates a query over every record of a model.</summary>
    /// <param name="model">The model's identity, which is also its pub/sub event name (e.g. <c>pet</c>).</param>
    /// <exception cref="ArgumentException"><paramref name="model"/> is empty or not a plain identity.</exception>
    public LiveQuery(string model)
    {
        ArgumentException.ThrowIfNullOrEmpty(model);
        foreach (var c in model)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c is not '_' and not '-')
            {
                throw new ArgumentException("A model identity has only ASCII letters, digits, '_' and '-'.", nameof(model));
            }
        }

        Model = model;
    }

    /// <summary>The model's identity (its pub/sub event name).</summary>
    public string Model { get; }

    /// <summary>The blueprint route of the model. Default: <c>/</c> + <see cref="Model"/> (set it for a blueprint prefix).</summary>
    public string? Path { get; init; }

    /// <summary>The Waterline <c>where</c> object; <see langword="null"/> (default) for every record.</summary>
    public JsonElement? Where { get; init; }

    /// <summary>The sort, as <c>"name ASC, age DESC"</c>; the primary key is always added last. Default: by primary key.</summary>
    public string? Sort { get; init; }

    /// <summary>How many matching records to skip. Default 0.</summary>
    public int Skip { get; init; }

    /// <summary>At most this many records; <see langword="null"/> (default) for all, up to <see cref="LiveCollectionOptions.MaxRecords"/>.</summary>
    public int? Limit { get; init; }

    /// <summary>
    /// Whether records come with their associations populated, as the blueprints do by default. Default
    /// <see langword="true"/>; <see langword="false"/> sends <c>populate=false</c> (to-one associations as keys,
    /// to-many ones left out), which no message of another model can make stale.
    /// </summary>
    public bool Populate { get; init; } = true;

    /// <summary>
    /// Other models whose pub/sub messages make this collection refetch (coalesced), because its records hold populated
    /// copies of theirs: e.g. <c>["pet"]</c> for owners with their pets populated, since renaming a pet publishes to
    /// <c>pet</c> only. The collection subscribes to every record of these models too. Default: none.
    /// </summary>
    public IReadOnlyList<string>? RefetchOn { get; init; }

    /// <summary>The model's primary key attribute. Default <c>id</c>.</summary>
    public string PrimaryKey { get; init; } = "id";
}
