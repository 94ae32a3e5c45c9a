// The SQLite archive driver: a store node's message archive in one SQLite file, the default for
// nodes that do not need a shared PostgreSQL database (`--store-message-db-url sqlite://<path>`).
//
// Crash safety: the database runs in WAL mode with synchronous=FULL, so a put() that returned is
// on disk, also across a power loss (WAL + NORMAL would survive a killed process but could lose
// the last transactions on power loss, which ArchiveDriver's "durable when it returns" forbids).
// The cost is one fsync per write transaction; the archiver batches messages (up to 100 per put),
// so at Status's ~10 msg/s this is a few fsyncs per second.
//
// Concurrency: one writer connection behind a mutex (SQLite has one writer anyway) and a small
// pool of reader connections, so queries run in parallel with writes and each other (WAL readers
// see a snapshot and never block the writer). Statements are prepared once per connection and
// cached. Retention deletes run in chunks of separate transactions, so a large deletion never
// holds the writer for long and writes interleave with it.
//
// The schema has a version table and migrations that run at open inside one transaction; a
// database written by a newer version is refused rather than misread.
#pragma once

#include <cstddef>
#include <memory>
#include <string_view>

#include "waku/archive/archive.hpp"
#include "waku/base/result.hpp"
#include "waku/base/time.hpp"

namespace waku::archive::sqlite {

// The schema version this build writes and reads.
inline constexpr int kSchemaVersion = 1;

struct SqliteOptions {
  std::size_t reader_connections{4};
  Duration busy_timeout{5s};  // waiting for a lock held by another process on the same file
  // Rows deleted per transaction by retention.
  std::size_t delete_chunk_rows{10'000};
};

// Opens (creating if needed) the archive at `path` (a file path; ":memory:" is refused since the
// reader connections would not see it). Errors: kInvalidArgument for an empty or in-memory path,
// kIo when SQLite cannot open or set up the file (detail: SQLite's message), kUnsupported for a
// database with a newer schema version.
Result<std::unique_ptr<ArchiveDriver>> open_sqlite_archive(std::string_view path);
Result<std::unique_ptr<ArchiveDriver>> open_sqlite_archive(std::string_view path,
                                                           const SqliteOptions& options);

}  // namespace waku::archive::sqlite
