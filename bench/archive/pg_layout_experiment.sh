#!/usr/bin/env bash
# The table-layout experiment behind src/archive/postgres/postgres_driver.cpp's schema:
#   scripts/with-postgres.sh bench/archive/pg_layout_experiment.sh [ROWS]
# Loads ROWS (default 1M) messages of 2 KiB (random, incompressible payloads; 8 shards, 500
# content topics with a skewed popularity; timestamps spread over 48 h, nearly in order as a live
# node receives them) into four layouts and prints, per layout: load time, table and index sizes,
# mean latency (pgbench) of typical store queries, and the cost of a 1-hour retention step.
#   btree      PK (timestamp, hash), B-tree (pubsub, content, timestamp, hash), B-tree (hash)
#   btree_ids  the same with topics interned as integer ids instead of text
#   brin       PK (timestamp, hash), BRIN (timestamp), B-tree (hash): no topic index
#   part_1h    btree, range-partitioned by timestamp in 1-hour partitions (nwaku's layout)
set -euo pipefail
rows=${1:-1000000}
psql=(/usr/lib/postgresql/15/bin/psql "$WAKU_TEST_POSTGRES_URL" -v ON_ERROR_STOP=1 -q)
pgbench=/usr/lib/postgresql/15/bin/pgbench
hour=3600000000000
t0=1700000000000000000
span=$((48 * hour))
now=$((t0 + span))

"${psql[@]}" <<SQL
CREATE EXTENSION IF NOT EXISTS pgcrypto;
DROP TABLE IF EXISTS src;
CREATE UNLOGGED TABLE src AS
SELECT $t0 + (i::bigint * ($span / $rows)) + (random() * 20e9)::bigint AS ts,
       digest(i::text, 'sha256') AS hash,
       '/waku/2/rs/16/' || (i % 8) AS pubsub,
       '/app-' || c || '/1/chat-' || c || '/proto' AS content,
       c AS content_id, (i % 8) AS pubsub_id,
       gen_random_bytes(1024) || gen_random_bytes(1024) AS payload
FROM (SELECT i, floor(500 * power(random(), 3))::int AS c FROM generate_series(1, $rows) i) g;
SQL
echo "source rows generated"

make_btree() { # $1 table name, $2 "PARTITION BY ..." or ""
  "${psql[@]}" -c "CREATE TABLE $1 (ts bigint NOT NULL, hash bytea NOT NULL,
      pubsub text COLLATE \"C\" NOT NULL, content text COLLATE \"C\" NOT NULL,
      payload bytea NOT NULL, version integer, meta bytea, PRIMARY KEY (ts, hash)) $2;
    CREATE INDEX ${1}_topic ON $1 (pubsub, content, ts, hash);
    CREATE INDEX ${1}_hash ON $1 (hash);"
}
make_btree btree ""
"${psql[@]}" -c "CREATE TABLE btree_ids (ts bigint NOT NULL, hash bytea NOT NULL,
    pubsub int NOT NULL, content int NOT NULL, payload bytea NOT NULL, version integer,
    meta bytea, PRIMARY KEY (ts, hash));
  CREATE INDEX btree_ids_topic ON btree_ids (pubsub, content, ts, hash);
  CREATE INDEX btree_ids_hash ON btree_ids (hash);"
"${psql[@]}" -c "CREATE TABLE brin (ts bigint NOT NULL, hash bytea NOT NULL,
    pubsub text COLLATE \"C\" NOT NULL, content text COLLATE \"C\" NOT NULL,
    payload bytea NOT NULL, version integer, meta bytea, PRIMARY KEY (ts, hash));
  CREATE INDEX brin_ts ON brin USING brin (ts);
  CREATE INDEX brin_hash ON brin (hash);"
make_btree part_1h "PARTITION BY RANGE (ts)"
for h in $(seq 0 49); do
  "${psql[@]}" -c "CREATE TABLE part_1h_$h PARTITION OF part_1h FOR VALUES FROM
    ($((t0 + h * hour))) TO ($((t0 + (h + 1) * hour)));"
done

for t in btree brin part_1h; do
  start=$(date +%s.%N)
  "${psql[@]}" -c "INSERT INTO $t SELECT ts, hash, pubsub, content, payload, 0, NULL FROM src
                   ORDER BY ts ON CONFLICT DO NOTHING; ANALYZE $t;"
  echo "$t load_s $(echo "$(date +%s.%N) - $start" | bc)"
done
start=$(date +%s.%N)
"${psql[@]}" -c "INSERT INTO btree_ids SELECT ts, hash, pubsub_id, content_id, payload, 0, NULL
                 FROM src ORDER BY ts ON CONFLICT DO NOTHING; ANALYZE btree_ids;"
echo "btree_ids load_s $(echo "$(date +%s.%N) - $start" | bc)"

"${psql[@]}" -c "CHECKPOINT"
"${psql[@]}" -c "
SELECT t AS layout,
  pg_size_pretty(sum(pg_table_size(c))) AS heap_toast,
  pg_size_pretty(sum(pg_indexes_size(c))) AS indexes,
  sum(pg_total_relation_size(c)) / $rows AS bytes_per_row
FROM (SELECT 'btree' t, 'btree'::regclass c UNION ALL SELECT 'btree_ids', 'btree_ids'::regclass
      UNION ALL SELECT 'brin', 'brin'::regclass
      UNION ALL SELECT 'part_1h', inhrelid::regclass FROM pg_inherits
                WHERE inhparent = 'part_1h'::regclass) x GROUP BY t ORDER BY t;
SELECT indexrelid::regclass, pg_size_pretty(pg_relation_size(indexrelid)) FROM pg_index
WHERE indrelid IN ('btree'::regclass, 'btree_ids'::regclass, 'brin'::regclass);"

bench() { # $1 label, $2 sql (pgbench script)
  printf '%s\n' "$2" >"$TMPDIR_EXP/q.sql"
  local lat
  lat=$("$pgbench" -n -T 5 -c 1 -f "$TMPDIR_EXP/q.sql" "$WAKU_TEST_POSTGRES_URL" 2>/dev/null |
        awk '/latency average/ {print $4}')
  printf '%-10s %-34s %8s ms\n' "$3" "$1" "$lat"
}
TMPDIR_EXP=$(mktemp -d)
trap 'rm -rf "$TMPDIR_EXP"' EXIT
for t in btree brin part_1h btree_ids; do
  if [ "$t" = btree_ids ]; then ps=":s"; ct=":c"; ct10="SELECT generate_series(:c, :c + 9)"
  else ps="'/waku/2/rs/16/' || :s"; ct="'/app-' || :c || '/1/chat-' || :c || '/proto'"
       ct10="SELECT '/app-' || g || '/1/chat-' || g || '/proto' FROM generate_series(:c, :c + 9) g"
  fi
  head="\\set s random(0, 7)
\\set c random(0, 499)
\\set d random(0, 23)"
  # The last 24 hours, newest first (the default backward page), as a client catching up asks.
  bench "1 topic, 24h, page 20" "$head
SELECT hash, payload FROM $t WHERE pubsub = $ps AND content = $ct
  AND ts >= $now - 24 * $hour AND ts <= $now ORDER BY ts DESC, hash DESC LIMIT 21;" $t
  bench "10 topics, 24h, page 100" "$head
SELECT hash, payload FROM $t WHERE pubsub = $ps AND content IN ($ct10)
  AND ts >= $now - 24 * $hour AND ts <= $now ORDER BY ts DESC, hash DESC LIMIT 101;" $t
  # A follow-up page: cursor resolved by hash, then a row comparison.
  bench "cursor lookup + next page 20" "$head
\\set i random(1, $rows)
SELECT hash, payload FROM $t WHERE pubsub = $ps AND content = $ct
  AND ts >= $now - 24 * $hour AND ts <= $now
  AND (ts, hash) < (SELECT ts, hash FROM $t WHERE hash = digest(:i::text, 'sha256'))
  ORDER BY ts DESC, hash DESC LIMIT 21;" $t
  bench "hash presence (10 hashes)" "$head
\\set i random(1, $rows - 10)
SELECT hash FROM $t WHERE hash IN (SELECT digest(g::text, 'sha256')
  FROM generate_series(:i, :i + 9) g);" $t
  bench "time only, 1h window, page 20" "$head
SELECT hash, payload FROM $t WHERE ts >= $t0 + :d * $hour AND ts < $t0 + (:d + 1) * $hour
  ORDER BY ts, hash LIMIT 21;" $t
done

# Retention: remove the oldest hour.
for t in btree brin; do
  start=$(date +%s.%N)
  "${psql[@]}" -c "DELETE FROM $t WHERE ts < $((t0 + hour))"
  echo "$t delete_1h_s $(echo "$(date +%s.%N) - $start" | bc)"
done
start=$(date +%s.%N)
"${psql[@]}" -c "DROP TABLE part_1h_0"
echo "part_1h drop_partition_s $(echo "$(date +%s.%N) - $start" | bc)"
