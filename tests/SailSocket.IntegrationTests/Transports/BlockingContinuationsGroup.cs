namespace SailSocket.IntegrationTests.Transports;

/// <summary>
/// Tests whose continuations block thread-pool threads on purpose (a synchronous wait inside an ack's continuation,
/// <see cref="ManagedEngineBurstTests"/>) run alone, after the parallel ones. While they wait, the process's thread pool
/// may starve for seconds: each blocked thread waits for an answer whose send and receive need another pool thread, and
/// the pool adds threads slowly. Every connection in the process stalls with it (no timer tick, no heartbeat, no I/O
/// completion), and the transport scenarios beside them, on a 1 s / 2 s heartbeat, lost their sessions to a ping timeout.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class BlockingContinuationsGroup
{
    public const string Name = "Blocking continuations";
}
