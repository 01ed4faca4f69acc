#!/usr/bin/env python3
"""Times N TCP connects from one process to one listener on 127.0.0.1 (Linux), to see the kernel's source-port search.

    python3 port_probe.py plain 19000    # connect() as every client does
    python3 port_probe.py range 19000    # IP_LOCAL_PORT_RANGE set to the system's range first (what the managed engine does)
    python3 port_probe.py bind0 19000    # bind(127.0.0.1:0) first (each port then belongs to one socket)

The listener runs in a child process (its accepted sockets count against its own open-file limit); raise `ulimit -n`
above N first. Prints the time at every 2,000 connects and the total. Wait for TIME_WAIT to drain between runs
(`ss -tan state time-wait | wc -l`): the previous run's closed connections change what the next one finds.
"""
import multiprocessing
import socket
import struct
import sys
import time

IP_LOCAL_PORT_RANGE = 51


def listen(ready, count):
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(4096)
    ready.send(server.getsockname()[1])
    accepted = []
    while len(accepted) < count:
        accepted.append(server.accept()[0])
    ready.recv()  # hold the connections until the prober is done


def main():
    mode, count = sys.argv[1], int(sys.argv[2])
    parent, child = multiprocessing.Pipe()
    listener = multiprocessing.Process(target=listen, args=(child, count), daemon=True)
    listener.start()
    port = parent.recv()
    sockets = []
    start = last = time.perf_counter()
    try:
        for i in range(count):
            s = socket.socket()
            if mode == "range":
                s.setsockopt(socket.IPPROTO_IP, IP_LOCAL_PORT_RANGE, struct.pack("I", 0xFFFF0000))
            elif mode == "bind0":
                s.bind(("127.0.0.1", 0))
            s.connect(("127.0.0.1", port))
            sockets.append(s)
            if (i + 1) % 2000 == 0:
                now = time.perf_counter()
                print(f"{i + 1:6d} connected at {now - start:6.2f} s (+{now - last:5.2f} s)", flush=True)
                last = now
        print(f"{mode}: {count} connects in {time.perf_counter() - start:.2f} s")
    finally:
        parent.send(b"done")
        for s in sockets:
            s.close()
        listener.join(10)


if __name__ == "__main__":
    main()
