#!/bin/bash
# Usage: dump.sh NAME [--tls] — 2,000 idle managed sockets, weighed by the load tool, then a dotnet-gcdump of them.
# Run from the repository root; writes NAME.txt and NAME.json (the load tool's report), NAME.gcdump and NAME.report.txt here.
set -u
export PATH=$PATH:/root/.dotnet/tools
name=$1; shift
out=benchmarks/results/issue18-wssheap
tool=benchmarks/SailSocket.LoadTool/bin/Release/net10.0/SailSocket.LoadTool
{ uptime; echo "\$ $tool --lift-socketio $* --client sailsocket-managed --sockets ${SOCKETS:-2000} --connect-concurrency 64 --timeout 120 --idle-hold 30"; } > $out/$name.txt
$tool --lift-socketio "$@" --client sailsocket-managed --sockets ${SOCKETS:-2000} --connect-concurrency 64 --timeout 120 --idle-hold 30 >$out/$name.json 2>>$out/$name.txt &
tpid=$!
for i in $(seq 1 200); do grep -q "holding" $out/$name.txt 2>/dev/null && break; sleep 1; done
pid=$(grep -o "pid [0-9]*" $out/$name.txt | awk '{print $2}')
grep holding $out/$name.txt
dotnet-gcdump collect -p $pid -o $out/$name.gcdump >/dev/null
wait $tpid
uptime >> $out/$name.txt
dotnet-gcdump report $out/$name.gcdump > $out/$name.report.txt
grep -E "B managed heap" $out/$name.txt
