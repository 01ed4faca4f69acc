using SailSocket.Engine;

namespace SailSocket.IntegrationTests.Transports;

/// <summary>WebSocket from the start, Engine.IO 4 / Socket.IO 5.</summary>
public sealed class TransportScenarios_WebSocket_V4 : TransportScenarios
{
    protected override EngineTransports Transports => EngineTransports.WebSocket;

    protected override EngineRevisionSelection Revision => EngineRevisionSelection.V4;
}

/// <summary>WebSocket from the start, Engine.IO 3 / Socket.IO 4.</summary>
public sealed class TransportScenarios_WebSocket_V3 : TransportScenarios
{
    protected override EngineTransports Transports => EngineTransports.WebSocket;

    protected override EngineRevisionSelection Revision => EngineRevisionSelection.V3;
}

/// <summary>Long-polling only, Engine.IO 4.</summary>
public sealed class TransportScenarios_Polling_V4 : TransportScenarios
{
    protected override EngineTransports Transports => EngineTransports.Polling;

    protected override EngineRevisionSelection Revision => EngineRevisionSelection.V4;
}

/// <summary>Long-polling only, Engine.IO 3.</summary>
public sealed class TransportScenarios_Polling_V3 : TransportScenarios
{
    protected override EngineTransports Transports => EngineTransports.Polling;

    protected override EngineRevisionSelection Revision => EngineRevisionSelection.V3;
}

/// <summary>Long-polling upgraded to WebSocket, Engine.IO 4.</summary>
public sealed class TransportScenarios_PollingThenUpgrade_V4 : TransportScenarios
{
    protected override EngineTransports Transports => EngineTransports.PollingThenUpgrade;

    protected override EngineRevisionSelection Revision => EngineRevisionSelection.V4;
}

/// <summary>Long-polling upgraded to WebSocket, Engine.IO 3.</summary>
public sealed class TransportScenarios_PollingThenUpgrade_V3 : TransportScenarios
{
    protected override EngineTransports Transports => EngineTransports.PollingThenUpgrade;

    protected override EngineRevisionSelection Revision => EngineRevisionSelection.V3;
}

/// <summary>WebSocket from the start, Engine.IO 4, over the managed WebSocket engine (owned upgrade, batched writes).</summary>
public sealed class TransportScenarios_Managed_WebSocket_V4 : TransportScenarios
{
    protected override EngineTransports Transports => EngineTransports.WebSocket;

    protected override EngineRevisionSelection Revision => EngineRevisionSelection.V4;

    protected override EngineWebSocketEngine WebSocketEngine => EngineWebSocketEngine.Managed;
}

/// <summary>WebSocket from the start, Engine.IO 3, over the managed WebSocket engine (owned upgrade, batched writes).</summary>
public sealed class TransportScenarios_Managed_WebSocket_V3 : TransportScenarios
{
    protected override EngineTransports Transports => EngineTransports.WebSocket;

    protected override EngineRevisionSelection Revision => EngineRevisionSelection.V3;

    protected override EngineWebSocketEngine WebSocketEngine => EngineWebSocketEngine.Managed;
}

/// <summary>Long-polling upgraded to WebSocket, Engine.IO 4, over the managed WebSocket engine (owned upgrade, batched writes).</summary>
public sealed class TransportScenarios_Managed_PollingThenUpgrade_V4 : TransportScenarios
{
    protected override EngineTransports Transports => EngineTransports.PollingThenUpgrade;

    protected override EngineRevisionSelection Revision => EngineRevisionSelection.V4;

    protected override EngineWebSocketEngine WebSocketEngine => EngineWebSocketEngine.Managed;
}

/// <summary>Long-polling upgraded to WebSocket, Engine.IO 3, over the managed WebSocket engine (owned upgrade, batched writes).</summary>
public sealed class TransportScenarios_Managed_PollingThenUpgrade_V3 : TransportScenarios
{
    protected override EngineTransports Transports => EngineTransports.PollingThenUpgrade;

    protected override EngineRevisionSelection Revision => EngineRevisionSelection.V3;

    protected override EngineWebSocketEngine WebSocketEngine => EngineWebSocketEngine.Managed;
}

/// <summary>WebSocket from the start, Engine.IO 3, over the managed engine with its reads on a thread of its own.</summary>
public sealed class TransportScenarios_Managed_ReceiveThread_WebSocket_V3 : TransportScenarios
{
    protected override EngineTransports Transports => EngineTransports.WebSocket;

    protected override EngineRevisionSelection Revision => EngineRevisionSelection.V3;

    protected override EngineWebSocketEngine WebSocketEngine => EngineWebSocketEngine.Managed;

    protected override bool ReceiveThread => true;
}

/// <summary>Long-polling upgraded to WebSocket, Engine.IO 4, over the managed engine with its reads on a thread of its own.</summary>
public sealed class TransportScenarios_Managed_ReceiveThread_PollingThenUpgrade_V4 : TransportScenarios
{
    protected override EngineTransports Transports => EngineTransports.PollingThenUpgrade;

    protected override EngineRevisionSelection Revision => EngineRevisionSelection.V4;

    protected override EngineWebSocketEngine WebSocketEngine => EngineWebSocketEngine.Managed;

    protected override bool ReceiveThread => true;
}
