using SailSocket.Engine;

namespace SailSocket.IntegrationTests.SocketIo;

/// <summary>WebSocket from the start, Engine.IO 4 / Socket.IO 5.</summary>
public sealed class NamespaceScenarios_WebSocket_V4 : NamespaceScenarios
{
    protected override EngineTransports Transports => EngineTransports.WebSocket;

    protected override EngineRevisionSelection Revision => EngineRevisionSelection.V4;
}

/// <summary>WebSocket from the start, Engine.IO 3 / Socket.IO 4 (the server's allowEIO3).</summary>
public sealed class NamespaceScenarios_WebSocket_V3 : NamespaceScenarios
{
    protected override EngineTransports Transports => EngineTransports.WebSocket;

    protected override EngineRevisionSelection Revision => EngineRevisionSelection.V3;
}

/// <summary>Long-polling only, Engine.IO 4 / Socket.IO 5.</summary>
public sealed class NamespaceScenarios_Polling_V4 : NamespaceScenarios
{
    protected override EngineTransports Transports => EngineTransports.Polling;

    protected override EngineRevisionSelection Revision => EngineRevisionSelection.V4;
}

/// <summary>Long-polling only, Engine.IO 3 / Socket.IO 4 (the server's allowEIO3).</summary>
public sealed class NamespaceScenarios_Polling_V3 : NamespaceScenarios
{
    protected override EngineTransports Transports => EngineTransports.Polling;

    protected override EngineRevisionSelection Revision => EngineRevisionSelection.V3;
}

/// <summary>Long-polling upgraded to WebSocket, Engine.IO 4 / Socket.IO 5.</summary>
public sealed class NamespaceScenarios_PollingThenUpgrade_V4 : NamespaceScenarios
{
    protected override EngineTransports Transports => EngineTransports.PollingThenUpgrade;

    protected override EngineRevisionSelection Revision => EngineRevisionSelection.V4;
}

/// <summary>Long-polling upgraded to WebSocket, Engine.IO 3 / Socket.IO 4 (the server's allowEIO3).</summary>
public sealed class NamespaceScenarios_PollingThenUpgrade_V3 : NamespaceScenarios
{
    protected override EngineTransports Transports => EngineTransports.PollingThenUpgrade;

    protected override EngineRevisionSelection Revision => EngineRevisionSelection.V3;
}
