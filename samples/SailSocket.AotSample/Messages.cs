namespace SailSocket.AotSample;

/// <summary>A record of the app's blueprint model <c>Pet</c> (tests/sails-app/api/models/Pet.js).</summary>
internal sealed record Pet(int Id, string Name, string Species);

/// <summary>The body of <c>POST /pet</c>.</summary>
internal sealed record NewPet(string Name, string Species);

/// <summary>A blueprint pubsub event on the <c>pet</c> event name: <c>{ verb, id, data }</c>.</summary>
internal sealed record PetMessage(string Verb, int Id, Pet? Data);

/// <summary>The body of <c>POST /room/join</c>.</summary>
internal sealed record RoomRequest(string Room);

/// <summary>The answer of <c>POST /room/join</c>.</summary>
internal sealed record RoomJoined(string Joined, string SocketId);

/// <summary>The body of <c>POST /room/broadcast</c>: the app sends <paramref name="Data"/> to the room as <paramref name="Event"/>.</summary>
internal sealed record Broadcast(string Room, string Event, ChatMessage Data);

/// <summary>A room message.</summary>
internal sealed record ChatMessage(string Text);
