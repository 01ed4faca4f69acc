#!/bin/bash
# 2,000 idle sockets per client over TLS, each beside its plain twin.
cd "$(dirname "$0")/../../.."   # the repository root
B=benchmarks/SailSocket.LoadTool/bin/Release/net10.0/SailSocket.LoadTool
R=benchmarks/results/tls
run() { name=$1; shift; uptime > $R/$name.load; timeout 900 $B "$@" > $R/$name.json 2> $R/$name.txt; echo "$name rc=$?" >> $R/$name.load; uptime >> $R/$name.load; }
for c in raw sailsocket sailsocket-managed sailsocket-io node; do
  run sockets-$c-tls --lift-socketio --tls --client $c --sockets 2000 --timeout 60
  run sockets-$c-plain --lift-socketio --client $c --sockets 2000 --timeout 60
done
