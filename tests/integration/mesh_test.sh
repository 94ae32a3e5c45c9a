#!/usr/bin/env bash
# Integration: ten wakunode processes on 127.0.0.1 form a relay mesh from static peers; a message
# posted over REST at one node is readable over REST at every other; a node killed with SIGKILL
# and restarted (same key, same port) rejoins and receives again; a node of another cluster is
# refused. Usage: mesh_test.sh WAKUNODE
set -euo pipefail
wakunode=${1:?usage: mesh_test.sh WAKUNODE}
nodes=10
topic=/waku/2/rs/16/32
topic_url=%2Fwaku%2F2%2Frs%2F16%2F32
work=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

fail() {
  echo "FAIL: $*" >&2
  for log in "$work"/*.log; do echo "--- $log" >&2; tail -n 15 "$log" >&2; done
  exit 1
}

# A free block of ports: base + 2*i (TCP) and base + 2*i + 1 (REST). Fixed ports, because a
# node restarts on its old one; the block stays below the kernel's ephemeral range, where the
# outgoing connections of tests running alongside could take a port after the probe.
ephemeral_low=$(cut -f1 /proc/sys/net/ipv4/ip_local_port_range 2> /dev/null || echo 32768)
blocks=$(((ephemeral_low - 20000) / 100 - 1))
port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
base=$((20000 + (RANDOM % blocks) * 100))
for _ in $(seq 1 20); do
  ok=1
  for i in $(seq 0 $((2 * nodes + 3))); do port_free $((base + i)) || { ok=0; break; }; done
  [ $ok -eq 1 ] && break
  base=$((20000 + (RANDOM % blocks) * 100))
done
tcp_port() { echo $((base + 2 * $1)); }
rest_port() { echo $((base + 2 * $1 + 1)); }
nodekey() { printf '%064x' $(($1 + 1)); }

start_node() {  # index [extra options...]
  local i=$1
  shift
  local args=(--cluster-id=16 --shard=32 --listen-address=127.0.0.1 --tcp-port="$(tcp_port "$i")"
              --rest=true --rest-admin=true --rest-address=127.0.0.1 --rest-port="$(rest_port "$i")"
              --nodekey="$(nodekey "$i")" --log-level=DEBUG)
  # Static peers: the two previous nodes, so the static graph is connected.
  for j in $((i - 1)) $((i - 2)); do
    [ "$j" -ge 0 ] && args+=(--staticnode="/ip4/127.0.0.1/tcp/$(tcp_port "$j")/p2p/${ids[$j]}")
  done
  "$wakunode" "${args[@]}" "$@" >>"$work/node$i.log" 2>&1 &
  pids[$i]=$!
  # The peer id, for the next nodes' --staticnode (nwaku requires /p2p/<id> there).
  local deadline=$((SECONDS + 20))
  until ids[$i]=$(grep -m1 -o 'peer id [[:alnum:]]*' "$work/node$i.log" 2>/dev/null | cut -d' ' -f3) &&
        [ -n "${ids[$i]}" ]; do
    [ $SECONDS -ge $deadline ] && fail "node $i did not start"
    sleep 0.1
  done
}
ids=()

rest() {  # index method path [body]
  local url="http://127.0.0.1:$(rest_port "$1")$3"
  if [ $# -ge 4 ]; then
    curl -sS --max-time 5 -X "$2" -H 'content-type: application/json' -d "$4" "$url"
  else
    curl -sS --max-time 5 -X "$2" "$url"
  fi
}

wait_for() {  # seconds description command...
  local deadline=$((SECONDS + $1)) what=$2
  shift 2
  until "$@" >/dev/null 2>&1; do
    [ $SECONDS -ge $deadline ] && fail "timed out waiting for: $what"
    sleep 0.2
  done
}

relay_peers() { rest "$1" GET /admin/v1/peers | jq -e "length >= $2"; }

for i in $(seq 0 $((nodes - 1))); do start_node "$i"; done
for i in $(seq 0 $((nodes - 1))); do
  wait_for 20 "node $i REST" rest "$i" GET /health
  wait_for 20 "node $i has a peer" relay_peers "$i" 1
done
echo "mesh: $nodes nodes up and connected"

payload_b64() { printf '%s' "$1" | base64 -w0; }
publish() {  # index text
  local body
  body=$(printf '{"payload":"%s","contentTopic":"/test/1/mesh/proto","timestamp":%s}' \
         "$(payload_b64 "$2")" "$(date +%s%N)")
  rest "$1" POST "/relay/v1/messages/$topic_url" "$body"
}
# Every node's REST cache collects messages; GET drains it, so keep what each node has seen.
received() {  # index text
  rest "$1" GET "/relay/v1/messages/$topic_url" >>"$work/seen$1.json" || return 1
  grep -q "$(payload_b64 "$2")" "$work/seen$1.json"
}
publish_until_delivered() {  # from text
  local deadline=$((SECONDS + 30))
  # Publishing fails while no mesh peer exists yet; retry until it is accepted.
  until publish "$1" "$2" | grep -qv -i 'fail\|error\|no peers'; do
    [ $SECONDS -ge $deadline ] && fail "node $1 could not publish"
    sleep 0.5
  done
}

publish_until_delivered 0 "hello mesh"
for i in $(seq 1 $((nodes - 1))); do wait_for 20 "node $i receives" received "$i" "hello mesh"; done
echo "mesh: a message posted at node 0 was read at all $((nodes - 1)) others"

victim=5
kill -9 "${pids[$victim]}"
wait "${pids[$victim]}" 2>/dev/null || true
sleep 1
start_node "$victim"
wait_for 20 "node $victim REST after restart" rest "$victim" GET /health
wait_for 30 "node $victim rejoins" relay_peers "$victim" 1
rm -f "$work/seen$victim.json"
# Give the restarted node a heartbeat or two to be grafted, then publish until it hears one.
deadline=$((SECONDS + 40))
n=0
until received "$victim" "after restart"; do
  [ $SECONDS -ge $deadline ] && fail "restarted node $victim received nothing"
  publish 0 "after restart" >/dev/null || true
  n=$((n + 1))
  sleep 1
done
echo "mesh: node $victim killed, restarted, rejoined and received"

# A node of another cluster dials node 0 and is refused: node 0 never lists it for long.
other=$nodes
"$wakunode" --cluster-id=99 --shard=32 --listen-address=127.0.0.1 --tcp-port="$(tcp_port $other)" \
  --rest=true --rest-admin=true --rest-address=127.0.0.1 --rest-port="$(rest_port $other)" \
  --nodekey="$(nodekey $other)" --staticnode="/ip4/127.0.0.1/tcp/$(tcp_port 0)/p2p/${ids[0]}" \
  --log-level=DEBUG >>"$work/node$other.log" 2>&1 &
pids[$other]=$!
wait_for 20 "cluster-99 node REST" rest "$other" GET /health
wait_for 20 "node 0 refuses the cluster-99 node" grep -q "cluster 99" "$work/node0.log"
sleep 2
other_id=$(rest "$other" GET /debug/v1/info | jq -r '.listenAddresses[0]' | sed 's|.*/p2p/||')
[ -n "$other_id" ] || fail "no peer id for the cluster-99 node"
if rest 0 GET /admin/v1/peers | jq -e --arg id "$other_id" \
    '[.[] | select(.multiaddr // "" | contains($id))] | length > 0' >/dev/null; then
  fail "node 0 still lists the cluster-99 peer"
fi
echo "mesh: a node of cluster 99 was refused"
echo "PASS"
