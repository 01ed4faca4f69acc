#!/bin/bash
# A/B: old (a build of 96363aa in /work/wt-old) vs new (/work/main), each paired with the raw floor in its own process; three rounds. Output: contended-ab-1.txt (08:17) and -2.txt (08:35), while another engineer used the machine.
P="--lift-socketio --n 5000 --seconds 5 --warmup 20000 --compare raw,sailsocket-managed"
for r in 1 2 3; do
  for v in old new; do
    if [ $v = old ]; then D=/work/wt-old; else D=/work/main; fi
    cd $D
    L=$(cut -d' ' -f1 /proc/loadavg)
    benchmarks/SailSocket.LoadTool/bin/Release/net10.0/SailSocket.LoadTool $P 2>&1 >/dev/null | grep -E "B/A" | tr -s ' ' | paste -sd' ' | sed "s/^/$v load=$L /"
  done
done
