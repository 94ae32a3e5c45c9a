#!/usr/bin/env bash
# Builds wakunode (release) and runs it with its embedded defaults; extra arguments are passed on.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
cmake --preset release >/dev/null
cmake --build --preset release -j "$(nproc)" --target wakunode
exec build/release/apps/wakunode/wakunode "$@"
