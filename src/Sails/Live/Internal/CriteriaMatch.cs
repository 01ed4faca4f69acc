namespace SailSocket.Live.Internal;

/// <summary>Whether a record matches a query's criteria, as far as the client can tell without asking the server.</summary>
internal enum CriteriaMatch
{
    /// <summary>The record does not match.</summary>
    No,

    /// <summary>The record matches.</summary>
    Yes,

    /// <summary>The client cannot decide (an operator it does not model, an array or populated value): ask the server.</summary>
    Unknown,
}
