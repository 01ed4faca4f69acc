#!/bin/bash
# Usage: walk.sh NAME [--tls] — like dump.sh, but weighs the idle fleet with a ClrMD heap walk: per type, bytes / 2000;
# byte[] and string lengths; referrers of the types named in $WATCH; referrer trees of the types in $PATHS (comma-separated);
# fields of one instance of $FIELDS. The walker is a scratch tool kept here as text (heapwalk.cs.txt, heapwalk.csproj.txt):
# copy both to /tmp/heapwalk as Program.cs and heapwalk.csproj, then `dotnet build -c Release` there (ClrMD 3.1.512801).
set -u
name=$1; shift
out=benchmarks/results/issue18-wssheap
tool=benchmarks/SailSocket.LoadTool/bin/Release/net10.0/SailSocket.LoadTool
n=${SOCKETS:-2000}
{ uptime; echo "\$ $tool --lift-socketio $* --client sailsocket-managed --sockets $n --connect-concurrency 64 --timeout 120 --idle-hold 30"; } > $out/$name.txt
$tool --lift-socketio "$@" --client sailsocket-managed --sockets $n --connect-concurrency 64 --timeout 120 --idle-hold 30 >$out/$name.json 2>>$out/$name.txt &
tpid=$!
for i in $(seq 1 200); do grep -q "holding" $out/$name.txt 2>/dev/null && break; sleep 1; done
pid=$(grep -o "pid [0-9]*" $out/$name.txt | awk '{print $2}')
/tmp/heapwalk/bin/Release/net10.0/heapwalk $pid $n ${WATCH:-} > $out/$name.heap.txt 2>&1
wait $tpid
uptime >> $out/$name.txt
grep -E "B managed heap" $out/$name.txt
