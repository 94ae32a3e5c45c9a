#!/usr/bin/env bash
# The simulator's cost per event in steady state, counted by cachegrind instead of timed: the
# instructions and the last-level cache misses of a simulated cache, per event, from the
# difference between a 45 s and a 60 s run of bench/sim_dense_3k.toml (so building the network and
# the warm-up cancel out). Deterministic: the same binary gives the same figures, where the wall
# time of a 10,000-node run varies by ±5 % on a VM. A 4 MiB last-level cache stands in for the
# 32 MiB one of the machine: 3,000 routers' state is an eighth of 10,000's. Software prefetches
# are not modelled, so the misses are what the data layout costs before any prefetching.
# Needs valgrind (apt-get install valgrind); takes about a minute on two cores.
#
#   bench/sim_cost_per_event.sh WAKUSIM
#   bench/sim_cost_per_event.sh build/release/apps/wakusim/wakusim
set -euo pipefail

if [ $# -ne 1 ]; then
  sed -n '2,13p' "$0" >&2
  exit 1
fi
wakusim=$1
scenario="$(dirname "$0")/sim_dense_3k.toml"
command -v valgrind > /dev/null || { echo "sim_cost_per_event.sh: valgrind is not installed" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

for seconds in 45 60; do
  valgrind --tool=cachegrind --cache-sim=yes --LL=4194304,16,64 \
    --cachegrind-out-file="$work/cg.$seconds" \
    "$wakusim" run --scenario "$scenario" --duration "${seconds}s" --threads 1 \
    --out "$work/run.$seconds" --no-plots --quiet > "$work/log.$seconds" 2>&1 &
done
wait

totals() {  # events, instructions, LL read misses, LL write misses of one run
  local events
  events=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["events"])' \
    "$work/run.$1/summary.json")
  # awk reads to the end: with pipefail, `grep -m1` would stop cg_annotate with SIGPIPE.
  cg_annotate "$work/cg.$1" | tr -d , |
    awk -v events="$events" '/PROGRAM TOTALS/ && !done { print events, $1, $11, $17; done = 1 }'
}
{ totals 45; totals 60; } | awk '
  NR == 1 { e = $1; i = $2; r = $3; w = $4 }
  NR == 2 { d = $1 - e
            printf "steady state: %d events; per event: %.0f instructions, %.2f LL read misses, %.2f LL write misses\n",
                   d, ($2 - i) / d, ($3 - r) / d, ($4 - w) / d }'
