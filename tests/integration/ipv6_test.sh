#!/usr/bin/env bash
# Integration: two wakunode processes on the IPv6 loopback (::1) connect through an /ip6/
# static peer and relay a message posted over REST. Usage: ipv6_test.sh WAKUNODE
set -euo pipefail
wakunode=${1:?usage: ipv6_test.sh WAKUNODE}
work=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; tail -n 20 "$work"/*.log >&2; exit 1; }

# Every port is chosen by the kernel (port 0) and read back from the logs: probing for a free
# port races with the ephemeral ports of other tests running at the same time.
wait_log() { # FILE REGEX: prints the first match's first group
  local deadline=$((SECONDS + 20)) match
  until match=$(sed -n -E "s|$2|\1|p" "$1" | head -n1) && [ -n "$match" ]; do
    [ $SECONDS -lt $deadline ] || fail "no line matching '$2' in $1"
    sleep 0.1
  done
  echo "$match"
}
key=$(printf '%064x' 77)
id=$("$wakunode" keygen --json --private-key "$key" | sed 's/.*"peer_id": "\([^"]*\)".*/\1/')
"$wakunode" --cluster-id=16 --shard=32 --listen-address=::1 --tcp-port=0 --nodekey="$key" \
  >"$work/a.log" 2>&1 &
pids+=($!)
a_port=$(wait_log "$work/a.log" '.*listening on /ip6/::1/tcp/([0-9]+)/p2p/.*')
"$wakunode" --cluster-id=16 --shard=32 --listen-address=::1 --tcp-port=0 \
  --rest=true --rest-port=0 --staticnode="/ip6/::1/tcp/$a_port/p2p/$id" \
  >"$work/b.log" 2>&1 &
pids+=($!)
rest_port=$(wait_log "$work/b.log" '.*REST API on http://127\.0\.0\.1:([0-9]+).*')
topic=%2Fwaku%2F2%2Frs%2F16%2F32
deadline=$((SECONDS + 20))
until grep -q "connected to peer $id (\[::1\]:$a_port" "$work/b.log"; do
  [ $SECONDS -lt $deadline ] || fail "no connection over ::1"
  sleep 0.2
done
# Node b publishes until its mesh includes a; a's log shows nothing of messages, so check that b's
# publish is accepted by a relay peer (the REST call fails while no peer is subscribed).
until curl -sf -X POST -H 'content-type: application/json' \
    -d "{\"payload\":\"aXB2Ng==\",\"contentTopic\":\"/test/1/v6/proto\",\"timestamp\":$(date +%s%N)}" \
    "http://127.0.0.1:$rest_port/relay/v1/messages/$topic" >/dev/null; do
  [ $SECONDS -lt $deadline ] || fail "publishing over ::1 found no relay peer"
  sleep 0.3
done
echo "ipv6: connected over ::1 and relayed to the peer"
echo PASS
