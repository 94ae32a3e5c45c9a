// The PostgreSQL archive driver: the message archive of store nodes that run at scale, where
// several store nodes share one database (waku-operators.md §4: Status fleets run 2 store nodes
// per data centre on one PostgreSQL 15). Messages are keyed by their deterministic hash, so a
// message that several nodes relay is stored once; bytes are stored as bytea, never hex; the
// schema is created and migrated at open, under an advisory lock so that nodes starting together
// do not race. The driver is blocking and thread-safe: calls share a small connection pool.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <string_view>

#include "waku/archive/archive.hpp"
#include "waku/base/result.hpp"

namespace waku::archive::postgres {

struct PostgresOptions {
  // Connections kept open. Each worker thread holds one for the duration of a call, so more
  // connections than database workers only cost server memory.
  std::size_t connections{4};
  // How long a call waits for a free connection before it fails with Errc::kLimitExceeded.
  std::chrono::milliseconds acquire_wait_max{std::chrono::seconds(10)};
};

// `url` is a libpq connection URI: postgres://user:password@host:port/db (postgresql:// too;
// libpq's ?sslmode=... and the like pass through). Connects, migrates the schema to the current
// version and prepares the pool. Errc::kIo when the server is unreachable or refuses us;
// Errc::kUnsupported when the database holds a newer schema than this code knows.
Result<std::unique_ptr<ArchiveDriver>> open_postgres_archive(std::string_view url,
                                                             const PostgresOptions& options);
Result<std::unique_ptr<ArchiveDriver>> open_postgres_archive(std::string_view url);

// For tests and benchmarks only: drops the archive's schema (all messages and the schema
// version) so that the next open_postgres_archive() starts from an empty archive. No driver may be
// open on the database meanwhile: its prepared statements would point at dropped tables.
Result<void> reset_postgres_archive(std::string_view url);

// VACUUM (ANALYZE) of the message table: what autovacuum does within a minute on a running node
// (schema step 2); for benchmarks that insert faster than autovacuum runs.
Result<void> vacuum_postgres_archive(std::string_view url);

}  // namespace waku::archive::postgres
