using System;
using System.Text.Json.Serialization.Metadata;
using SailSocket.Resources;

namespace SailSocket;

/// <content>Typed blueprint resources (docs/blueprints.md).</content>
public sealed partial class SailsSocket
{
    /// <summary>The REST blueprints and pub/sub messages of the model <paramref name="model"/>, typed as <typeparamref name="T"/>.</summary>
    /// <typeparam name="T">The record type.</typeparam>
    /// <param name="model">The model identity: its name in lower case (<c>user</c> for <c>api/models/User.js</c>).</param>
    /// <param name="recordTypeInfo">Serialization metadata for the records (source-generated for AOT).</param>
    /// <returns>The resource; cheap, stateless, safe to share.</returns>
    /// <exception cref="ArgumentException"><paramref name="model"/> is not a model identity (a-z, 0-9, <c>_</c>, <c>-</c>).</exception>
    /// <exception cref="ArgumentNullException"><paramref name="recordTypeInfo"/> is null.</exception>
    /// <example><code>
    /// var pets = socket.Resource("pet", AppJson.Default.Pet);
    /// var young = await pets.FindAsync(new SailsQuery { Where = SailsCriteria.LessThan("age", 3), Sort = [SailsSort.Ascending("name")] });
    /// </code></example>
    public SailsResource<T> Resource<T>(string model, JsonTypeInfo<T> recordTypeInfo)
    {
        BlueprintUrl.CheckModel(model);
        ArgumentNullException.ThrowIfNull(recordTypeInfo);
        return new SailsResource<T>(this, model, recordTypeInfo);
    }
}
