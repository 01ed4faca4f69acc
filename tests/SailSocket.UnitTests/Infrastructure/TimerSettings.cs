using SailSocket.Engine;
using SailSocket.SocketIo;

namespace SailSocket.UnitTests.Infrastructure;

/// <summary>
/// The clock and resolution a test gives the heartbeat or ack timer (<see cref="EngineOptions.TimeProvider"/>,
/// <see cref="EngineOptions.TimerResolution"/>, <see cref="SocketIoOptions.TimerResolution"/>): connections with the same
/// pair share one process-wide timer, so a test's own manual clock gives it a timer of its own.
/// </summary>
public sealed record TimerSettings(TimeSpan Resolution, TimeProvider? Clock = null)
{
    public TimeProvider TimeProvider => Clock ?? TimeProvider.System;
}
