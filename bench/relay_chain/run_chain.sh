#!/usr/bin/env bash
# Relay throughput through a chain of three processes A -> B -> C on 127.0.0.1: A publishes
# SIZE-byte WakuMessages on /waku/2/rs/16/32 for DURATION seconds as fast as B accepts them, B
# relays (gossipsub, Waku relay settings), C counts. Prints one row per chain: messages/s and MB/s
# received at C (between C's first and last load message), loss = 1 - received/sent, latency
# percentiles A->C, and the CPU seconds each process used.
#
#   bench/relay_chain/run_chain.sh [-d DURATION] [-s SIZE] [-m yamux|mplex] [CHAIN...]
#   CHAIN = kinds of A,B,C, e.g. js,js,js (default) | js,cpp,js | cpp,cpp,cpp
#   WAKUNODE=build/release/apps/wakunode/wakunode bench/relay_chain/run_chain.sh js,js,js js,cpp,js
# VERBOSE=1 prints phases and B's relay metrics; B_LOG_LEVEL=INFO keeps B's log (with KEEP_WORK=1).
#
# Kinds: js = bench/relay_chain/chain-node.mjs (js-libp2p 2.10 + gossipsub 14.1.2 as Waku relay);
# cpp = $WAKUNODE, started by the cpp_* hooks below (B works once wakunode relays; A and C need a
# load-publisher and a counter in wakunode, see the hooks). Each node follows the line protocol
# documented at the top of chain-node.mjs. Set KEEP_WORK=1 to keep the logs.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
duration=10
size=2048
muxer=yamux
protected=0
while getopts d:s:m:ph opt; do
  case $opt in
    d) duration=$OPTARG ;;
    p) protected=1 ;;
    s) size=$OPTARG ;;
    m) muxer=$OPTARG ;;
    *) sed -n '2,15p' "$0"; exit 2 ;;
  esac
done
shift $((OPTIND - 1))
chains=("$@")
[ ${#chains[@]} -gt 0 ] || chains=('js,js,js')

"$repo/tests/interop/install.sh" js-libp2p > /dev/null
# shellcheck source=../../tests/interop/lib.sh disable=SC2034  # INTEROP_FAILED: EXIT trap
source "$repo/tests/interop/lib.sh"
interop_init

chain_node=$here/chain-node.mjs
topic=/waku/2/rs/16/32
# Fixed secp256k1 keys, so peer ids (and B's multiaddr) are known before the nodes start.
key_a=$(printf 'a1%.0s' {1..32})
key_b=$(printf 'b2%.0s' {1..32})
key_c=$(printf 'c3%.0s' {1..32})
# -p: shard 32 is protected: A signs every message, B (the relay under test) checks every
# signature; A and C are the load generator and the counter and check nothing (C++ only).
protected_key=$(printf 'd4%.0s' {1..32})

# ---- C++ hooks (to be completed with wakunode's final options) --------------------------------
# cpp_start ROLE NAME KEY PORT DIAL_MULTIADDR: start $WAKUNODE in the background via
# `start_peer NAME ...` so that its stdout lands in $WORK/NAME.out. Role contracts:
#   relay:     relays $topic, listens on PORT, dials nobody. Nothing to print (the driver derives
#              B's multiaddr from KEY and PORT and waits until the port accepts connections).
#   publisher: dials DIAL_MULTIADDR; publishes probe messages (content topic
#              /bench/1/probe/proto) every 200 ms until SIGUSR2, then load messages for $duration s
#              as fast as the connection takes them (format: top of chain-node.mjs), then prints
#              `LOADDONE {"sent":N,"seconds":S}`. Needs a wakunode publish-load option.
#   counter:   dials DIAL_MULTIADDR; prints `PROBE` at the first probe, `COUNT n` every 500 ms and
#              `RESULT {"received":N,"duplicates":D,"payloadBytes":B,"seconds":S,
#              "latencyMs":{"p50":..,"p90":..,"p99":..,"max":..}}` on SIGTERM.
cpp_start() {
  local role=$1 name=$2 key=$3 port=$4 dial_ma=$5
  : "${WAKUNODE:?set WAKUNODE to the wakunode binary for cpp chain nodes}"
  case $role in
    relay)
      local extra=()
      if [ "$protected" = 1 ]; then
        local protected_pub
        protected_pub=$("$WAKUNODE" keygen --json --private-key "$protected_key" |
                        sed -n 's/.*"public_key": *"\([0-9a-fx]*\)".*/\1/p')
        extra+=(--protected-shard="32:$protected_pub")
      fi
      # Metrics, so that the driver can report what B dropped (waku_relay_dropped_total).
      b_metrics_port=$(node "$chain_node" --free-port)
      start_peer "$name" "$WAKUNODE" --nodekey="$key" --tcp-port="$port" --cluster-id=16 \
        --shard=32 --relay=true --listen-address=127.0.0.1 --log-level=${B_LOG_LEVEL:-WARN} \
        --metrics-server=true --metrics-server-port="$b_metrics_port" "${extra[@]}"
      ;;
    publisher | counter)
      # bench/relay_chain/relay_chain_node.cpp: the same Node as wakunode, with the load generator
      # or the counter in-process; built next to wakunode (RELAY_CHAIN_NODE overrides).
      local chain_cpp=${RELAY_CHAIN_NODE:-$(dirname "$WAKUNODE")/../../bench/relay_chain_node}
      local args=(--role "$role" --dial "$dial_ma" --key-hex "$key" --cluster-id 16 --shard 32)
      [ "$role" = publisher ] && args+=(--size "$size" --duration "$duration")
      [ "$protected" = 1 ] && args+=(--protected-key "$protected_key")
      start_peer "$name" "$chain_cpp" "${args[@]}"
      ;;
  esac
}
# ------------------------------------------------------------------------------------------------

js_start() {
  local role=$1 name=$2 key=$3 port=$4 dial_ma=$5
  local args=(--role "$role" --key-hex "$key" --muxer "$muxer" --topic "$topic")
  case $role in
    relay) args+=(--listen "$port") ;;
    publisher) args+=(--dial "$dial_ma" --size "$size" --duration "$duration") ;;
    counter) args+=(--dial "$dial_ma") ;;
  esac
  start_peer "$name" node "$chain_node" "${args[@]}"
}

start_node() { # KIND ROLE NAME KEY PORT DIAL_MA
  local kind=$1
  shift
  case $kind in
    js) js_start "$@" ;;
    cpp) cpp_start "$@" ;;
    *) echo "run_chain: unknown node kind $kind" >&2; return 1 ;;
  esac
}

wait_port() { # PORT TIMEOUT_S
  local deadline=$((SECONDS + $2))
  until (exec 3<> "/dev/tcp/127.0.0.1/$1") 2> /dev/null; do
    [ $SECONDS -lt $deadline ] || { echo "run_chain: port $1 not open after $2 s" >&2; return 1; }
    sleep 0.1
  done
}

cpu_seconds() { # PID -> utime+stime in seconds
  awk -v hz="$(getconf CLK_TCK)" '{ sub(/^.*\) /, ""); printf "%.1f", ($12 + $13) / hz }' \
    "/proc/$1/stat" 2> /dev/null || echo "?"
}

last_count() { grep '^COUNT ' "$WORK/$1.out" 2> /dev/null | tail -n1 | cut -d' ' -f2; }

phase() { [ "${VERBOSE:-0}" = 0 ] || echo "run_chain: $(date +%T.%N | cut -c1-12) $*" >&2; }

run_one() { # CHAIN
  local chain=$1 ka kb kc
  IFS=, read -r ka kb kc <<< "$chain"
  local a=A_$ka b=B_$kb c=C_$kc
  local port b_ma
  port=$(node "$chain_node" --free-port)
  b_ma=/ip4/127.0.0.1/tcp/$port/p2p/$(node "$chain_node" --peer-id --key-hex "$key_b")

  phase "$chain: starting B"
  start_node "$kb" relay "$b" "$key_b" "$port" ""
  wait_port "$port" 20
  start_node "$kc" counter "$c" "$key_c" 0 "$b_ma"
  start_node "$ka" publisher "$a" "$key_a" 0 "$b_ma"
  # A's probes reach C only once B has both in its mesh: then the load may start.
  wait_line "$c" '^PROBE' 30 > /dev/null
  phase "$chain: mesh ready, load starts"
  kill -USR2 "${INTEROP_PIDS[$a]}"
  local loaddone
  loaddone=$(wait_line "$a" '^LOADDONE ' $((duration + 60)))
  phase "$chain: load done"
  # Drain: wait until C's count has not moved for 2 s (at most 60 s).
  local prev=-1 still=0 deadline=$((SECONDS + 60)) n
  while [ $still -lt 4 ] && [ $SECONDS -lt $deadline ]; do
    sleep 0.5
    n=$(last_count "$c")
    if [ "$n" = "$prev" ]; then still=$((still + 1)); else still=0; prev=$n; fi
  done
  phase "$chain: drained"
  # What a C++ B dropped, by reason (zero counts left out).
  local b_dropped=""
  if [ "$kb" = cpp ]; then
    b_dropped=$(node -e '
      fetch(process.argv[1]).then(r => r.text()).then(t => {
        const m = [...t.matchAll(/^waku_relay_dropped_total\{reason="(\w+)"\} (\d+)/gm)]
        console.log(m.filter(x => x[2] !== "0").map(x => x[1] + " " + x[2]).join(", ") || "nothing")
      }).catch(e => console.log("metrics unavailable: " + e.message))
    ' "http://127.0.0.1:$b_metrics_port/metrics")
  fi
  if [ "$kb" = cpp ] && [ "${VERBOSE:-0}" != 0 ]; then
    node -e 'fetch(process.argv[1]).then(r => r.text()).then(t => console.error(
      t.split("\n").filter(l => /^(waku_relay|libp2p_gossipsub|waku_node_messages)/.test(l)).join("\n")))' \
      "http://127.0.0.1:$b_metrics_port/metrics" || true
  fi
  local cpu_a cpu_b cpu_c
  cpu_a=$(cpu_seconds "${INTEROP_PIDS[$a]}")
  cpu_b=$(cpu_seconds "${INTEROP_PIDS[$b]}")
  cpu_c=$(cpu_seconds "${INTEROP_PIDS[$c]}")
  kill -TERM "${INTEROP_PIDS[$c]}"
  local result
  result=$(wait_line "$c" '^RESULT ' 10)
  for p in "$a" "$b"; do kill -TERM "${INTEROP_PIDS[$p]}" 2> /dev/null || true; done
  for p in "$a" "$b" "$c"; do wait_exit "$p" 10 || true; done
  INTEROP_FAILED=0
  phase "$chain: stopped"
  node -e '
    const [chain, done, res, cpuA, cpuB, cpuC] = process.argv.slice(1)
    const d = JSON.parse(done.replace(/^LOADDONE /, ""))
    const r = JSON.parse(res.replace(/^RESULT /, ""))
    const rate = r.seconds > 0 ? r.received / r.seconds : 0
    const mbs = r.seconds > 0 ? r.payloadBytes / r.seconds / 1e6 : 0
    const loss = d.sent > 0 ? 100 * (1 - r.received / d.sent) : 0
    const l = r.latencyMs
    console.log(
      chain.padEnd(12) + String(d.sent).padStart(9) + String(r.received).padStart(9) +
      rate.toFixed(0).padStart(10) + mbs.toFixed(2).padStart(8) + (loss.toFixed(2) + "%").padStart(8) +
      ((l.p50 ?? "-") + "/" + (l.p99 ?? "-")).toString().padStart(16) +
      (cpuA + "/" + cpuB + "/" + cpuC).padStart(16))
  ' "$chain" "$loaddone" "$result" "$cpu_a" "$cpu_b" "$cpu_c"
  [ -z "$b_dropped" ] || echo "  B dropped: $b_dropped"
  local a_dropped
  a_dropped=$(sed -n 's/.*"droppedAtA":\([0-9]*\).*/\1/p' <<< "$loaddone")
  [ -z "$a_dropped" ] || echo "  A dropped (its own queue towards B): $a_dropped"
}

setup="relay chain A->B->C: $duration s of $size-byte payloads, muxer $muxer, topic $topic"
[ "$protected" = 0 ] || setup+=", protected shard (A signs, B checks)"
echo "$setup"
# The machine, so that figures from different sessions can be compared (the js chain's speed
# halved between two sessions on a VM whose CPU model name stayed "AMD EPYC").
cpu_model=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n1)
cpu_id=$(awk -F': ' '/^cpu family/{f=$2} /^model[[:space:]]*:/{m=$2} /^stepping/{s=$2} END{print "family " f ", model " m ", stepping " s}' /proc/cpuinfo)
echo "machine: $cpu_model ($cpu_id), $(nproc) cpus, Linux $(uname -r), node $(node --version)"
printf '%-12s%9s%9s%10s%8s%8s%16s%16s\n' chain sent recv 'msg/s' 'MB/s' loss 'p50/p99 ms' 'cpu s A/B/C'
for chain in "${chains[@]}"; do
  run_one "$chain"
done
