#!/bin/bash
# Issue 18, burst gathering: the managed engine before (OLD: a build of 96363aa, e.g. a worktree at that commit) and
# after (this tree), each paired with the raw ClientWebSocket floor and with Node's socket.io-client in one process,
# interleaved old/new. Run from the repository root on a quiet machine, after Release builds of both load tools.
set -u
OLD=${OLD:-/work/wt-old}
OUT=${OUT:-benchmarks/results/issue18-gather}
P="--lift-socketio --n 5000 --seconds 5 --warmup 20000"
run() { local name=$1 dir=$2; shift 2; { uptime; echo "\$ (cd $dir) $*"; (cd "$dir" && benchmarks/SailSocket.LoadTool/bin/Release/net10.0/SailSocket.LoadTool "$@") 2>&1 >"$NEW/$OUT/$name.json"; uptime; } > "$NEW/$OUT/$name.txt"; }
NEW=$(pwd)
for r in 1 2; do
  run old-raw-managed-$r "$OLD" $P --compare raw,sailsocket-managed
  run new-raw-managed-$r "$NEW" $P --compare raw,sailsocket-managed
  run old-node-managed-$r "$OLD" $P --compare node,sailsocket-managed
  run new-node-managed-$r "$NEW" $P --compare node,sailsocket-managed
done
run old-tls-raw-managed "$OLD" $P --tls --compare raw,sailsocket-managed
run new-tls-raw-managed "$NEW" $P --tls --compare raw,sailsocket-managed
run new-tls-node-managed "$NEW" $P --tls --compare node,sailsocket-managed
