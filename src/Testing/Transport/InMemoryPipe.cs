using System;
using System.Threading;
using System.Threading.Tasks;

namespace SailSocket.Testing.Transport;

/// <summary>
/// One direction of an in-memory connection: bytes written by one end, read by the other, in order. Bounded: a writer
/// waits while <see cref="Capacity"/> bytes are unread, so a server that stops reading (<see cref="FakeSocket.Stall"/>)
/// holds the client's sends as a full TCP window would, and memory stays bounded.
/// </summary>
/// <remarks>Thread-safe for one reader and one writer at a time (what a WebSocket does: one send, one receive).</remarks>
internal sealed class InMemoryPipe
{
    /// <summary>Unread bytes beyond which a writer waits: 1 MiB, about what two default socket buffers hold.</summary>
    public const int Capacity = 1024 * 1024;

    private readonly object _gate = new();
    private byte[] _buffer = new byte[4096];
    private int _start;
    private int _end;
    private bool _writerDone;
    private bool _readerGone;
    private TaskCompletionSource? _readable;
    private TaskCompletionSource? _writable;

    /// <summary>Reads what is buffered, waiting for data; 0 once the writer is done and everything is read.</summary>
    public async ValueTask<int> ReadAsync(Memory<byte> destination, CancellationToken cancellationToken)
    {
        while (true)
        {
            Task wait;
            lock (_gate)
            {
                var available = _end - _start;
                if (available > 0 || destination.IsEmpty)
                {
                    var count = Math.Min(available, destination.Length);
                    _buffer.AsSpan(_start, count).CopyTo(destination.Span);
                    _start += count;
                    if (_start == _end)
                    {
                        _start = _end = 0;
                    }

                    Release(ref _writable);
                    return count;
                }

                if (_writerDone || _readerGone)
                {
                    return 0;
                }

                _readable ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                wait = _readable.Task;
            }

            await wait.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Appends bytes, waiting while the pipe is full; bytes written after the reader is gone are discarded.</summary>
    public async ValueTask WriteAsync(ReadOnlyMemory<byte> source, CancellationToken cancellationToken)
    {
        while (!source.IsEmpty)
        {
            Task wait;
            lock (_gate)
            {
                if (_writerDone)
                {
                    throw new ObjectDisposedException(nameof(InMemoryPipe), "This end of the in-memory connection is closed.");
                }

                if (_readerGone)
                {
                    return;
                }

                var room = Capacity - (_end - _start);
                if (room > 0)
                {
                    var count = Math.Min(room, source.Length);
                    EnsureSpace(count);
                    source.Span[..count].CopyTo(_buffer.AsSpan(_end));
                    _end += count;
                    source = source[count..];
                    Release(ref _readable);
                    continue;
                }

                _writable ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                wait = _writable.Task;
            }

            await wait.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>No more bytes will be written: the reader sees the end once it has read what is buffered.</summary>
    public void CompleteWriter()
    {
        lock (_gate)
        {
            _writerDone = true;
            Release(ref _readable);
            Release(ref _writable);
        }
    }

    /// <summary>Nobody reads any more: what is buffered is dropped and later writes are discarded.</summary>
    public void CompleteReader()
    {
        lock (_gate)
        {
            _readerGone = true;
            _start = _end = 0;
            Release(ref _readable);
            Release(ref _writable);
        }
    }

    private void EnsureSpace(int count)
    {
        if (_buffer.Length - _end >= count)
        {
            return;
        }

        var used = _end - _start;
        var target = _buffer.Length - used >= count ? _buffer : new byte[Math.Max(_buffer.Length * 2, used + count)];
        _buffer.AsSpan(_start, used).CopyTo(target);
        _buffer = target;
        _start = 0;
        _end = used;
    }

    private static void Release(ref TaskCompletionSource? waiter)
    {
        waiter?.TrySetResult();
        waiter = null;
    }
}
