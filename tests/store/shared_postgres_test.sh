#!/usr/bin/env bash
# Two store nodes sharing one PostgreSQL database archive the same relayed messages; each message
# is stored once. Run under scripts/with-postgres.sh (WAKU_TEST_POSTGRES_URL):
#   scripts/with-postgres.sh tests/store/shared_postgres_test.sh WAKUNODE
#
# Store nodes A and B (same --store-message-db-url) and relay node C form a triangle. 60 messages
# are published concurrently, 20 at each of A, B and C, so both archivers write overlapping
# batches in different orders at the same time. To show that both nodes really wrote every
# message (not that one wrote and the other only reads the shared table), the nodes connect with
# PGAPPNAME=store-a / store-b, and a BEFORE INSERT trigger (row triggers fire for every proposed
# row, also those ON CONFLICT DO NOTHING then skips) logs each attempt with its application_name.
# Checked: the table holds exactly the 60 expected hashes (psql); each node attempted each of the
# 60; the REST of A and of B each list each message exactly once; no node logged a failed write.
set -euo pipefail
WAKUNODE=${1:-${WAKUNODE:-}}
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
db=${WAKU_TEST_POSTGRES_URL:?run under scripts/with-postgres.sh}
command -v psql > /dev/null || { echo "shared_postgres: psql not found" >&2; exit 2; }
store_init
sql() { psql "$db" -v ON_ERROR_STOP=1 -qAtc "$1"; }

export PGAPPNAME=store-a
wakunode_start A --store=true --store-message-db-url="$db"
# A has created the schema: count every row proposed for insertion, by connection name.
sql "CREATE TABLE public.insert_attempts (app text NOT NULL, hash bytea NOT NULL);
CREATE FUNCTION public.log_insert_attempt() RETURNS trigger LANGUAGE plpgsql AS \$\$
BEGIN
  INSERT INTO public.insert_attempts VALUES (current_setting('application_name'), NEW.hash);
  RETURN NEW;
END \$\$;
CREATE TRIGGER log_insert_attempt BEFORE INSERT ON waku_archive.messages
  FOR EACH ROW EXECUTE FUNCTION public.log_insert_attempt();"
export PGAPPNAME=store-b
wakunode_start B --store=true --store-message-db-url="$db" --staticnode="${WAKU_MA[A]}"
unset PGAPPNAME
wakunode_start C --staticnode="${WAKU_MA[A]}" --staticnode="${WAKU_MA[B]}"
for x in A B C; do wait_relay_peers "$x" 2 20; done
# Both nodes' archive connections are up (they connect at start-up).
[ "$(sql "SELECT count(DISTINCT application_name) FROM pg_stat_activity
          WHERE application_name IN ('store-a', 'store-b')")" = 2 ] ||
  fail "store-a, store-b not both connected: $(sql 'SELECT application_name FROM pg_stat_activity')"

per_node=${STORE_SHARED_PER_NODE:-20}  # messages published at each node (raise it to stress)
n=$((3 * per_node))
ct=/store-test/1/shared/proto
base=$(($(now_ns) - 2000000000))
expected=$WORK/expected.txt
: > "$expected"
publisher() {  # NAME INDEX0: publishes per_node messages, as fast as REST takes them
  local name=$1 first=$2 i t h
  for i in $(seq "$first" $((first + per_node - 1))); do
    t=$((base + i * 1000003))
    h=$(printf 'shared-%03d' "$i" | xxd -p -c 256)
    publish_msg "$name" "$ct" "$h" "$t"
  done
}
# (Registered as peers so that the EXIT trap kills them if we fail first.)
for x in A B C; do
  first=$(($(printf '%d' "'$x") - 65))
  publisher "$x" $((first * per_node)) &
  INTEROP_PIDS[pub$x]=$!
done
for x in A B C; do
  wait "${INTEROP_PIDS[pub$x]}" || fail "publishing at $x failed"
  unset "INTEROP_PIDS[pub$x]"
done

# (Hashes only now: the timestamps must stay within the archive's 20 s window while publishing.)
for x in A B C; do
  first=$(($(printf '%d' "'$x") - 65))
  for i in $(seq $((first * per_node)) $((first * per_node + per_node - 1))); do
    ref_hash "$ct" "$(printf 'shared-%03d' "$i" | xxd -p -c 256)" $((base + i * 1000003))
  done | sort > "$WORK/expected-$x.txt"
done
sort -m "$WORK"/expected-[ABC].txt > "$expected"
wait_store_count A $n 20
wait_store_count B $n 20
# The slower archiver may still be writing: wait (bounded) until both have tried all n.
deadline=$((SECONDS + 10))
attempts() { sql "SELECT count(DISTINCT hash) FROM public.insert_attempts WHERE app = '$1'"; }
until [ "$(attempts store-a)" -ge $n ] && [ "$(attempts store-b)" -ge $n ]; do
  [ $SECONDS -lt $deadline ] ||
    fail "insert attempts: store-a $(attempts store-a), store-b $(attempts store-b), want $n each"
  sleep 0.3
done

rows=$(sql "SELECT count(*) FROM waku_archive.messages")
[ "$rows" = $n ] || fail "the shared table has $rows rows, want $n"
sql "SELECT '0x' || encode(hash, 'hex') FROM waku_archive.messages ORDER BY 1" > "$WORK/table.txt"
cmp -s "$WORK/table.txt" "$expected" ||
  fail "table hashes differ from the published ones: $(diff "$WORK/table.txt" "$expected" | head)"
for app in store-a store-b; do
  sql "SELECT DISTINCT '0x' || encode(hash, 'hex') FROM public.insert_attempts
       WHERE app = '$app' ORDER BY 1" > "$WORK/$app.txt"
  cmp -s "$WORK/$app.txt" "$expected" || fail "$app did not attempt exactly the published messages"
done
for x in A B; do
  store_all_hashes "$x" "contentTopics=$(urlencode "$ct")" > "$WORK/rest-$x.txt"
  listed=$(wc -l < "$WORK/rest-$x.txt")
  [ "$listed" = $n ] || fail "REST of $x lists $listed messages, not $n"
  sort "$WORK/rest-$x.txt" | cmp -s - "$expected" || fail "REST of $x lists other messages"
  if grep -q 'archive write failed' "$WORK/$x.err"; then
    fail "$x: $(grep -m3 'archive write failed' "$WORK/$x.err")"
  fi
done
total_a=$(sql "SELECT count(*) FROM public.insert_attempts WHERE app = 'store-a'")
total_b=$(sql "SELECT count(*) FROM public.insert_attempts WHERE app = 'store-b'")
# Each node should try each message once. Until node.cpp stops archiving its own publications
# twice (Node::publish and the router's delivery event both call archive), own publications show
# two attempts: say so, but fail only beyond that.
for app in store-a store-b; do
  twice=$(sql "SELECT count(*) FROM (SELECT hash FROM public.insert_attempts WHERE app = '$app'
               GROUP BY hash HAVING count(*) > 1) AS t")
  [ "$twice" = 0 ] || echo "shared_postgres: note: $app wrote $twice messages twice"
  [ "$(sql "SELECT count(*) FROM public.insert_attempts WHERE app = '$app'")" -le $((2 * n)) ] ||
    fail "$app tried some messages more than twice"
done
echo "shared_postgres: ok ($n messages, $rows rows; insert attempts store-a $total_a," \
  "store-b $total_b)"
