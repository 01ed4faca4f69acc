#!/bin/bash
# Usage: hotpath.sh BASE_TREE — the request hot path, old build (BASE_TREE, main 96363aa extracted with git archive and
# built in Release) and new build (this tree) alternating: sequential round trips and the pipelined phase, ws then wss.
set -u
base=$1
out=benchmarks/results/issue18-wssheap
root=$(pwd)
new=$root/benchmarks/SailSocket.LoadTool/bin/Release/net10.0/SailSocket.LoadTool
old=$base/benchmarks/SailSocket.LoadTool/bin/Release/net10.0/SailSocket.LoadTool
for round in 1 2; do
  for which in old new; do
    tool=$old; dir=$base; [ $which = new ] && tool=$new && dir=$root
    for tls in "" "--tls"; do
      name=hotpath-$which-$([ -n "$tls" ] && echo wss || echo ws)-$round
      { uptime; echo "\$ $which: --lift-socketio $tls --client sailsocket-managed --n 3000 --seconds 8 --warmup 3000"; } > $out/$name.txt
      (cd $dir && $tool --lift-socketio $tls --client sailsocket-managed --n 3000 --seconds 8 --warmup 3000) > $out/$name.json 2>> $out/$name.txt
      uptime >> $out/$name.txt
      echo "$name: $(grep -E 'sequential|pipelined' -A1 $out/$name.txt | tr -s ' ' | tr '\n' ' ' | cut -c1-260)"
    done
  done
done
