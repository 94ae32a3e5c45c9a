#!/usr/bin/env bash
# Wall time of two wakusim binaries run side by side, one thread each, on the same scenario: a
# comparison that survives a noisy machine. Run one after the other, the same binary's 10,000-node
# 2-minute run varies by ±5 % on a shared VM (other tenants, memory bandwidth), more than most
# changes worth measuring; run at the same time, each on its own core, both see the same noise,
# and the difference between them moves by ~2 % from round to round. The digests must match: a
# change that alters the simulation is not a speed-up.
#
#   bench/sim_paired_wall.sh BASELINE CANDIDATE [ROUNDS] [-- WAKUSIM RUN OPTIONS]
#   bench/sim_paired_wall.sh /tmp/wakusim.before build/release/apps/wakusim/wakusim 3
#
# Default run options: --scenario community-10k --duration 2m (about 90 s and 1.7 GiB each).
set -euo pipefail

if [ $# -lt 2 ]; then
  sed -n '2,12p' "$0" >&2
  exit 1
fi
baseline=$1
candidate=$2
shift 2
rounds=3
if [ $# -gt 0 ] && [ "$1" != "--" ]; then
  rounds=$1
  shift
fi
[ "${1:-}" = "--" ] && shift
case $rounds in
  '' | *[!0-9]*) echo "sim_paired_wall.sh: ROUNDS must be a number, not '$rounds'" >&2; exit 1 ;;
esac
run_options=("$@")
[ ${#run_options[@]} -eq 0 ] && run_options=(--scenario community-10k --duration 2m)
for binary in "$baseline" "$candidate"; do
  [ -x "$binary" ] || { echo "sim_paired_wall.sh: $binary is not an executable" >&2; exit 1; }
done

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

summary() {  # wall seconds and digest of one run
  python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print("%.2f %s" % (d["wall_seconds"], d["digest"]))' \
    "$1/summary.json"
}

printf '%-6s %-28s %-28s %s\n' round "baseline s (digest)" "candidate s (digest)" "candidate/baseline"
for round in $(seq "$rounds"); do
  rm -rf "$work/a" "$work/b"
  "$baseline" run "${run_options[@]}" --threads 1 --out "$work/a" --no-plots --quiet > "$work/a.log" 2>&1 &
  a=$!
  "$candidate" run "${run_options[@]}" --threads 1 --out "$work/b" --no-plots --quiet > "$work/b.log" 2>&1 &
  b=$!
  wait "$a" || { echo "baseline failed:" >&2; tail -5 "$work/a.log" >&2; exit 1; }
  wait "$b" || { echo "candidate failed:" >&2; tail -5 "$work/b.log" >&2; exit 1; }
  read -r wall_a digest_a < <(summary "$work/a")
  read -r wall_b digest_b < <(summary "$work/b")
  ratio=$(python3 -c "print('%.3f' % ($wall_b / $wall_a))")
  printf '%-6s %-28s %-28s %s\n' "$round" "$wall_a ($digest_a)" "$wall_b ($digest_b)" "$ratio"
  if [ "$digest_a" != "$digest_b" ]; then
    echo "sim_paired_wall.sh: the digests differ: the two binaries do not simulate the same run" >&2
    exit 2
  fi
done
