using System.Collections.Generic;

namespace SailSocket.Resources;

/// <summary>
/// What a blueprint <c>find</c> asks for: the Waterline criteria (<c>where</c>, <c>sort</c>, <c>limit</c>,
/// <c>skip</c>, <c>select</c>/<c>omit</c>) and the associations to populate. Sent as the URL query of
/// <c>GET /model</c>, each part JSON- or list-encoded and URL-escaped (docs/blueprints.md).
/// </summary>
/// <remarks>
/// Immutable once built; checked when it is used, with an <see cref="System.ArgumentException"/> that names the part.
/// <example><code>
/// var query = new SailsQuery
/// {
///     Where = SailsCriteria.Contains("name", search),
///     Sort = [SailsSort.Ascending("name")],
///     Limit = 20,
///     Populate = [],
/// };
/// </code></example>
/// </remarks>
public sealed class SailsQuery
{
    /// <summary>The most records the blueprint returns when no <see cref="Limit"/> is given: 30 (Sails' <c>defaultLimit</c>).</summary>
    public const int ServerDefaultLimit = 30;

    /// <summary>The <c>where</c> clause; <see langword="null"/> (default) matches every record.</summary>
    public SailsCriteria? Where { get; init; }

    /// <summary>The sort keys, most significant first; <see langword="null"/> or empty (default): the server's order.</summary>
    public IReadOnlyList<SailsSort>? Sort { get; init; }

    /// <summary>How many records at most, at least 0; <see langword="null"/> (default): the server's <c>defaultLimit</c>
    /// (<see cref="ServerDefaultLimit"/> unless the app changed it).</summary>
    public int? Limit { get; init; }

    /// <summary>How many matching records to skip, at least 0; <see langword="null"/> (default): none.</summary>
    public int? Skip { get; init; }

    /// <summary>The only attributes to return (the id always comes); <see langword="null"/> (default): all. Not with <see cref="Omit"/>.</summary>
    /// <remarks>Waterline needs <c>schema: true</c> on the model for this, or answers <c>E_INVALID_CRITERIA</c>.</remarks>
    public IReadOnlyList<string>? Select { get; init; }

    /// <summary>Attributes to leave out; <see langword="null"/> (default): none. Not with <see cref="Select"/>.</summary>
    public IReadOnlyList<string>? Omit { get; init; }

    /// <summary>
    /// The associations to populate; <see langword="null"/> (default): the server's default, which in Sails 1 is every
    /// association; empty: none (<c>populate=false</c>, associations come as ids, collections not at all).
    /// </summary>
    public IReadOnlyList<string>? Populate { get; init; }
}
