#!/usr/bin/env bash
# Crash safety of the archive: a store node killed with SIGKILL while messages stream in, then
# restarted on the same database, still has every message it had committed, opens the archive
# without error, answers queries and archives again.
#
#   tests/store/crash_test.sh WAKUNODE [sqlite|postgres] [CYCLES]
#   (postgres: under scripts/with-postgres.sh, which sets WAKU_TEST_POSTGRES_URL)
#
# Relay node P publishes a steady stream (one message every ~20 ms, REST) to store node S (same
# node key every start, --staticnode P). "Committed" is what we can observe from outside: a
# message that a store query answered before the kill was read from the database, so its
# transaction had committed (SQLite WAL with synchronous=FULL, PostgreSQL commit). Per cycle:
# snapshots of S's hashes every ~0.2 s, SIGKILL right after the last one (writes are batched
# every 100 ms, so a batch is usually being written), then:
#   - SQLite: a copy of the files as the kill left them (db, -wal, -shm) passes PRAGMA
#     integrity_check and holds every snapshot hash;
#   - S restarts without error and its queries answer every hash any snapshot saw (so the count
#     is >= the last count seen), and the archive keeps growing once P feeds S again.
# At the end, with the stream stopped: the count over REST equals the count in the database
# (sqlite3 / psql), and no hash is listed twice.
set -euo pipefail
WAKUNODE=${1:-${WAKUNODE:-}}
driver=${2:-sqlite}
cycles=${3:-3}
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
store_init

case $driver in
  sqlite)
    db_file=$WORK/s.sqlite3
    db_url=sqlite://$db_file
    command -v sqlite3 > /dev/null || { echo "crash_test: sqlite3 not found" >&2; exit 2; }
    ;;
  postgres)
    db_url=${WAKU_TEST_POSTGRES_URL:?run under scripts/with-postgres.sh}
    command -v psql > /dev/null || { echo "crash_test: psql not found" >&2; exit 2; }
    ;;
  *) echo "usage: $0 WAKUNODE [sqlite|postgres] [CYCLES]" >&2; exit 2 ;;
esac

ct=/store-test/1/crash/proto
ct_q="contentTopics=$(urlencode "$ct")"
key_s=$(printf '5a%.0s' {1..32})

wakunode_start P
start_store() {  # NAME
  wakunode_start "$1" --store=true --store-message-db-url="$db_url" --nodekey="$key_s" \
    --staticnode="${WAKU_MA[P]}"
  grep -q 'store: archive .* open' "$WORK/$1.err" || fail "$1 did not report its archive open"
  if grep -Ei '(store|archive|sqlite|postgres).*(error|corrupt|malformed|fail)' "$WORK/$1.err"; then
    fail "$1 logged an archive error"
  fi
  wait_relay_peers "$1" 1 20
}
start_store S0

# The stream: P publishes until $WORK/stop exists (at most 90 s). A refused publish (S is down,
# P has no peer) is skipped; accepted ones are listed with their timestamps.
stream() {
  local k=0 ts hex body code
  local deadline=$((SECONDS + 90))
  while [ ! -e "$WORK/stop" ] && [ $SECONDS -lt $deadline ]; do
    ts=$(now_ns)
    hex=$(printf 'crash-%06d' "$k" | xxd -p -c 256)
    body=$(printf '{"payload":"%s","contentTopic":"%s","timestamp":%s}' \
      "$(xxd -r -p <<< "$hex" | base64 -w0)" "$ct" "$ts")
    code=$(curl -sS --max-time 2 -o /dev/null -w '%{http_code}' -X POST \
      -H 'content-type: application/json' -d "$body" \
      "${WAKU_REST[P]}/relay/v1/messages/$TOPIC_URL" 2> /dev/null || echo 000)
    [ "$code" != 200 ] || echo "$k $ts $hex" >> "$WORK/published.txt"
    k=$((k + 1))
    sleep 0.02
  done
}
stream &
INTEROP_PIDS[stream]=$!  # the EXIT trap kills it if we fail first
stop_stream() {
  touch "$WORK/stop"
  wait "${INTEROP_PIDS[stream]}" 2> /dev/null || true
  unset "INTEROP_PIDS[stream]"
}

seen=$WORK/seen.txt  # every hash any query answered before a kill
: > "$seen"
name=S0
for cycle in $(seq 1 "$cycles"); do
  # Let the stream run 1.5-2.5 s with snapshots, then kill right after the last one.
  until_t=$((SECONDS + 2))
  snapshots=0
  while [ $SECONDS -lt $until_t ] || [ $snapshots -lt 5 ]; do
    store_all_hashes "$name" "$ct_q" > "$WORK/snapshot.txt"
    sort -u -o "$seen" "$seen" "$WORK/snapshot.txt"
    snapshots=$((snapshots + 1))
    sleep 0.$((RANDOM % 3))
  done
  last=$(wc -l < "$WORK/snapshot.txt")
  [ "$last" -gt 0 ] || fail "cycle $cycle: $name archived nothing from the stream"
  kill -9 "${INTEROP_PIDS[$name]}"
  wait "${INTEROP_PIDS[$name]}" 2> /dev/null || true
  unset "INTEROP_PIDS[$name]"

  if [ "$driver" = sqlite ]; then
    # The files exactly as the kill left them, checked on a copy (the node will reopen the
    # originals).
    rm -rf "$WORK/copy" && mkdir "$WORK/copy"
    cp "$db_file"* "$WORK/copy/"
    check=$(sqlite3 "$WORK/copy/s.sqlite3" 'PRAGMA integrity_check' 2>&1)
    [ "$check" = ok ] || fail "cycle $cycle: integrity_check after SIGKILL: $check"
    sqlite3 "$WORK/copy/s.sqlite3" "SELECT '0x' || lower(hex(hash)) FROM messages" |
      sort > "$WORK/copy/hashes.txt"
    missing=$(comm -23 "$seen" "$WORK/copy/hashes.txt" | wc -l)
    [ "$missing" = 0 ] || fail "cycle $cycle: $missing answered messages missing from the files"
  fi

  name=S$cycle
  start_store "$name"
  store_all_hashes "$name" "$ct_q" > "$WORK/after.txt"
  after=$(wc -l < "$WORK/after.txt")
  missing=$(sort "$WORK/after.txt" | comm -23 "$seen" - | wc -l)
  [ "$missing" = 0 ] ||
    fail "cycle $cycle: $missing messages answered before the kill are gone after the restart"
  [ "$after" -ge "$last" ] || fail "cycle $cycle: $after messages after the restart, $last before"
  # Archiving resumes: the count grows once P feeds the restarted node.
  wait_store_count "$name" $((after + 5)) 15 "$ct_q"
  echo "crash ($driver) cycle $cycle: last answer before SIGKILL $last messages," \
    "after restart $after, all $(wc -l < "$seen") ever answered still there"
done

stop_stream
sleep 0.5  # the last batch (100 ms) commits
store_all_hashes "$name" "$ct_q" > "$WORK/final.txt"
final=$(wc -l < "$WORK/final.txt")
[ "$(sort -u "$WORK/final.txt" | wc -l)" = "$final" ] || fail "a hash is listed twice"
if [ "$driver" = sqlite ]; then
  in_db=$(sqlite3 "$db_file" "SELECT count(*) FROM messages WHERE content_topic = '$ct'")
else
  in_db=$(psql "$db_url" -qAtc "SELECT count(*) FROM waku_archive.messages
                                 WHERE content_topic = convert_to('$ct', 'UTF8')")
fi
[ "$in_db" = "$final" ] || fail "REST lists $final messages, the database holds $in_db"
for log in "$WORK"/S*.err; do
  if grep -q 'archive write failed' "$log"; then fail "$(grep -m3 'archive write failed' "$log")"; fi
done
published=$(wc -l < "$WORK/published.txt")
echo "crash ($driver): ok, $cycles kills; $published published, $final archived at the end"
