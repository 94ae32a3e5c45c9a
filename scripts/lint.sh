#!/usr/bin/env bash
# clang-tidy (configuration in .clang-tidy) over every non-test source of src/ and apps/,
# using the compile database of the debug preset (clang 14). Fails on any finding.
set -euo pipefail
cd "$(dirname "$0")/.."
cmake --preset debug >/dev/null
cmake --build --preset debug --target waku_proto >/dev/null   # generated headers the codec includes
tidy=$(command -v clang-tidy-14 || command -v clang-tidy)
mapfile -t files < <(git ls-files -co --exclude-standard -- 'src/*.cpp' 'apps/*.cpp' |
                     grep -vE '_(test|bench)\.cpp$')
report=$(mktemp)
trap 'rm -f "$report"' EXIT
printf '%s\n' "${files[@]}" |
  xargs -P "$(nproc)" -n 4 "$tidy" -p build/debug --quiet >"$report" 2>/dev/null || true
if grep -qE '(warning|error):' "$report"; then
  grep -E -A3 '(warning|error):' "$report"
  echo "clang-tidy: findings above" >&2
  exit 1
fi
echo "clang-tidy: ${#files[@]} files clean"
