#!/bin/bash
# Paired TLS runs (and their plain twins right after) for issue 18 item 4.
cd "$(dirname "$0")/../../.."   # the repository root
B=benchmarks/SailSocket.LoadTool/bin/Release/net10.0/SailSocket.LoadTool
R=benchmarks/results/tls
P="--lift-socketio --n 3000 --seconds 4 --warmup 20000"
run() { name=$1; shift; uptime > $R/$name.load; timeout 900 $B "$@" > $R/$name.json 2> $R/$name.txt; echo "$name rc=$?" >> $R/$name.load; uptime >> $R/$name.load; }
for r in 1 2; do
  run compare-raw-managed-tls-$r $P --tls --compare raw,sailsocket-managed
  run compare-raw-managed-plain-$r $P --compare raw,sailsocket-managed
  run compare-raw-sailsocket-tls-$r $P --tls --compare raw,sailsocket
  run compare-raw-sailsocket-plain-$r $P --compare raw,sailsocket
  run node-tls-$r $P --tls --client node
  run raw-tls-$r $P --tls --client raw
  run node-plain-$r $P --client node
  run raw-plain-$r $P --client raw
done
