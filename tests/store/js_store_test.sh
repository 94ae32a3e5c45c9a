#!/usr/bin/env bash
# Interop: a js-waku light node (@waku/sdk 0.0.36 over TCP, libp2p-wire.md §B6(a); js-light/)
# queries our store node over store v3 with the SDK's own paginating client and gets the right
# messages, hashes and pages.
#
# Store node S (SQLite) archives 45 messages on one content topic (and 3 on another) that relay
# node P publishes, in a scrambled order, with timestamps that carry sub-millisecond digits. The
# light node dials S and runs, with page size 20:
#   f  forward:   pages of 20, 20, 5, ascending (js-waku follows the last hash of each page)
#   b  backward:  the newest 20 first, each page itself ascending, then 20, then the oldest 5
#   r  time range [ts9, ts18] (whole milliseconds, as the SDK takes Dates): exactly 10 messages
#   h  hash look-up of three messages (js-waku sends the pubsub topic with the hashes)
# Every hash js-waku computes itself from the decoded messages must equal `wakunode hash` of what
# P published and the hashes S's REST lists; timestamps, payloads and topics must round-trip.
#
#   tests/store/js_store_test.sh WAKUNODE    (needs node >= 20 and npm; installs js-light first)
set -euo pipefail
WAKUNODE=${1:-${WAKUNODE:-}}
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
"$STORE_DIR/install.sh" > /dev/null
store_init

wakunode_start S --store=true --store-message-db-url="sqlite://$WORK/s.sqlite3"
wakunode_start P --staticnode="${WAKU_MA[S]}"
wait_relay_peers S 1 20

ct=/store-test/1/js-light/proto
ct_other=/store-test/1/js-other/proto
n=45
# Whole milliseconds divisible by 4 survive js-waku's Date -> ns conversion (getTime() * 1e6 in
# a double) exactly; every third message sits on a whole millisecond, the others carry ns digits.
base_ms=$((($(now_ns) / 1000000 - 5000) / 4 * 4))
declare -a ts hex hash
for i in $(seq 0 $((n - 1))); do
  sub=0
  [ $((i % 3)) -eq 0 ] || sub=$((123 + i))
  ts[i]=$(((base_ms + 4 * i) * 1000000 + sub))
  hex[i]=$(printf 'js-light-%02d' "$i" | xxd -p -c 256)
done
for step in $(seq 0 $((n - 1))); do
  i=$(((step * 7) % n))
  publish_msg P "$ct" "${hex[i]}" "${ts[i]}"
  if [ $((step % 15)) -eq 0 ]; then
    publish_msg P "$ct_other" "$(printf 'other-%02d' "$step" | xxd -p)" $((ts[i] + 1))
  fi
done
ct_q="contentTopics=$(urlencode "$ct")&pubsubTopic=$(urlencode "$TOPIC")"
wait_store_count S $n 20 "$ct_q"
# (Hashes only now: the timestamps must stay within the archive's 20 s window while publishing.)
for i in $(seq 0 $((n - 1))); do hash[i]=$(ref_hash "$ct" "${hex[i]}" "${ts[i]}"); done
# Timestamps are distinct and ascending with i: the expected order is the index order.
store_all_hashes S "$ct_q" | xargs > "$WORK/rest.txt"
[ "$(cat "$WORK/rest.txt")" = "${hash[*]}" ] ||
  fail "REST of S lists $(cat "$WORK/rest.txt"), want ${hash[*]}"
echo "js_store: $n messages archived at S; REST order and hashes as expected"

start_peer JS node --import "$STORE_DIR/../interop/common/polyfill.mjs" \
  "$STORE_DIR/js-light/store-query.mjs" --peer "${WAKU_MA[S]}" --content-topic "$ct" \
  --cluster 16 --shard 32 --page-size 20 --timeout 60 \
  --query f:forward --query b:backward --query "r:range=${ts[9]},${ts[18]}" \
  --query "h:hashes=${hash[40]},${hash[3]},${hash[17]}"
js_rc=0
wait_exit JS 70 || js_rc=$?
out=$WORK/JS.out
grep -q "^CONN ${WAKU_MA[S]##*/} " "$out" || fail "the light node did not connect: $(cat "$out")"

bare() {
  local all="$*"
  echo "${all//0x/}"
}
expect_page() {  # query index hashes...
  local q=$1 i=$2
  shift 2
  local want
  want="$(bare "$*")"
  local got
  got=$(grep "^PAGE $q $i " "$out" | cut -d' ' -f5- || true)
  [ "$got" = "$want" ] || fail "js query $q page $i: got [$got], want [$want]"
}
expect_done() {  # query pages messages
  grep -q "^DONE $1 $2 $3\$" "$out" ||
    fail "js query $1: want $2 pages / $3 messages, got: $(grep -E "^(DONE $1|ERROR)" "$out")"
}

expect_done f 3 $n
expect_page f 0 "${hash[@]:0:20}"
expect_page f 1 "${hash[@]:20:20}"
expect_page f 2 "${hash[@]:40:5}"
# Every field js-waku decoded, from the forward pass (its hash is js-waku's own computation).
for i in $(seq 0 $((n - 1))); do
  want="MSG f $(bare "${hash[i]}") ${ts[i]} ${hex[i]} $ct $TOPIC"
  grep -qx -- "$want" "$out" ||
    fail "js message $i: want [$want], got [$(grep "^MSG f $(bare "${hash[i]}")" "$out")]"
done
echo "js_store: forward 20/20/5, js-waku's hashes = wakunode hash = REST, fields round-trip"

expect_done b 3 $n
expect_page b 0 "${hash[@]:25:20}"
expect_page b 1 "${hash[@]:5:20}"
expect_page b 2 "${hash[@]:0:5}"
echo "js_store: backward 20/20/5, newest first, each page ascending"

expect_done r 1 10
expect_page r 0 "${hash[@]:9:10}"
echo "js_store: time range [ts9, ts18] inclusive: 10 messages"

expect_done h 1 3
expect_page h 0 "${hash[3]}" "${hash[17]}" "${hash[40]}"
echo "js_store: hash look-up of 3 messages"
[ "$js_rc" = 0 ] || fail "the light node exited with an error: $(grep '^ERROR' "$out")"
echo "js_store: ok"
