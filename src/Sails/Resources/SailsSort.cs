using System;

namespace SailSocket.Resources;

/// <summary>One sort key of a <see cref="SailsQuery"/>: an attribute and a direction (<c>{"name":"ASC"}</c>).</summary>
public readonly record struct SailsSort
{
    /// <summary>Creates a sort key.</summary>
    /// <param name="attribute">The attribute name (see <see cref="SailsCriteria.CheckAttributeName"/>).</param>
    /// <param name="descending">Whether the order is descending. Default ascending.</param>
    /// <exception cref="ArgumentException"><paramref name="attribute"/> is not a valid attribute name.</exception>
    public SailsSort(string attribute, bool descending = false)
    {
        SailsCriteria.CheckAttributeName(attribute);
        Attribute = attribute;
        Descending = descending;
    }

    /// <summary>The attribute name.</summary>
    public string Attribute { get; }

    /// <summary>Whether the order is descending.</summary>
    public bool Descending { get; }

    /// <summary>Ascending by <paramref name="attribute"/>.</summary>
    /// <param name="attribute">The attribute name.</param>
    /// <returns>The sort key.</returns>
    public static SailsSort Ascending(string attribute) => new(attribute);

    /// <summary>Descending by <paramref name="attribute"/>.</summary>
    /// <param name="attribute">The attribute name.</param>
    /// <returns>The sort key.</returns>
    public static SailsSort DescendingBy(string attribute) => new(attribute, descending: true);
}
