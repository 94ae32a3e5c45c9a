# shellcheck shell=bash disable=SC2034  # variables are for the sourcing script
# Helpers for the store tests (source it after setting WAKUNODE): the process handling of
# tests/interop/lib.sh (start_peer, wait_line_in, wakunode_start, the EXIT trap that kills every
# child, WORK), plus publishing over REST, store queries over REST (GET /store/v3/messages), and
# the reference hash of a published message from `wakunode hash`.
#
#   source tests/store/lib.sh; store_init
#   wakunode_start S --store=true --store-message-db-url=sqlite://$WORK/s.db
#   wakunode_start P --staticnode="${WAKU_MA[S]}"
#   publish_msg P /test/1/a/proto 0x0102 1712345678000000123     # retries until accepted
#   store_query S 'pageSize=100&ascending=true'         # sets STORE_CODE (HTTP) and STORE_BODY
#   store_all_hashes S 'contentTopics=...'                        # all hashes, ascending, 1 a line
# jq 1.6 reads numbers as doubles: never let it touch a nanosecond timestamp (raw_timestamps).
# Every wait is bounded; a failed check calls fail, which exits non-zero (the trap prints logs).

STORE_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=../interop/lib.sh
source "$STORE_DIR/../interop/lib.sh"

TOPIC=/waku/2/rs/16/32
TOPIC_URL=%2Fwaku%2F2%2Frs%2F16%2F32

store_init() {
  : "${WAKUNODE:?set WAKUNODE to the wakunode binary}"
  [ -x "$WAKUNODE" ] || { echo "store test: $WAKUNODE is not executable" >&2; exit 2; }
  interop_init
  STORE_429=0
}

fail() {
  echo "FAIL: $*" >&2
  INTEROP_FAILED=1
  exit 1
}

now_ns() { date +%s%N; }

# urlencode TEXT: percent-encodes everything but unreserved characters.
urlencode() { jq -rn --arg v "$1" '$v|@uri'; }

# publish_msg NAME CONTENT_TOPIC PAYLOAD_HEX TIMESTAMP_NS [DEADLINE_S]: POST /relay/v1/messages at
# wakunode NAME, retried (bounded) while the node refuses it (no relay peer yet).
publish_msg() {
  local name=$1 ct=$2 hex=${3#0x} ts=$4 limit=${5:-20} body code
  local b64
  b64=$(printf '%s' "$hex" | xxd -r -p | base64 -w0)
  # Not through jq: jq 1.6 keeps numbers as doubles, which would round a nanosecond timestamp.
  body=$(printf '{"payload":"%s","contentTopic":"%s","timestamp":%s}' "$b64" "$ct" "$ts")
  local deadline=$((SECONDS + limit))
  while :; do
    code=$(curl -sS --max-time 5 -o "$WORK/publish-$name.out" -w '%{http_code}' -X POST \
      -H 'content-type: application/json' -d "$body" \
      "${WAKU_REST[$name]}/relay/v1/messages/$TOPIC_URL" 2> /dev/null || echo 000)
    [ "$code" = 200 ] && return 0
    [ $SECONDS -ge $deadline ] &&
      fail "publish at $name refused for $limit s (HTTP $code: $(cat "$WORK/publish-$name.out"))"
    sleep 0.3
  done
}

# ref_hash CONTENT_TOPIC PAYLOAD_HEX TIMESTAMP_NS: 0x + `wakunode hash` of a message on $TOPIC.
ref_hash() {
  echo "0x$("$WAKUNODE" hash --pubsub-topic "$TOPIC" --content-topic "$1" --payload-hex "$2" \
    --timestamp "$3" --json | jq -r .message_hash)"
}

# store_query NAME QUERY: GET /store/v3/messages?QUERY at wakunode NAME. Sets STORE_CODE (the
# HTTP status) and STORE_BODY (call it directly, not in $(...), to see them). A 429 (the store
# rate limit also covers the node's own REST queries) is retried after a pause and counted in
# STORE_429.
store_query() {
  local name=$1 query=$2 code tries=0
  STORE_BODY='' STORE_CODE=
  while :; do
    # The status on a last line of its own: no shared file, so queries may run in parallel.
    STORE_BODY=$(curl -sS --max-time 10 -w '\n%{http_code}' \
      "${WAKU_REST[$name]}/store/v3/messages?$query" 2> /dev/null || echo 000)
    code=${STORE_BODY##*$'\n'}
    STORE_BODY=${STORE_BODY%$'\n'*}
    [ "$code" != "$STORE_BODY" ] || STORE_BODY=
    if [ "$code" = 429 ] ||
      { [ "$code" = 200 ] && [ "$(jq -r .statusCode <<< "$STORE_BODY")" = 429 ]; }; then
      STORE_429=$((STORE_429 + 1))
      tries=$((tries + 1))
      [ $tries -lt 20 ] || { STORE_CODE=$code; return 0; }
      sleep 0.5
      continue
    fi
    STORE_CODE=$code
    return 0
  done
}

# raw_timestamps: the message timestamps of a store answer (stdin), in order, exact (not via jq).
raw_timestamps() { grep -o '"timestamp":[0-9-]*' | cut -d: -f2 | xargs; }

# store_ok NAME QUERY: store_query that must answer HTTP 200 and statusCode 200; body on stdout.
store_ok() {
  store_query "$1" "$2"
  [ "$STORE_CODE" = 200 ] || fail "store query '$2' at $1: HTTP $STORE_CODE: $STORE_BODY"
  [ "$(jq -r .statusCode <<< "$STORE_BODY")" = 200 ] ||
    fail "store query '$2' at $1: statusCode not 200: $STORE_BODY"
  printf '%s\n' "$STORE_BODY"
}

# store_pages NAME QUERY: follows paginationCursor from QUERY to the end (at most 200 pages);
# prints one line per page: the page's hashes, space-separated, in the order received.
store_pages() {
  local name=$1 query=$2 cursor='' body n=0
  while :; do
    local q=$query
    [ -z "$cursor" ] || q="$q&cursor=$cursor"
    body=$(store_ok "$name" "$q") || exit 1
    jq -r '[.messages[].messageHash] | join(" ")' <<< "$body"
    cursor=$(jq -r '.paginationCursor // empty' <<< "$body")
    [ -n "$cursor" ] || return 0
    n=$((n + 1))
    [ $n -lt 200 ] || fail "store query '$query' at $name: more than 200 pages"
  done
}

# store_all_hashes NAME [QUERY]: every hash matching QUERY, ascending, one per line.
store_all_hashes() {
  store_pages "$1" "${2:+$2&}ascending=true&includeData=false&pageSize=100" | tr ' ' '\n' |
    sed '/^$/d'
}

# wait_store_count NAME N TIMEOUT_S [QUERY]: waits until NAME's store holds >= N matching messages.
wait_store_count() {
  local name=$1 n=$2 timeout=$3 query=${4:-} have=0
  local deadline=$((SECONDS + timeout))
  while :; do
    have=$(store_all_hashes "$name" "$query" | wc -l)
    [ "$have" -ge "$n" ] && return 0
    [ $SECONDS -ge $deadline ] &&
      fail "$name stores $have messages (${query:-all}), not $n, after $timeout s"
    sleep 0.3
  done
}
