#!/bin/bash
# Issue 18, a receive thread per socket (SailsClientOptions.ReceiveThread; the load tool's --client sailsocket-thread):
# paired runs against the raw ClientWebSocket floor, Node's socket.io-client and the default managed engine, over ws and
# wss, then the client's system calls per pipelined request. Run from the repository root on a quiet machine, after
# `dotnet build benchmarks/SailSocket.LoadTool -c Release`.
set -u
OUT=${OUT:-benchmarks/results/issue18-thread}
TOOL=benchmarks/SailSocket.LoadTool/bin/Release/net10.0/SailSocket.LoadTool
P="--lift-socketio --n 5000 --seconds 5 --warmup 20000"
run() { local name=$1; shift; { uptime; echo "\$ SailSocket.LoadTool $*"; $TOOL "$@" 2>&1 >"$OUT/$name.json"; uptime; } > "$OUT/$name.txt"; }
for r in 1 2 3; do
  run quiet-raw-thread-$r $P --compare raw,sailsocket-thread
  run quiet-node-thread-$r $P --compare node,sailsocket-thread
  run quiet-managed-thread-$r $P --compare sailsocket-managed,sailsocket-thread
done
run quiet-tls-raw-thread $P --tls --compare raw,sailsocket-thread
run quiet-tls-node-thread $P --tls --compare node,sailsocket-thread
E=syscalls:sys_enter_sendto,syscalls:sys_enter_recvfrom,syscalls:sys_enter_epoll_wait,syscalls:sys_enter_sched_yield,syscalls:sys_enter_futex,syscalls:sys_enter_poll
for c in raw sailsocket-managed sailsocket-thread; do
  ( $TOOL --lift-socketio --client $c --n 2000 --seconds 12 --warmup 20000 >/dev/null 2>"$OUT/syscalls-$c.err" ) &
  sleep 9
  PID=$(pgrep -f "SailSocket.LoadTool --lift-socketio --client $c" | head -1)
  perf stat -e $E -p "$PID" -- sleep 5 2> "$OUT/syscalls-$c.txt"
  wait
  grep -E "requests/s" "$OUT/syscalls-$c.err" | tail -1 >> "$OUT/syscalls-$c.txt"
done
