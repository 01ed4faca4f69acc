#!/bin/bash
# A third round of every pair, TLS then plain.
cd "$(dirname "$0")/../../.."   # the repository root
B=benchmarks/SailSocket.LoadTool/bin/Release/net10.0/SailSocket.LoadTool
R=benchmarks/results/tls
P="--lift-socketio --n 3000 --seconds 4 --warmup 20000"
run() { name=$1; shift; uptime > $R/$name.load; timeout 900 $B "$@" > $R/$name.json 2> $R/$name.txt; echo "$name rc=$?" >> $R/$name.load; uptime >> $R/$name.load; }
for pair in raw,sailsocket-managed raw,sailsocket node,raw node,sailsocket-managed; do
  short=$(echo $pair | sed 's/sailsocket-managed/managed/; s/,/-/')
  run compare-$short-tls-3 $P --tls --compare $pair
  run compare-$short-plain-3 $P --compare $pair
done
