// The PostgreSQL archive's schema and its migrations.
//
// Everything lives in one PostgreSQL schema (kSchema) so that the archive can share a database
// with other applications and a test can drop it whole. The schema version is a row in
// kSchema.schema_version; migrate() brings an older database forward step by step inside one
// transaction that holds an advisory lock, so nodes that start at the same time on one database
// wait for each other instead of racing on CREATE statements.
#pragma once

#include <libpq-fe.h>

#include <cstdint>

#include "waku/base/result.hpp"

namespace waku::archive::postgres {

inline constexpr const char* kSchema = "waku_archive";
// The version the code below creates; a database at a higher version was written by newer code.
inline constexpr std::int32_t kSchemaVersion = 2;
// pg_advisory_xact_lock key shared by every node migrating or resetting the archive ("wakuarch").
inline constexpr std::int64_t kMigrationLockKey = 0x77616b7561726368;

// Creates or upgrades the schema. Idempotent.
Result<void> migrate(PGconn* conn);
// Drops the schema and everything in it (tests and benchmarks).
Result<void> drop_schema(PGconn* conn);

}  // namespace waku::archive::postgres
