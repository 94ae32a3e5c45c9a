#!/usr/bin/env bash
# Fails when a C++ source under src/, apps/, bench/, fuzz/ or tests/ differs from .clang-format.
set -euo pipefail
cd "$(dirname "$0")/.."
formatter=$(command -v clang-format-14 || command -v clang-format)
mapfile -t files < <(git ls-files -co --exclude-standard -- 'src/*.[ch]pp' 'apps/*.[ch]pp' \
  'bench/*.[ch]pp' 'fuzz/*.[ch]pp' 'tests/*.[ch]pp' | grep -v '^tests/purity/violations/')
[ ${#files[@]} -eq 0 ] && exit 0
"$formatter" --dry-run -Werror "${files[@]}"
echo "clang-format: ${#files[@]} files conform"
