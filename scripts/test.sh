#!/usr/bin/env bash
# Builds everything and runs every test: release (GCC), debug with ASan+UBSan (GCC), and the
# clang 14 libFuzzer targets for a short run each. This is what CI runs (.ci/run).
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

step "configure and build: fuzz (clang 14)"
cmake --preset fuzz >/dev/null
cmake --build --preset fuzz -j "$jobs"
step "fuzz targets: short runs"
ctest --test-dir build/fuzz --output-on-failure -j "$jobs" --no-tests=error

step "all tests passed"
