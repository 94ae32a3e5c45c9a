#include "archive/postgres/postgres_schema.hpp"

#include <array>
#include <charconv>
#include <cstring>
#include <string>

#include "archive/postgres/pg_connection.hpp"

namespace waku::archive::postgres {
namespace {

// Step N brings a database from version N-1 to N. Never edit a released step: add one.
// The layout is explained, with measurements, at the top of postgres_driver.cpp.
constexpr std::array<const char*, kSchemaVersion> kMigrations{
    // 1: the message table.
    // Columns are ordered for alignment (fixed-width first). Topics are bytea, not text: a topic
    // that is not valid UTF-8 (peers send what they like) would make PostgreSQL reject a text
    // value and with it the whole batch; bytea also compares bytewise, like COLLATE "C".
    // NULL version/meta/rate_limit_proof/ephemeral mean "absent", which the wire distinguishes.
    // Payloads stay in the row up to ~8 KB (STORAGE MAIN, toast_tuple_target): the default moves
    // every row over ~2 KB, i.e. the typical message, to TOAST: 1.5x slower ingest, 5 % more disk
    // (numbers at the top of postgres_driver.cpp).
    R"sql(
CREATE TABLE waku_archive.messages (
  timestamp bigint NOT NULL,
  version integer,
  ephemeral boolean,
  hash bytea NOT NULL,
  pubsub_topic bytea NOT NULL,
  content_topic bytea NOT NULL,
  payload bytea NOT NULL,
  meta bytea,
  rate_limit_proof bytea,
  CONSTRAINT messages_hash_key PRIMARY KEY (hash)
) WITH (toast_tuple_target = 8160);
ALTER TABLE waku_archive.messages ALTER COLUMN payload SET STORAGE MAIN;
CREATE INDEX messages_time ON waku_archive.messages (timestamp, hash);
CREATE INDEX messages_topic ON waku_archive.messages (pubsub_topic, content_topic, timestamp, hash);
)sql",
    // 2: autovacuum follows the inserts. Queries page through the covering (topic, time, hash)
    // index with index-only scans, which skip the heap only on pages the visibility map marks
    // all-visible, and only VACUUM marks them. By default an insert-only table is vacuumed after
    // it grew by 20 %, so in a 10M-message archive up to 2M of the newest rows, the ones
    // "recent messages" queries read first, cost a heap fetch per index entry (measured on 2M
    // messages: a 30-topic page made 1,973 heap fetches in 18.9 ms; after VACUUM none, 2.2 ms;
    // at 10M its p99 went from 12.89 to 1.82 ms). A fixed threshold keeps the
    // unvacuumed tail to about a minute of traffic (autovacuum wakes once a minute); vacuuming
    // an insert-only table visits only the pages added since the last run.
    R"sql(
ALTER TABLE waku_archive.messages SET (
  autovacuum_vacuum_insert_threshold = 10000,
  autovacuum_vacuum_insert_scale_factor = 0,
  autovacuum_analyze_scale_factor = 0.02);
)sql",
};

}  // namespace

Result<void> migrate(PGconn* conn) {
  WAKU_TRY_VOID(exec_simple(conn, "BEGIN", "postgres: migrate"));
  const std::string lock =
      "SELECT pg_advisory_xact_lock(" + std::to_string(kMigrationLockKey) + ")";
  WAKU_TRY_VOID(exec_simple(conn, lock.c_str(), "postgres: migration lock"));
  WAKU_TRY_VOID(exec_simple(conn,
                            "CREATE SCHEMA IF NOT EXISTS waku_archive;"
                            "CREATE TABLE IF NOT EXISTS waku_archive.schema_version"
                            " (version integer NOT NULL)",
                            "postgres: create schema"));
  auto current =
      exec_simple(conn, "SELECT coalesce(max(version), 0) FROM waku_archive.schema_version",
                  "postgres: read schema version");
  if (!current) return unexpected(current.error());
  const char* text = PQgetvalue(current->get(), 0, 0);
  std::int32_t version = 0;
  if (std::from_chars(text, text + std::strlen(text), version).ec != std::errc{}) {
    return unexpected(Errc::kInternal, "postgres: unreadable schema version");
  }
  if (version > kSchemaVersion) {
    (void)exec_simple(conn, "ROLLBACK", "postgres: rollback");
    return unexpected(make_error(Errc::kUnsupported,
                                 "postgres: archive schema is newer than this node",
                                 "database version " + std::to_string(version) + ", known " +
                                     std::to_string(kSchemaVersion)));
  }
  for (std::int32_t step = version + 1; step <= kSchemaVersion; ++step) {
    WAKU_TRY_VOID(exec_simple(conn, kMigrations.at(static_cast<std::size_t>(step - 1)),
                              "postgres: migration step"));
  }
  if (version != kSchemaVersion) {
    const std::string set_version =
        "DELETE FROM waku_archive.schema_version;"
        "INSERT INTO waku_archive.schema_version VALUES (" +
        std::to_string(kSchemaVersion) + ")";
    WAKU_TRY_VOID(exec_simple(conn, set_version.c_str(), "postgres: write schema version"));
  }
  WAKU_TRY_VOID(exec_simple(conn, "COMMIT", "postgres: commit migration"));
  return ok();
}

Result<void> drop_schema(PGconn* conn) {
  WAKU_TRY_VOID(exec_simple(conn, "BEGIN", "postgres: reset"));
  const std::string lock =
      "SELECT pg_advisory_xact_lock(" + std::to_string(kMigrationLockKey) + ")";
  WAKU_TRY_VOID(exec_simple(conn, lock.c_str(), "postgres: migration lock"));
  WAKU_TRY_VOID(
      exec_simple(conn, "DROP SCHEMA IF EXISTS waku_archive CASCADE", "postgres: drop schema"));
  WAKU_TRY_VOID(exec_simple(conn, "COMMIT", "postgres: commit reset"));
  return ok();
}

}  // namespace waku::archive::postgres
