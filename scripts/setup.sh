#!/usr/bin/env bash
# Installs the Debian 12 packages waku-cpp needs. Idempotent; silent when nothing is missing.
set -euo pipefail

packages=(
  build-essential cmake ninja-build ccache pkg-config git   # build
  g++ clang-14 libclang-rt-14-dev clang-format clang-tidy     # compilers, fuzzing, lint
  llvm-14                                                     # llvm-profdata: bench/build_sim_pgo.sh
  libssl-dev libsecp256k1-dev                                 # crypto (ARCHITECTURE.md, Dependencies)
  libprotobuf-dev protobuf-compiler                           # wire schemas
  libfmt-dev libcli11-dev                                     # formatting, command line
  libgtest-dev libgmock-dev libbenchmark-dev                  # tests, micro-benchmarks
  libtomlplusplus-dev libboost-json1.81-dev                   # scenario files, JSON reports
  gnuplot-nox                                                 # wakusim plots
  libmimalloc-dev                                             # wakusim's allocator (huge pages)
  libboost1.81-dev                                            # Asio, Beast (the node's host)
  libsqlite3-dev libpq-dev postgresql                         # archive drivers; throwaway test server
)

missing=()
for package in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$package")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "setup: installing ${missing[*]}"
sudo_cmd=()
[ "$(id -u)" -ne 0 ] && sudo_cmd=(sudo)
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "setup: done"
