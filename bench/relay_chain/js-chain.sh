#!/usr/bin/env bash
# Relay throughput of a chain of three js-libp2p gossipsub nodes (Waku relay settings), A -> B -> C.
#   bench/relay_chain/js-chain.sh [DURATION_S=10] [SIZE_BYTES=2048]
# A shorthand for run_chain.sh, which also runs chains with C++ wakunode nodes (js,cpp,js, ...).
set -euo pipefail
exec "$(dirname "${BASH_SOURCE[0]}")/run_chain.sh" -d "${1:-10}" -s "${2:-2048}" js,js,js
