#!/bin/bash
# Issue 18: the same paired runs with and without the runtime's inline socket completions
# (DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=1, process-wide: it applies to both clients of a pair alike).
# Run from the repository root on a quiet machine, after a Release build of the load tool.
set -u
T=${T:-benchmarks/SailSocket.LoadTool/bin/Release/net10.0/SailSocket.LoadTool}
OUT=${OUT:-benchmarks/results/issue18-inline}
P="--lift-socketio --n 5000 --seconds 5 --warmup 20000"
INLINE="env DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=1"
run() { local name=$1; shift; { uptime; echo "\$ $*"; "$@" 2>&1 >"$OUT/$name.json"; uptime; } > "$OUT/$name.txt"; }
drain() { while [ "$(ss -tan state time-wait | wc -l)" -gt 50 ]; do sleep 5; done; }
run default-raw-managed-1 $T $P --compare raw,sailsocket-managed
run inline-raw-managed-1 $INLINE $T $P --compare raw,sailsocket-managed
run default-node-managed-1 $T $P --compare node,sailsocket-managed
run inline-node-managed-1 $INLINE $T $P --compare node,sailsocket-managed
run inline-node-raw $INLINE $T $P --compare node,raw
run inline-raw-managed-2 $INLINE $T $P --compare raw,sailsocket-managed
run inline-node-managed-2 $INLINE $T $P --compare node,sailsocket-managed
run inline-raw-sailsocket $INLINE $T $P --compare raw,sailsocket
run inline-tls-raw-managed $INLINE $T $P --tls --compare raw,sailsocket-managed
run inline-tls-node-managed $INLINE $T $P --tls --compare node,sailsocket-managed
drain; run inline-idle-19000-managed $INLINE $T --lift-socketio --client sailsocket-managed --sockets 19000 --connect-concurrency 64 --timeout 120
drain; run default-idle-19000-managed $T --lift-socketio --client sailsocket-managed --sockets 19000 --connect-concurrency 64 --timeout 120
# Second default-mode pairs, run after the idle series (run-idle.sh).
run default-raw-managed-2 $T $P --compare raw,sailsocket-managed
run default-node-managed-2 $T $P --compare node,sailsocket-managed
