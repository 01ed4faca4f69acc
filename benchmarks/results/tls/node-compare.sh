#!/bin/bash
# Node paired with the .NET clients (--compare node,X, from the nodecmp branch), over TLS and plain, alternating.
cd "$(dirname "$0")/../../.."   # the repository root
B=benchmarks/SailSocket.LoadTool/bin/Release/net10.0/SailSocket.LoadTool
R=benchmarks/results/tls
P="--lift-socketio --n 3000 --seconds 4 --warmup 20000"
run() { name=$1; shift; uptime > $R/$name.load; timeout 900 $B "$@" > $R/$name.json 2> $R/$name.txt; echo "$name rc=$?" >> $R/$name.load; uptime >> $R/$name.load; }
for r in 1 2; do
  run compare-node-raw-tls-$r $P --tls --compare node,raw
  run compare-node-raw-plain-$r $P --compare node,raw
  run compare-node-managed-tls-$r $P --tls --compare node,sailsocket-managed
  run compare-node-managed-plain-$r $P --compare node,sailsocket-managed
done
