#!/bin/bash
# Issue 18: 19,000 idle sockets again, each client twice (managed first and last), TIME_WAIT drained between runs.
set -u
T=${T:-benchmarks/SailSocket.LoadTool/bin/Release/net10.0/SailSocket.LoadTool}
OUT=${OUT:-benchmarks/results/issue18-inline}
run() { local name=$1; shift; { uptime; echo "\$ $*"; "$@" 2>&1 >"$OUT/$name.json"; uptime; } > "$OUT/$name.txt"; }
drain() { while [ "$(ss -tan state time-wait | wc -l)" -gt 50 ]; do sleep 5; done; }
for c in sailsocket-managed raw node sailsocket-managed; do
  drain; run idle-19000-$c-$(date +%H%M%S) $T --lift-socketio --client $c --sockets 19000 --connect-concurrency 64 --timeout 120
done
