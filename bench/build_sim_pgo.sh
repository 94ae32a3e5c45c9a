#!/usr/bin/env bash
# Builds the wakusim whose wall time the simulator's benchmarks record: clang 14 at -O3 with
# ThinLTO and profile-guided optimisation (presets sim-profile, then sim-pgo), trained on 60
# simulated seconds of bench/sim_dense_3k.toml (3,000 nodes with community-10k's traffic per
# node). The source is the release build's, so it simulates the same events to the same digest;
# the script checks that against the training run. community-10k, 2 simulated minutes side by
# side with the GCC -O2 release build: 0.83 of its wall time (docs/benchmarks.md, 2026-12-08).
# Takes ~3 minutes on two cores. Prints the binary's path last.
#
#   bench/build_sim_pgo.sh
#   "$(bench/build_sim_pgo.sh | tail -1)" run --scenario community-10k --out /tmp/10k
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh >&2

step() { printf '\n==> %s\n' "$*" >&2; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
digest() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["digest"])' "$1"; }
# The training run, repeated with the optimised build: two builds of one source must agree.
train=(run --scenario bench/sim_dense_3k.toml --duration 60s --threads 2 --no-plots --quiet)

step "build the instrumented wakusim (preset sim-profile)"
cmake --preset sim-profile > /dev/null
cmake --build --preset sim-profile --target wakusim >&2

step "train it: ${train[*]}"
rm -rf build/sim-profile/raw
build/sim-profile/apps/wakusim/wakusim "${train[@]}" --out "$work/train" > /dev/null
llvm-profdata-14 merge -o build/sim-profile/wakusim.profdata build/sim-profile/raw/*.profraw

# --clean-first: ninja does not know that the objects depend on the profile; with ccache the
# objects whose profile did not change are cache hits.
step "build the optimised wakusim (preset sim-pgo)"
cmake --preset sim-pgo > /dev/null
cmake --build --preset sim-pgo --target wakusim --clean-first >&2

step "check: the same simulation as the training run"
build/sim-pgo/apps/wakusim/wakusim "${train[@]}" --out "$work/check" > /dev/null
if [ "$(digest "$work/train/summary.json")" != "$(digest "$work/check/summary.json")" ]; then
  echo "build_sim_pgo.sh: the optimised build simulates differently (digest" \
    "$(digest "$work/check/summary.json"), instrumented $(digest "$work/train/summary.json"))" >&2
  exit 1
fi
echo "build/sim-pgo/apps/wakusim/wakusim"
