namespace SailSocket.Resources;

/// <summary>What kind of error a blueprint answered (docs/blueprints.md, "Errors").</summary>
public enum SailsBlueprintErrorKind
{
    /// <summary>Another status or shape (a policy's 403, a custom response).</summary>
    Other,

    /// <summary>404: no record with that id (find one, update, destroy, the association routes), or no such route.</summary>
    NotFound,

    /// <summary>
    /// 400 with a Waterline usage error: <c>E_INVALID_NEW_RECORD</c> (create), <c>E_INVALID_VALUES_TO_SET</c> (update),
    /// <c>E_INVALID_CRITERIA</c> (find), <c>E_MISSING_REQUIRED</c> and the like; see <see cref="SailsBlueprintException.Code"/>.
    /// </summary>
    InvalidRequest,

    /// <summary>A unique constraint would be violated (<c>E_UNIQUE</c>); <see cref="SailsBlueprintException.AttributeNames"/> names the attributes.</summary>
    UniqueViolation,

    /// <summary>5xx: the server failed.</summary>
    ServerError,
}
