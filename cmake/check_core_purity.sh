#!/usr/bin/env bash
# Fails when sans-I/O core code (default: src/waku) reads a clock, uses global or <random>
# randomness, sleeps, reads the environment, or includes Asio, SQLite or libpq.
# Usage: check_core_purity.sh [DIR]   (unit tests, *_test.cpp, and benchmarks are exempt)
set -euo pipefail
dir=${1:-$(dirname "$0")/../src/waku}
[ -d "$dir" ] || { echo "check_core_purity: no such directory: $dir" >&2; exit 2; }

declare -A rules=(
  [clock]='std::chrono::(system_clock|steady_clock|high_resolution_clock|file_clock|utc_clock)|\b(clock_gettime|gettimeofday|timespec_get)\s*\(|\btime\s*\(\s*(nullptr|NULL|0)?\s*\)|\bclock\s*\(\s*\)'
  [randomness]='#\s*include\s*<random>|std::random_device|\bmt19937|std::(shuffle|sample)\b|\b(s?rand|random|drand48|arc4random)\s*\(|uniform_(int|real)_distribution'
  [sleep]='\b(sleep_for|sleep_until|usleep|nanosleep)\b|\bsleep\s*\('
  [environment]='\b(secure_)?getenv\s*\(|\benviron\b|\bsetenv\s*\('
  [io-library]='#\s*include\s*[<"](boost/asio|asio|boost/beast|sqlite3|libpq-fe|postgresql/libpq-fe)|#\s*include\s*<thread>'
)

status=0
for rule in "${!rules[@]}"; do
  hits=$(grep -rnE --include='*.hpp' --include='*.cpp' --include='*.h' "${rules[$rule]}" "$dir" \
         | grep -vE '_(test|bench)\.cpp:' | grep -vE '^[^:]+:[0-9]+:\s*//' || true)
  if [ -n "$hits" ]; then
    echo "sans-I/O violation ($rule) in core code:" >&2
    echo "$hits" >&2
    status=1
  fi
done
[ $status -eq 0 ] && echo "check_core_purity: $dir is sans-I/O and deterministic"
exit $status
