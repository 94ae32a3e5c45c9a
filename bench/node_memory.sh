#!/usr/bin/env bash
# Peak resident memory (VmHWM) of a wakunode: idle, and as a hub with 50 relay peers relaying the
# seed's shard load (10,000 nodes x 5 msg/h = 13.9 msg/s of ~2 KB, published at the peers through
# REST). The hub allows 2 x PEERS connections: relay peers may take 60 % of them (nwaku's
# --relay-service-ratio 60:40). Usage: bench/node_memory.sh WAKUNODE [PEERS=50] [LOAD_SECONDS=60]
set -euo pipefail
wakunode=${1:?usage: node_memory.sh WAKUNODE [PEERS] [LOAD_SECONDS]}
peers=${2:-50}
load_seconds=${3:-60}
rate=13.9
work=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
[ -n "${KEEP_WORK:-}" ] && trap 'for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; echo "logs in $work"' EXIT
hwm() { awk '/VmHWM/ {print $2}' "/proc/$1/status"; }
rss() { awk '/VmRSS/ {print $2}' "/proc/$1/status"; }
port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
range_free() { for p in $(seq "$1" $(($1 + 2 * peers + 20))); do port_free "$p" || return 1; done; }
# Fixed ports below the kernel's ephemeral range (32768 and up by default): a port probed free
# there can be taken the next moment by any outgoing connection's source port.
blocks=$(((32768 - 20000 - 2 * peers - 21) / 100))
base=$((20000 + (RANDOM % blocks) * 100))
until range_free $base; do base=$((20000 + (RANDOM % blocks) * 100)); done
common=(--cluster-id=16 --shard=32 --listen-address=127.0.0.1 --log-level=${LOG_LEVEL:-WARN})

"$wakunode" "${common[@]}" --tcp-port=$base >"$work/idle.log" 2>&1 &
idle=$!
pids+=($idle)
sleep 5
echo "idle node: VmHWM $(hwm $idle) kB, VmRSS $(rss $idle) kB (after 5 s)"
kill $idle

hub_key=$(printf '%064x' 1)
hub_id=$("$wakunode" keygen --json --private-key "$hub_key" | sed 's/.*"peer_id": "\([^"]*\)".*/\1/')
"$wakunode" "${common[@]}" --tcp-port=$((base + 1)) --nodekey="$hub_key" \
  --max-connections=$((peers * 2)) --rest=true --rest-admin=true --rest-port=$((base + 2)) \
  >"$work/hub.log" 2>&1 &
hub=$!
pids+=($hub)
sleep 1
for i in $(seq 1 "$peers"); do
  "$wakunode" "${common[@]}" --tcp-port=$((base + 10 + 2 * i)) --rest=true \
    --rest-port=$((base + 11 + 2 * i)) \
    --staticnode="/ip4/127.0.0.1/tcp/$((base + 1))/p2p/$hub_id" >"$work/peer$i.log" 2>&1 &
  pids+=($!)
done
deadline=$((SECONDS + 60))
until [ "$(curl -s "http://127.0.0.1:$((base + 2))/admin/v1/peers" | jq length)" -ge "$peers" ]; do
  [ $SECONDS -lt $deadline ] || { echo "hub did not reach $peers peers ($(curl -s "http://127.0.0.1:$((base + 2))/admin/v1/peers" | jq length))" >&2; tail -n 3 "$work/hub.log" "$work/peer1.log" >&2; exit 1; }
  sleep 0.5
done
echo "hub: $peers peers connected; VmRSS $(rss $hub) kB before load"
payload=$(head -c 2000 /dev/urandom | base64 -w0)
interval=$(awk -v r=$rate 'BEGIN {printf "%.4f", 1 / r}')
sent=0
end=$((SECONDS + load_seconds))
while [ $SECONDS -lt $end ]; do
  i=$((sent % peers + 1))
  curl -s -o /dev/null -X POST -H 'content-type: application/json' \
    -d "{\"payload\":\"$payload\",\"contentTopic\":\"/bench/1/load/proto\",\"timestamp\":$(date +%s%N)}" \
    "http://127.0.0.1:$((base + 11 + 2 * i))/relay/v1/messages/%2Fwaku%2F2%2Frs%2F16%2F32" || true
  sent=$((sent + 1))
  sleep "$interval"
done
echo "hub: $sent messages published over ${load_seconds} s; VmHWM $(hwm $hub) kB, VmRSS $(rss $hub) kB"
