#!/bin/bash
# Issue 18 after the merge of the gather and the leaner wss socket: idle heap per socket, ws and wss, 2,000 sockets, then
# 19,000 over ws (TIME_WAIT drained between runs).
set -u
T=${T:-benchmarks/SailSocket.LoadTool/bin/Release/net10.0/SailSocket.LoadTool}
OUT=${OUT:-benchmarks/results/issue18-gather}
run() { local name=$1; shift; { uptime; echo "\$ $*"; "$@" 2>&1 >"$OUT/$name.json"; uptime; } > "$OUT/$name.txt"; }
drain() { while [ "$(ss -tan state time-wait | wc -l)" -gt 50 ]; do sleep 5; done; }
drain; run idle-2000-ws-managed $T --lift-socketio --client sailsocket-managed --sockets 2000 --connect-concurrency 64 --timeout 120
drain; run idle-2000-wss-managed $T --lift-socketio --tls --client sailsocket-managed --sockets 2000 --connect-concurrency 64 --timeout 120
drain; run idle-19000-ws-managed $T --lift-socketio --client sailsocket-managed --sockets 19000 --connect-concurrency 64 --timeout 120
drain; run idle-19000-ws-raw $T --lift-socketio --client raw --sockets 19000 --connect-concurrency 64 --timeout 120
