#!/usr/bin/env bash
# Wall time and peak memory of `wakusim run` against the number of nodes, at the seed's load
# (scenario community-10k scaled to N nodes). Prints a table, writes scaling.dat and renders
# scaling.png with gnuplot into OUT_DIR.
#
#   bench/sim_scaling.sh WAKUSIM OUT_DIR DURATION N1 [N2 ...]
#   bench/sim_scaling.sh build/release/apps/wakusim/wakusim /tmp/scaling 10m 1000 2000 5000 10000
set -euo pipefail

if [ $# -lt 4 ]; then
  sed -n '2,7p' "$0" >&2
  exit 1
fi
wakusim=$1
out=$2
duration=$3
shift 3
mkdir -p "$out"
data="$out/scaling.dat"
echo "# nodes sim_seconds wall_seconds peak_rss_mib events events_per_second" > "$data"
printf '%8s %10s %10s %12s %14s %10s\n' nodes sim_s wall_s peak_MiB events Mevents/s
for n in "$@"; do
  run_dir="$out/n$n"
  "$wakusim" run --scenario community-10k --nodes "$n" --duration "$duration" --out "$run_dir" \
    --no-plots --quiet > "$run_dir.txt"
  python3 - "$run_dir/summary.json" "$data" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
row = (s["nodes"], s["sim_seconds"], s["wall_seconds"], s["peak_rss_bytes"] / 2**20, s["events"],
       s["events"] / s["wall_seconds"] / 1e6)
print("%8d %10.0f %10.1f %12.0f %14d %10.2f" % row)
with open(sys.argv[2], "a") as f:
    f.write("%d %.0f %.2f %.1f %d %.3f\n" % row)
PY
done
if command -v gnuplot > /dev/null; then
  gnuplot <<GP
set terminal pngcairo size 900,500
set output "$out/scaling.png"
set title "wakusim: wall time and peak memory against nodes ($duration simulated, seed load)"
set xlabel "nodes"
set ylabel "wall time (s)"
set y2label "peak RSS (MiB)"
set ytics nomirror
set y2tics
set grid
set key top left
plot "$data" using 1:3 with linespoints title "wall time (s)", \
     "$data" using 1:4 axes x1y2 with linespoints title "peak RSS (MiB)"
GP
  echo "plot: $out/scaling.png"
fi
