#!/usr/bin/env bash
# Builds everything and runs every test: release (GCC), then debug (clang 14 with ASan + UBSan),
# whose tests include a short run of each libFuzzer target; then clang-tidy. This is what CI runs
# (.ci/run).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
jobs=$(nproc)
export CCACHE_DIR=${CCACHE_DIR:-$HOME/.cache/ccache}

step() { printf '\n==> %s\n' "$*"; }

for preset in release debug; do
  step "configure and build: $preset"
  cmake --preset "$preset" >/dev/null
  cmake --build --preset "$preset" -j "$jobs"
  step "tests: $preset"
  ctest --preset "$preset" -j "$jobs" --no-tests=error
done

step "lint: clang-tidy (clang 14)"
scripts/lint.sh

step "all tests passed"
