#!/usr/bin/env bash
# Store query semantics over REST (GET /store/v3/messages), asked two ways with the same checks:
#   local   at store node A, answered from A's own archive;
#   remote  at relay node B with peerAddr=<A>, so B asks A over store v3 (/vac/waku/store-query/
#           3.0.0) and renders A's answer.
# A (--store, SQLite or PostgreSQL) and B (relay only) are relay peers. 30 messages with known
# timestamps (two of them equal, so the hash breaks the tie) on two content topics are published
# in a scrambled order, half at A (A archives its own publications), half at B (A archives what it
# relays). Checked against values computed here (`wakunode hash`, the timestamps we chose):
# order (timestamp, hash) ascending; forward and backward pagination across pages, the cursor
# present exactly while more follow; page size default and exact multiples; startTime/endTime
# (both inclusive, as nwaku); content and pubsub topic filters; hash look-ups; includeData=false;
# and requests that must be refused with HTTP 400 (hashes mixed with topics, malformed cursor or
# hash, an all-zero cursor, unknown parameters, a peerAddr without /p2p/); an unknown cursor is
# answered as nwaku does (statusCode 300, HTTP 500); a peerAddr of a node that is not there gets
# 504 within the node's 5 s bound; and, last, a hash look-up that also names its pubsub topic (as
# js-waku 0.0.36 sends it, and nwaku answers it) is answered.
#
#   tests/store/semantics_test.sh WAKUNODE [sqlite|postgres]   (postgres: WAKU_TEST_POSTGRES_URL,
#                                                                 e.g. via scripts/with-postgres.sh)
set -euo pipefail
WAKUNODE=${1:-${WAKUNODE:-}}
driver=${2:-sqlite}
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
store_init

case $driver in
  sqlite) db_url=sqlite://$WORK/a.sqlite3 ;;
  postgres) db_url=${WAKU_TEST_POSTGRES_URL:?run under scripts/with-postgres.sh} ;;
  *) echo "usage: $0 WAKUNODE [sqlite|postgres]" >&2; exit 2 ;;
esac

wakunode_start A --store=true --store-message-db-url="$db_url"
wakunode_start B --staticnode="${WAKU_MA[A]}"
wait_relay_peers A 1 20
wait_relay_peers B 1 20

ct1=/store-test/1/one/proto
ct2=/store-test/1/two/proto
n=30
base=$(($(now_ns) - 5000000000))
declare -a ts ct hex hash
for i in $(seq 0 $((n - 1))); do
  ts[i]=$((base + i * 10000000 + 7))
  ct[i]=$ct1
  [ $((i % 6)) -eq 5 ] && ct[i]=$ct2
  hex[i]=$(printf 'store-semantics-%02d' "$i" | xxd -p -c 256)
done
ts[11]=${ts[10]}  # equal timestamps: the hash decides the order

# Publish in a scrambled order (7 is coprime with 30): even steps at A, odd ones at B. (Before
# computing the hashes: the timestamps must stay within the archive's 20 s window.)
for step in $(seq 0 $((n - 1))); do
  i=$(((step * 7) % n))
  if [ $((step % 2)) -eq 0 ]; then at=A; else at=B; fi
  publish_msg "$at" "${ct[i]}" "${hex[i]}" "${ts[i]}"
done
wait_store_count A $n 20
echo "semantics: $n messages archived at A ($driver)"
for i in $(seq 0 $((n - 1))); do hash[i]=$(ref_hash "${ct[i]}" "${hex[i]}" "${ts[i]}"); done

# Expected orders: all messages / per topic, ascending by (timestamp, hash).
expect_sorted() {  # [content topic]: hashes ascending, one per line
  for i in $(seq 0 $((n - 1))); do
    if [ -z "${1:-}" ] || [ "${ct[i]}" = "$1" ]; then
      printf '%020d %s\n' "${ts[i]}" "${hash[i]}"
    fi
  done | sort | cut -d' ' -f2
}
mapfile -t all_sorted < <(expect_sorted)
mapfile -t ct1_sorted < <(expect_sorted "$ct1")
mapfile -t ct2_sorted < <(expect_sorted "$ct2")
if [ ${#ct1_sorted[@]} -ne 25 ] || [ ${#ct2_sorted[@]} -ne 5 ]; then fail "set-up: topic split"; fi

peer_q="peerAddr=$(urlencode "${WAKU_MA[A]}")"

# ask WHO QUERY: the JSON body of a successful query, WHO = local (A) or remote (B -> A).
ask() {
  if [ "$1" = local ]; then store_ok A "$2"; else store_ok B "$2&$peer_q"; fi
}
# ask_code WHO QUERY: sets STORE_CODE (the HTTP status) and STORE_BODY.
ask_code() {
  if [ "$1" = local ]; then store_query A "$2"; else store_query B "$2&$peer_q"; fi
}
# refused WHO WHAT QUERY: the query must be answered with HTTP 400.
refused() {
  ask_code "$1" "$3"
  expect_eq "$1 $2: HTTP status ($STORE_BODY)" "$STORE_CODE" 400
}
hashes_of() { jq -r '[.messages[].messageHash] | join(" ")'; }
# pages WHO QUERY: one line per page (its hashes), following paginationCursor to the end.
pages() {
  if [ "$1" = local ]; then store_pages A "$2"; else store_pages B "$2&$peer_q"; fi
}
expect_eq() {  # what got want
  [ "$2" = "$3" ] || fail "$1: got [$2], want [$3]"
}

check_all() {
  local who=$1 body want i
  # 1. Everything, ascending, with data: order, content, and no cursor (nothing follows).
  body=$(ask "$who" "ascending=true&includeData=true&pageSize=100")
  expect_eq "$who ascending order" "$(hashes_of <<< "$body")" "${all_sorted[*]}"
  expect_eq "$who no cursor on the last page" \
    "$(jq -r '.paginationCursor // "none"' <<< "$body")" none
  local want_ts
  want_ts=$(for h in "${all_sorted[@]}"; do
    for i in $(seq 0 $((n - 1))); do if [ "${hash[i]}" = "$h" ]; then echo "${ts[i]}"; fi; done
  done | xargs)
  expect_eq "$who timestamps, exact" "$(raw_timestamps <<< "$body")" "$want_ts"
  for i in $(seq 0 $((n - 1))); do
    want=$(jq -cn --arg h "${hash[i]}" --arg t "$TOPIC" --arg c "${ct[i]}" \
      --arg p "$(xxd -r -p <<< "${hex[i]}" | base64 -w0)" '{h:$h, t:$t, c:$c, p:$p}')
    expect_eq "$who message $i" "$(jq -c --arg h "${hash[i]}" '.messages[] |
      select(.messageHash == $h) | {h:.messageHash, t:.pubsubTopic, c:.message.contentTopic,
      p:.message.payload}' <<< "$body")" "$want"
  done

  # 2. Forward pagination over topic one, 7 a page: 7 7 7 4, concatenation ascending.
  local q1
  q1="contentTopics=$(urlencode "$ct1")&pubsubTopic=$(urlencode "$TOPIC")"
  mapfile -t got < <(pages "$who" "$q1&ascending=true&pageSize=7")
  expect_eq "$who forward page sizes" "$(for p in "${got[@]}"; do wc -w <<< "$p"; done | xargs)" \
    "7 7 7 4"
  expect_eq "$who forward pages" "${got[*]}" "${ct1_sorted[*]}"
  # An exact multiple: 5 pages of 5, the last without a cursor (store_pages stops there).
  mapfile -t got < <(pages "$who" "$q1&ascending=true&pageSize=5")
  expect_eq "$who forward exact pages" "${#got[@]}" 5
  expect_eq "$who forward exact content" "${got[*]}" "${ct1_sorted[*]}"

  # 3. Backward: newest page first, each page itself ascending.
  mapfile -t got < <(pages "$who" "$q1&ascending=false&pageSize=7")
  expect_eq "$who backward page sizes" "$(for p in "${got[@]}"; do wc -w <<< "$p"; done | xargs)" \
    "7 7 7 4"
  expect_eq "$who backward first page" "${got[0]}" "${ct1_sorted[*]:18:7}"
  expect_eq "$who backward last page" "${got[3]}" "${ct1_sorted[*]:0:4}"
  local reversed=""
  for ((i = ${#got[@]} - 1; i >= 0; i--)); do reversed+="${reversed:+ }${got[i]}"; done
  expect_eq "$who backward pages" "$reversed" "${ct1_sorted[*]}"
  # Forward is the default (nwaku's REST), and an empty value is no value.
  mapfile -t got < <(pages "$who" "$q1&pageSize=7&ascending=")
  expect_eq "$who forward by default" "${got[0]}" "${ct1_sorted[*]:0:7}"
  expect_eq "$who hashes only by default" "$(ask "$who" "$q1&pageSize=1" | jq -c '.messages[0] | keys')" \
    '["messageHash"]'

  # 4. Page size: absent or 0 means 20, with a cursor since 10 more follow.
  body=$(ask "$who" "ascending=true")
  expect_eq "$who default page" "$(hashes_of <<< "$body")" "${all_sorted[*]:0:20}"
  expect_eq "$who default page cursor" "$(jq -r '.paginationCursor // "none"' <<< "$body")" \
    "${all_sorted[19]}"
  body=$(ask "$who" "ascending=true&pageSize=0")
  expect_eq "$who pageSize=0" "$(hashes_of <<< "$body")" "${all_sorted[*]:0:20}"

  # 5. Time bounds, inclusive at both ends (nwaku). Messages 10 and 11 share a timestamp.
  local want_range
  want_range=$(for i in $(seq 0 $((n - 1))); do
    if [ "${ts[i]}" -ge "${ts[5]}" ] && [ "${ts[i]}" -le "${ts[14]}" ]; then
      printf '%020d %s\n' "${ts[i]}" "${hash[i]}"
    fi
  done | sort | cut -d' ' -f2 | xargs)
  body=$(ask "$who" "startTime=${ts[5]}&endTime=${ts[14]}&ascending=true&pageSize=100")
  expect_eq "$who time range" "$(hashes_of <<< "$body")" "$want_range"
  expect_eq "$who time range size" "$(wc -w <<< "$want_range")" 10
  body=$(ask "$who" "startTime=${ts[10]}&endTime=${ts[10]}&pageSize=100")
  expect_eq "$who one instant" "$(hashes_of <<< "$body")" \
    "$(printf '%s\n' "${hash[10]}" "${hash[11]}" | sort | xargs)"
  body=$(ask "$who" "startTime=$((ts[27] + 1))&ascending=true&pageSize=100")
  expect_eq "$who startTime only" "$(hashes_of <<< "$body")" "${all_sorted[*]:28:2}"
  body=$(ask "$who" "endTime=$((ts[2] - 1))&ascending=true&pageSize=100")
  expect_eq "$who endTime only" "$(hashes_of <<< "$body")" "${all_sorted[*]:0:2}"
  body=$(ask "$who" "startTime=${ts[20]}&endTime=${ts[19]}")
  expect_eq "$who empty range" "$(hashes_of <<< "$body")" ""

  # 6. Topic filters.
  body=$(ask "$who" "contentTopics=$(urlencode "$ct2")&ascending=true")
  expect_eq "$who content topic two" "$(hashes_of <<< "$body")" "${ct2_sorted[*]}"
  body=$(ask "$who" "contentTopics=$(urlencode "$ct2,$ct1")&ascending=true&pageSize=100")
  expect_eq "$who both content topics" "$(hashes_of <<< "$body")" "${all_sorted[*]}"
  body=$(ask "$who" "pubsubTopic=$(urlencode /waku/2/rs/16/33)")
  expect_eq "$who other shard" "$(hashes_of <<< "$body")" ""
  body=$(ask "$who" "contentTopics=$(urlencode /store-test/1/none/proto)")
  expect_eq "$who unknown content topic" "$(hashes_of <<< "$body")" ""

  # 7. Hash look-ups (one unknown hash), ascending whatever the order asked; with data, then
  # hashes only.
  local unknown
  unknown=0x$(printf '11%.0s' {1..32})
  body=$(ask "$who" "hashes=${hash[17]},$unknown,${hash[3]}&includeData=true&pageSize=100")
  expect_eq "$who hash look-up" "$(hashes_of <<< "$body")" \
    "$(printf '%s\n' "${ts[3]} ${hash[3]}" "${ts[17]} ${hash[17]}" | sort | cut -d' ' -f2 | xargs)"
  expect_eq "$who hash look-up data" "$(jq -r '.messages[0].message.contentTopic' <<< "$body")" \
    "${ct[3]}"
  body=$(ask "$who" "hashes=${hash[17]}&includeData=false")
  expect_eq "$who includeData=false" "$(jq -c '.messages' <<< "$body")" \
    "[{\"messageHash\":\"${hash[17]}\"}]"

  # 8. Refused requests: HTTP 400 (and statusCode 400 where the store answers).
  refused "$who" "hashes with topics" "hashes=${hash[1]}&contentTopics=$(urlencode "$ct1")"
  expect_eq "$who hashes with topics: statusCode" "$(jq -r .statusCode <<< "$STORE_BODY")" 400
  refused "$who" "hashes with a time range" "hashes=${hash[1]}&startTime=${ts[0]}"
  refused "$who" "all-zero cursor" "cursor=0x$(printf '00%.0s' {1..32})"
  refused "$who" "malformed cursor" "cursor=0xnothex"
  refused "$who" "short hash" "hashes=0x1234"
  refused "$who" "bad ascending" "ascending=sometimes"
  refused "$who" "negative pageSize" "pageSize=-1"
  refused "$who" "unknown parameter" "colour=blue"
  # A well-formed cursor the archive does not know: nwaku's archive error, 300 (HTTP 500).
  ask_code "$who" "cursor=$unknown&contentTopics=$(urlencode "$ct1")"
  expect_eq "$who unknown cursor: HTTP status" "$STORE_CODE" 500
  expect_eq "$who unknown cursor: statusCode" "$(jq -r .statusCode <<< "$STORE_BODY")" 300
  echo "semantics: $who ok"
}

check_all local
check_all remote

# The remote answer is A's: the same JSON but for requestId.
q="contentTopics=$(urlencode "$ct1")&pageSize=9&ascending=true"
expect_eq "local and remote agree" "$(ask local "$q" | jq -c 'del(.requestId)')" \
  "$(ask remote "$q" | jq -c 'del(.requestId)')"

# peerAddr naming a node that is not there: a dial failure (504) as soon as the connection is
# refused, not at the node's 5 s deadline.
closed_port=$((20000 + RANDOM % 40000))
while (exec 3<> "/dev/tcp/127.0.0.1/$closed_port") 2> /dev/null; do
  closed_port=$((closed_port + 1))
done
t0=$SECONDS
# (A peer id that is connected would be reused whatever the address: use one that is not.)
absent_id=16Uiu2HAmHzBkRq62mG95vsjKMuYQBezZCtjPXYWUoyVxMxi71aB3  # key 11 x 32
store_query B "peerAddr=$(urlencode "/ip4/127.0.0.1/tcp/$closed_port/p2p/$absent_id")"
expect_eq "peerAddr of a node that is not there: HTTP status ($STORE_BODY)" "$STORE_CODE" 504
case $STORE_BODY in
  *"cannot reach the store peer"*) ;;
  *) fail "peerAddr of a node that is not there: answered by the deadline, not the dial ($STORE_BODY)" ;;
esac
[ $((SECONDS - t0)) -le 7 ] || fail "the failed remote query took $((SECONDS - t0)) s"
echo "semantics: peerAddr of an absent node: 504 after $((SECONDS - t0)) s"

# peerAddr without /p2p/<id> is refused before any dial.
store_query B "peerAddr=$(urlencode "${WAKU_MA[A]%/p2p/*}")"
expect_eq "peerAddr without /p2p: HTTP status" "$STORE_CODE" 400

# js-waku 0.0.36 sends the pubsub topic along with the hashes of a hash look-up (nwaku ANDs the
# two); it must be answered, not refused as a mixed query.
for who in local remote; do
  body=$(ask "$who" "hashes=${hash[3]},${hash[17]}&pubsubTopic=$(urlencode "$TOPIC")")
  expect_eq "$who hashes with their pubsub topic" "$(hashes_of <<< "$body")" \
    "$(printf '%s\n' "${ts[3]} ${hash[3]}" "${ts[17]} ${hash[17]}" | sort | cut -d' ' -f2 | xargs)"
done

echo "semantics: ok ($driver; $STORE_429 queries were rate-limited and retried)"
