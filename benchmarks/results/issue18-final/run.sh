#!/bin/bash
# Issue 18, final figures: every ratio from one paired, interleaved run. Run from the repository root on a quiet machine.
# NEW = this commit's load tool; OLD = the same tool built from dbcc665 (before this session's changes), if given.
set -u
NEW=${NEW:-benchmarks/SailSocket.LoadTool/bin/Release/net10.0/SailSocket.LoadTool}
OLD=${OLD:-}
OUT=${OUT:-benchmarks/results/issue18-final}
P="--lift-socketio --n 5000 --seconds 5 --warmup 20000"
run() { local name=$1; shift; { uptime; echo "\$ $*"; "$@" 2>&1 >"$OUT/$name.json"; uptime; } > "$OUT/$name.txt"; }
run new-raw-managed-1 $NEW $P --compare raw,sailsocket-managed
run new-node-managed-1 $NEW $P --compare node,sailsocket-managed
[ -n "$OLD" ] && run old-raw-managed $OLD $P --compare raw,sailsocket-managed
run new-raw-managed-2 $NEW $P --compare raw,sailsocket-managed
run new-node-managed-2 $NEW $P --compare node,sailsocket-managed
run new-raw-sailsocket $NEW $P --compare raw,sailsocket
[ -n "$OLD" ] && run old-raw-sailsocket $OLD $P --compare raw,sailsocket
run new-node-raw $NEW $P --compare node,raw
run new-tls-raw-managed $NEW $P --tls --compare raw,sailsocket-managed
run new-tls-node-managed $NEW $P --tls --compare node,sailsocket-managed
run new-polling-sailsocket $NEW --lift-socketio --n 3000 --seconds 5 --warmup 20000 --transport polling --client sailsocket
[ -n "$OLD" ] && run old-polling-sailsocket $OLD --lift-socketio --n 3000 --seconds 5 --warmup 20000 --transport polling --client sailsocket
for c in sailsocket-managed raw node; do
  while [ "$(ss -tan state time-wait | wc -l)" -gt 50 ]; do sleep 5; done
  run idle-19000-$c $NEW --lift-socketio --client $c --sockets 19000 --connect-concurrency 64 --timeout 120
done
while [ "$(ss -tan state time-wait | wc -l)" -gt 50 ]; do sleep 5; done
run idle-2000-tls-managed $NEW --lift-socketio --tls --client sailsocket-managed --sockets 2000 --connect-concurrency 64 --timeout 120
