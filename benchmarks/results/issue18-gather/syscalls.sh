#!/bin/bash
# Issue 18, burst gathering: system calls of the client process over 5 s of the pipelined phase (perf stat on
# tracepoints, a few % of overhead), old build (OLD) and this tree, one client each; per request = count / requests.
set -u
OLD=${OLD:-/work/wt-old}
OUT=${OUT:-$(pwd)/benchmarks/results/issue18-gather}
E=syscalls:sys_enter_sendto,syscalls:sys_enter_recvfrom,syscalls:sys_enter_epoll_wait,syscalls:sys_enter_sched_yield,syscalls:sys_enter_futex
for v in old new; do
  for c in raw sailsocket-managed; do
    if [ $v = old ]; then D=$OLD; else D=$(pwd); fi
    ( cd $D && benchmarks/SailSocket.LoadTool/bin/Release/net10.0/SailSocket.LoadTool --lift-socketio --client $c --n 2000 --seconds 12 --warmup 20000 >/dev/null 2>$OUT/syscalls-$v-$c.err ) &
    sleep 9
    PID=$(pgrep -f "SailSocket.LoadTool --lift-socketio --client $c" | head -1)
    perf stat -e $E -p $PID -- sleep 5 2> $OUT/syscalls-$v-$c.txt
    wait
    grep -E "requests/s" $OUT/syscalls-$v-$c.err | tail -1 >> $OUT/syscalls-$v-$c.txt
  done
done
