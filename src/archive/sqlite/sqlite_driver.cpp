#include "archive/sqlite/sqlite_driver.hpp"

#include <sqlite3.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <limits>
#include <map>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "fmt/format.h"

namespace waku::archive::sqlite {
namespace {

// Schema, version 1.
//
// - `messages` is a rowid table, not WITHOUT ROWID keyed by the hash: SQLite advises WITHOUT
//   ROWID only for rows well under 1/20 of a page, and Waku payloads run from ~100 bytes to
//   150 KiB. The hash is UNIQUE (the dedup key, and the lookup for cursors and hash queries).
// - Topics are TEXT, not interned ids. Measured (20,000 rows, payloads of 200..1500 bytes, one
//   shard, 30 Status-style content topics of 48 bytes): the file is 27.1 MB with TEXT and
//   24.1 MB with interned ids (messages_by_topic 2.6 vs 1.2 MB, rows 22.5 vs 20.9 MB), i.e. 11 %,
//   less with larger payloads. Interning would cost a topic lookup on every put and a join or a
//   second lookup on every query, and make the file harder to inspect with sqlite3; it is a
//   candidate for a later migration if archives with small payloads dominate.
// - Indexes, for the queries Status clients send (one pubsub topic, 1..30 content topics, the
//   last 24 h, pages of 20..100 following cursors; waku-operators.md §4, §5):
//   * messages_by_topic (pubsub_topic, content_topic, timestamp, hash): equality on the two
//     topics (one probe per content topic of the IN list), then the time bounds and the cursor
//     (row value (timestamp, hash)) as a range on the same index, so a page reads only matching
//     entries however sparse the topic is. nwaku has no topic index since its migration 7 and
//     scans by time, which is what made sparse-topic queries slow (#1017).
//   * messages_by_time (timestamp, hash): queries without topics (hash-less "everything since",
//     REST), retention (oldest first), MIN(timestamp). Both indexes end in the hash, so ordering
//     by (timestamp, hash) and the cursor comparison need no sort within one content topic, and
//     hash-only answers are served from the index without reading rows.
//   With several content topics SQLite merges the probes with a sort bounded by the matching rows
//   of those topics in the time range; that beats walking the whole shard by time for the sparse
//   topics of a community.
// - auto_vacuum=INCREMENTAL (set before the first table) lets retention return freed pages to
//   the file system, which nwaku's SQLite and PostgreSQL archives never did (#1885, #2313).
constexpr std::string_view kMigrationV1 = R"sql(
CREATE TABLE messages (
  id INTEGER PRIMARY KEY,
  hash BLOB NOT NULL UNIQUE CHECK (length(hash) = 32),
  timestamp INTEGER NOT NULL,
  pubsub_topic TEXT NOT NULL,
  content_topic TEXT NOT NULL,
  payload BLOB NOT NULL,
  version INTEGER,
  meta BLOB,
  rate_limit_proof BLOB,
  ephemeral INTEGER
);
CREATE INDEX messages_by_topic ON messages (pubsub_topic, content_topic, timestamp, hash);
CREATE INDEX messages_by_time ON messages (timestamp, hash);
)sql";

// Migration i (1-based) brings the schema from version i-1 to i.
constexpr std::string_view kMigrations[] = {kMigrationV1};  // NOLINT(*-avoid-c-arrays)
static_assert(std::size(kMigrations) == kSchemaVersion);

constexpr std::string_view kFullColumns =
    "hash, timestamp, pubsub_topic, content_topic, payload, version, meta, rate_limit_proof, "
    "ephemeral";
// Statements cached per connection; query shapes vary with the number of topics and hashes.
constexpr std::size_t kMaxCachedStatements = 128;
// A non-null pointer for zero-length blobs: sqlite3_bind_blob binds NULL for a null pointer,
// which would turn a present-but-empty meta into an absent one.
constexpr std::uint8_t kEmpty = 0;

struct DbCloser {
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
struct StmtFinalizer {
  void operator()(sqlite3_stmt* stmt) const { sqlite3_finalize(stmt); }
};
using DbHandle = std::unique_ptr<sqlite3, DbCloser>;
using StmtHandle = std::unique_ptr<sqlite3_stmt, StmtFinalizer>;

Error db_error(sqlite3* db, const char* context) {
  return make_error(Errc::kIo, context, db != nullptr ? sqlite3_errmsg(db) : "out of memory");
}

// One connection and its prepared statements. Not thread-safe: owned by one thread at a time.
class Connection {
 public:
  static Result<std::unique_ptr<Connection>> open(const std::string& path, int flags,
                                                  const SqliteOptions& options) {
    sqlite3* raw = nullptr;
    const int rc = sqlite3_open_v2(path.c_str(), &raw, flags | SQLITE_OPEN_NOMUTEX, nullptr);
    DbHandle db(raw);
    if (rc != SQLITE_OK) return unexpected(db_error(raw, "sqlite: cannot open the database"));
    sqlite3_extended_result_codes(raw, 1);
    const auto busy_ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(options.busy_timeout);
    sqlite3_busy_timeout(raw, static_cast<int>(std::min<std::int64_t>(busy_ms.count(), 1 << 30)));
    return std::unique_ptr<Connection>(new Connection(std::move(db)));
  }

  [[nodiscard]] sqlite3* db() const { return db_.get(); }

  Result<void> exec(std::string_view sql, const char* context) {
    const std::string text(sql);
    char* message = nullptr;
    if (sqlite3_exec(db(), text.c_str(), nullptr, nullptr, &message) != SQLITE_OK) {
      std::string detail = message != nullptr ? message : sqlite3_errmsg(db());
      sqlite3_free(message);
      return unexpected(make_error(Errc::kIo, context, std::move(detail)));
    }
    return ok();
  }

  // A cached statement, reset and with its bindings cleared.
  Result<sqlite3_stmt*> prepare(const std::string& sql) {
    auto it = statements_.find(sql);
    if (it == statements_.end()) {
      if (statements_.size() >= kMaxCachedStatements) statements_.clear();
      sqlite3_stmt* raw = nullptr;
      if (sqlite3_prepare_v3(db(), sql.c_str(), static_cast<int>(sql.size()),
                             SQLITE_PREPARE_PERSISTENT, &raw, nullptr) != SQLITE_OK) {
        return unexpected(db_error(db(), "sqlite: cannot prepare a statement"));
      }
      it = statements_.emplace(sql, StmtHandle(raw)).first;
    }
    sqlite3_stmt* stmt = it->second.get();
    sqlite3_reset(stmt);
    sqlite3_clear_bindings(stmt);
    return stmt;
  }

  // A single integer from a one-row statement (PRAGMA, COUNT, MIN). nullopt for NULL.
  Result<std::optional<std::int64_t>> scalar(const std::string& sql, const char* context) {
    auto stmt = prepare(sql);
    if (!stmt) return unexpected(stmt.error());
    const int rc = sqlite3_step(*stmt);
    std::optional<std::int64_t> value;
    if (rc == SQLITE_ROW && sqlite3_column_type(*stmt, 0) != SQLITE_NULL) {
      value = sqlite3_column_int64(*stmt, 0);
    }
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) return unexpected(db_error(db(), context));
    sqlite3_reset(*stmt);
    return value;
  }

 private:
  explicit Connection(DbHandle db) : db_(std::move(db)) {}
  // Statements are declared after the handle so that they are finalized first.
  DbHandle db_;
  std::map<std::string, StmtHandle> statements_;
};

// Resets a statement when leaving a scope, so that it releases its read snapshot.
class ResetGuard {
 public:
  explicit ResetGuard(sqlite3_stmt* stmt) : stmt_(stmt) {}
  ~ResetGuard() { sqlite3_reset(stmt_); }
  ResetGuard(const ResetGuard&) = delete;
  ResetGuard& operator=(const ResetGuard&) = delete;

 private:
  sqlite3_stmt* stmt_;
};

// Rolls back a transaction that was not committed.
class Transaction {
 public:
  static Result<Transaction> begin(Connection& connection, std::string_view kind) {
    WAKU_TRY_VOID(connection.exec(kind, "sqlite: cannot begin a transaction"));
    return Transaction(connection);
  }
  Transaction(Transaction&& other) noexcept
      : connection_(std::exchange(other.connection_, nullptr)) {}
  Transaction& operator=(Transaction&&) = delete;
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  ~Transaction() {
    if (connection_ != nullptr) (void)connection_->exec("ROLLBACK", "sqlite: rollback");
  }
  Result<void> commit() {
    Connection* connection = std::exchange(connection_, nullptr);
    return connection->exec("COMMIT", "sqlite: cannot commit");
  }

 private:
  explicit Transaction(Connection& connection) : connection_(&connection) {}
  Connection* connection_;
};

int bind_blob(sqlite3_stmt* stmt, int index, ByteView bytes) {
  const void* data = bytes.empty() ? &kEmpty : static_cast<const void*>(bytes.data());
  return sqlite3_bind_blob64(stmt, index, data, bytes.size(), SQLITE_STATIC);
}
int bind_text(sqlite3_stmt* stmt, int index, std::string_view text) {
  const char* data = text.empty() ? "" : text.data();
  return sqlite3_bind_text64(stmt, index, data, text.size(), SQLITE_STATIC, SQLITE_UTF8);
}

Bytes column_bytes(sqlite3_stmt* stmt, int column) {
  const auto* data = static_cast<const std::uint8_t*>(sqlite3_column_blob(stmt, column));
  const auto size = static_cast<std::size_t>(sqlite3_column_bytes(stmt, column));
  if (data == nullptr || size == 0) return {};
  return Bytes(data, data + size);
}
std::string column_text(sqlite3_stmt* stmt, int column) {
  const auto* data = sqlite3_column_text(stmt, column);
  const auto size = static_cast<std::size_t>(sqlite3_column_bytes(stmt, column));
  if (data == nullptr || size == 0) return {};
  return {reinterpret_cast<const char*>(data), size};
}
std::optional<Bytes> column_optional_bytes(sqlite3_stmt* stmt, int column) {
  if (sqlite3_column_type(stmt, column) == SQLITE_NULL) return std::nullopt;
  return column_bytes(stmt, column);
}
MessageHash column_hash(sqlite3_stmt* stmt, int column) {
  MessageHash hash{};
  const Bytes bytes = column_bytes(stmt, column);
  // The CHECK constraint guarantees 32 bytes; copy defensively anyway.
  std::copy_n(bytes.begin(), std::min(bytes.size(), hash.size()), hash.begin());
  return hash;
}

class SqliteArchive final : public ArchiveDriver {
 public:
  SqliteArchive(std::unique_ptr<Connection> writer,
                std::vector<std::unique_ptr<Connection>> readers, SqliteOptions options)
      : writer_(std::move(writer)), readers_(std::move(readers)), options_(options) {
    for (auto& reader : readers_) free_readers_.push_back(reader.get());
  }

  ~SqliteArchive() override {
    // Lets SQLite refresh the planner statistics it found worth refreshing.
    const std::lock_guard lock(writer_mutex_);
    (void)writer_->exec("PRAGMA optimize", "sqlite: optimize");
  }
  SqliteArchive(const SqliteArchive&) = delete;
  SqliteArchive& operator=(const SqliteArchive&) = delete;
  SqliteArchive(SqliteArchive&&) = delete;
  SqliteArchive& operator=(SqliteArchive&&) = delete;

  Result<std::size_t> put(std::span<const ArchivedMessage> messages) override {
    if (messages.empty()) return std::size_t{0};
    const std::lock_guard lock(writer_mutex_);
    auto tx = Transaction::begin(*writer_, "BEGIN IMMEDIATE");
    if (!tx) return unexpected(tx.error());
    auto stmt =
        writer_->prepare(fmt::format("INSERT INTO messages ({}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) "
                                     "ON CONFLICT (hash) DO NOTHING",
                                     kFullColumns));
    if (!stmt) return unexpected(stmt.error());
    std::size_t added = 0;
    for (const auto& archived : messages) {
      const auto& m = archived.message;
      sqlite3_reset(*stmt);
      sqlite3_clear_bindings(*stmt);
      bind_blob(*stmt, 1, archived.hash);
      sqlite3_bind_int64(*stmt, 2, m.timestamp_or_zero());
      bind_text(*stmt, 3, archived.pubsub_topic);
      bind_text(*stmt, 4, m.content_topic);
      bind_blob(*stmt, 5, m.payload);
      if (m.version) sqlite3_bind_int64(*stmt, 6, *m.version);
      if (m.meta) bind_blob(*stmt, 7, *m.meta);
      if (m.rate_limit_proof) bind_blob(*stmt, 8, *m.rate_limit_proof);
      if (m.ephemeral) sqlite3_bind_int(*stmt, 9, *m.ephemeral ? 1 : 0);
      if (sqlite3_step(*stmt) != SQLITE_DONE) {
        auto error = db_error(writer_->db(), "sqlite: cannot insert a message");
        sqlite3_reset(*stmt);
        return unexpected(std::move(error));
      }
      added += static_cast<std::size_t>(sqlite3_changes(writer_->db()));
    }
    sqlite3_reset(*stmt);
    WAKU_TRY_VOID(tx->commit());
    return added;
  }

  Result<ArchivePage> query(const ArchiveQuery& query) override {
    auto lease = acquire_reader();
    Connection& reader = *lease.connection;
    // One read transaction: the cursor lookup and the page see the same snapshot.
    auto tx = Transaction::begin(reader, "BEGIN");
    if (!tx) return unexpected(tx.error());

    std::optional<std::int64_t> cursor_timestamp;
    if (query.cursor) {
      auto stmt = reader.prepare("SELECT timestamp FROM messages WHERE hash = ?");
      if (!stmt) return unexpected(stmt.error());
      const ResetGuard guard(*stmt);
      bind_blob(*stmt, 1, *query.cursor);
      const int rc = sqlite3_step(*stmt);
      if (rc == SQLITE_ROW) {
        cursor_timestamp = sqlite3_column_int64(*stmt, 0);
      } else if (rc == SQLITE_DONE) {
        return unexpected(Errc::kNotFound, "archive: cursor not found");
      } else {
        return unexpected(db_error(reader.db(), "sqlite: cannot look up the cursor"));
      }
    }

    const bool forward = query.direction == PageDirection::kForward;
    const bool full = query.include_data == IncludeData::kFull;
    std::string sql = fmt::format("SELECT {} FROM messages WHERE 1", full ? kFullColumns : "hash");
    if (query.pubsub_topic) sql += " AND pubsub_topic = ?";
    const auto placeholders = [](std::size_t n) {
      std::string out = "(";
      for (std::size_t i = 0; i < n; ++i) out += i == 0 ? "?" : ", ?";
      return out + ")";
    };
    if (!query.content_topics.empty()) {
      sql += " AND content_topic IN " + placeholders(query.content_topics.size());
    }
    if (query.start_time_ns) sql += " AND timestamp >= ?";
    if (query.end_time_ns) sql += " AND timestamp <= ?";
    if (!query.hashes.empty()) sql += " AND hash IN " + placeholders(query.hashes.size());
    if (cursor_timestamp)
      sql += forward ? " AND (timestamp, hash) > (?, ?)" : " AND (timestamp, hash) < (?, ?)";
    sql += forward ? " ORDER BY timestamp ASC, hash ASC LIMIT ?"
                   : " ORDER BY timestamp DESC, hash DESC LIMIT ?";

    auto stmt = reader.prepare(sql);
    if (!stmt) return unexpected(stmt.error());
    const ResetGuard guard(*stmt);
    int index = 1;
    if (query.pubsub_topic) bind_text(*stmt, index++, *query.pubsub_topic);
    for (const auto& topic : query.content_topics) bind_text(*stmt, index++, topic);
    if (query.start_time_ns) sqlite3_bind_int64(*stmt, index++, *query.start_time_ns);
    if (query.end_time_ns) sqlite3_bind_int64(*stmt, index++, *query.end_time_ns);
    for (const auto& hash : query.hashes) bind_blob(*stmt, index++, hash);
    if (cursor_timestamp) {
      sqlite3_bind_int64(*stmt, index++, *cursor_timestamp);
      bind_blob(*stmt, index++, *query.cursor);
    }
    const std::size_t limit = std::clamp<std::size_t>(query.limit, 1, 1'000'000);
    // One row more than the page tells whether another page follows.
    sqlite3_bind_int64(*stmt, index, static_cast<std::int64_t>(limit + 1));

    ArchivePage page;
    bool more = false;
    while (true) {
      const int rc = sqlite3_step(*stmt);
      if (rc == SQLITE_DONE) break;
      if (rc != SQLITE_ROW) return unexpected(db_error(reader.db(), "sqlite: query failed"));
      if (page.messages.size() == limit) {
        more = true;
        break;
      }
      ArchivedMessage row;
      row.hash = column_hash(*stmt, 0);
      if (full) {
        auto& m = row.message;
        m.timestamp = sqlite3_column_int64(*stmt, 1);
        row.pubsub_topic = column_text(*stmt, 2);
        m.content_topic = column_text(*stmt, 3);
        m.payload = column_bytes(*stmt, 4);
        if (sqlite3_column_type(*stmt, 5) != SQLITE_NULL) {
          m.version = static_cast<std::uint32_t>(sqlite3_column_int64(*stmt, 5));
        }
        m.meta = column_optional_bytes(*stmt, 6);
        m.rate_limit_proof = column_optional_bytes(*stmt, 7);
        if (sqlite3_column_type(*stmt, 8) != SQLITE_NULL)
          m.ephemeral = sqlite3_column_int(*stmt, 8) != 0;
      }
      page.messages.push_back(std::move(row));
    }
    if (!forward) std::reverse(page.messages.begin(), page.messages.end());
    if (more) page.next_cursor = forward ? page.messages.back().hash : page.messages.front().hash;
    WAKU_TRY_VOID(tx->commit());
    return page;
  }

  Result<std::uint64_t> message_count() override {
    auto lease = acquire_reader();
    auto count =
        lease.connection->scalar("SELECT COUNT(*) FROM messages", "sqlite: cannot count messages");
    if (!count) return unexpected(count.error());
    return static_cast<std::uint64_t>(count->value_or(0));
  }

  Result<std::uint64_t> size_bytes() override {
    // Pages in use, not the file size: deleted rows stop counting at once (their pages go to the
    // free list, and incremental vacuum returns them to the file system later).
    auto lease = acquire_reader();
    Connection& reader = *lease.connection;
    auto pages = reader.scalar("PRAGMA page_count", "sqlite: page_count");
    if (!pages) return unexpected(pages.error());
    auto free_pages = reader.scalar("PRAGMA freelist_count", "sqlite: freelist_count");
    if (!free_pages) return unexpected(free_pages.error());
    auto page_size = reader.scalar("PRAGMA page_size", "sqlite: page_size");
    if (!page_size) return unexpected(page_size.error());
    const std::int64_t used =
        std::max<std::int64_t>(pages->value_or(0) - free_pages->value_or(0), 0);
    return static_cast<std::uint64_t>(used) * static_cast<std::uint64_t>(page_size->value_or(0));
  }

  Result<std::optional<std::int64_t>> oldest_timestamp_ns() override {
    auto lease = acquire_reader();
    return lease.connection->scalar("SELECT MIN(timestamp) FROM messages",
                                    "sqlite: cannot read the oldest timestamp");
  }

  Result<std::uint64_t> delete_older_than(std::int64_t timestamp_ns) override {
    return delete_in_chunks(
        "DELETE FROM messages WHERE id IN (SELECT id FROM messages WHERE timestamp < ? "
        "ORDER BY timestamp, hash LIMIT ?)",
        timestamp_ns, std::numeric_limits<std::uint64_t>::max());
  }

  Result<std::uint64_t> delete_oldest(std::uint64_t count) override {
    return delete_in_chunks(
        "DELETE FROM messages WHERE id IN (SELECT id FROM messages "
        "ORDER BY timestamp, hash LIMIT ?)",
        std::nullopt, count);
  }

 private:
  struct ReaderLease {
    SqliteArchive* owner;
    Connection* connection;
    ReaderLease(SqliteArchive* o, Connection* c) : owner(o), connection(c) {}
    ReaderLease(const ReaderLease&) = delete;
    ReaderLease& operator=(const ReaderLease&) = delete;
    ReaderLease(ReaderLease&&) = delete;
    ReaderLease& operator=(ReaderLease&&) = delete;
    ~ReaderLease() { owner->release_reader(connection); }
  };

  ReaderLease acquire_reader() {
    std::unique_lock lock(readers_mutex_);
    readers_available_.wait(lock, [this] { return !free_readers_.empty(); });
    Connection* connection = free_readers_.back();
    free_readers_.pop_back();
    return {this, connection};
  }
  void release_reader(Connection* connection) {
    {
      const std::lock_guard lock(readers_mutex_);
      free_readers_.push_back(connection);
    }
    readers_available_.notify_one();
  }

  // Runs `sql` (parameters: the timestamp bound if any, then the chunk size) in
  // separate transactions until it deletes less than a chunk or `max_rows` are gone, releasing
  // the writer between chunks so that puts interleave.
  Result<std::uint64_t> delete_in_chunks(const std::string& sql, std::optional<std::int64_t> bound,
                                         std::uint64_t max_rows) {
    std::uint64_t deleted = 0;
    const std::uint64_t chunk = std::max<std::size_t>(options_.delete_chunk_rows, 1);
    while (deleted < max_rows) {
      const std::uint64_t want = std::min(chunk, max_rows - deleted);
      const std::lock_guard lock(writer_mutex_);
      auto tx = Transaction::begin(*writer_, "BEGIN IMMEDIATE");
      if (!tx) return unexpected(tx.error());
      auto stmt = writer_->prepare(sql);
      if (!stmt) return unexpected(stmt.error());
      int index = 1;
      if (bound) sqlite3_bind_int64(*stmt, index++, *bound);
      sqlite3_bind_int64(*stmt, index, static_cast<std::int64_t>(want));
      const int rc = sqlite3_step(*stmt);
      sqlite3_reset(*stmt);
      if (rc != SQLITE_DONE)
        return unexpected(db_error(writer_->db(), "sqlite: cannot delete messages"));
      const auto n = static_cast<std::uint64_t>(sqlite3_changes64(writer_->db()));
      WAKU_TRY_VOID(tx->commit());
      deleted += n;
      // Return the freed pages to the file system (auto_vacuum=INCREMENTAL).
      WAKU_TRY_VOID(writer_->exec("PRAGMA incremental_vacuum", "sqlite: incremental vacuum"));
      if (n < want) break;
    }
    return deleted;
  }

  std::mutex writer_mutex_;
  std::unique_ptr<Connection> writer_;
  std::vector<std::unique_ptr<Connection>> readers_;
  std::mutex readers_mutex_;
  std::condition_variable readers_available_;
  std::vector<Connection*> free_readers_;
  SqliteOptions options_;
};

Result<void> migrate(Connection& writer) {
  auto tx = Transaction::begin(writer, "BEGIN IMMEDIATE");
  if (!tx) return unexpected(tx.error());
  WAKU_TRY_VOID(
      writer.exec("CREATE TABLE IF NOT EXISTS waku_schema_version (version INTEGER NOT NULL)",
                  "sqlite: cannot create the schema version table"));
  auto version = writer.scalar("SELECT MAX(version) FROM waku_schema_version",
                               "sqlite: cannot read the schema version");
  if (!version) return unexpected(version.error());
  const std::int64_t current = version->value_or(0);
  if (current > kSchemaVersion) {
    return unexpected(
        make_error(Errc::kUnsupported, "sqlite: the database has a newer schema",
                   fmt::format("version {}, this build knows up to {}", current, kSchemaVersion)));
  }
  for (std::int64_t next = current + 1; next <= kSchemaVersion; ++next) {
    WAKU_TRY_VOID(
        writer.exec(kMigrations[static_cast<std::size_t>(next - 1)], "sqlite: migration failed"));
  }
  if (current < kSchemaVersion) {
    WAKU_TRY_VOID(writer.exec("DELETE FROM waku_schema_version", "sqlite: schema version"));
    WAKU_TRY_VOID(
        writer.exec(fmt::format("INSERT INTO waku_schema_version VALUES ({})", kSchemaVersion),
                    "sqlite: schema version"));
  }
  return tx->commit();
}

}  // namespace

Result<std::unique_ptr<ArchiveDriver>> open_sqlite_archive(std::string_view path) {
  return open_sqlite_archive(path, SqliteOptions{});
}

Result<std::unique_ptr<ArchiveDriver>> open_sqlite_archive(std::string_view path,
                                                           const SqliteOptions& options) {
  if (path.empty()) return unexpected(Errc::kInvalidArgument, "sqlite: empty database path");
  if (path == ":memory:" || path.starts_with("file::memory:")) {
    return unexpected(Errc::kInvalidArgument,
                      "sqlite: an in-memory database cannot be shared by connections");
  }
  const std::string file(path);
  auto writer = Connection::open(file, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, options);
  if (!writer) return unexpected(writer.error());
  Connection& w = **writer;
  // auto_vacuum only takes effect on a new database, before the switch to WAL writes its first
  // page; on an existing database it is a no-op.
  WAKU_TRY_VOID(w.exec("PRAGMA auto_vacuum = INCREMENTAL", "sqlite: auto_vacuum"));
  // WAL: readers never block the writer. Switching needs no transaction in progress.
  auto mode_stmt = w.prepare("PRAGMA journal_mode = WAL");
  if (!mode_stmt) return unexpected(mode_stmt.error());
  std::string mode;
  if (sqlite3_step(*mode_stmt) == SQLITE_ROW) mode = column_text(*mode_stmt, 0);
  sqlite3_reset(*mode_stmt);
  if (mode != "wal") {
    return unexpected(
        make_error(Errc::kIo, "sqlite: cannot switch to WAL mode", "journal_mode is " + mode));
  }
  WAKU_TRY_VOID(w.exec("PRAGMA synchronous = FULL", "sqlite: synchronous"));
  WAKU_TRY_VOID(migrate(w));

  std::vector<std::unique_ptr<Connection>> readers;
  const std::size_t reader_count = std::max<std::size_t>(options.reader_connections, 1);
  for (std::size_t i = 0; i < reader_count; ++i) {
    auto reader = Connection::open(file, SQLITE_OPEN_READWRITE, options);
    if (!reader) return unexpected(reader.error());
    WAKU_TRY_VOID((*reader)->exec("PRAGMA query_only = 1", "sqlite: query_only"));
    readers.push_back(std::move(*reader));
  }
  return std::unique_ptr<ArchiveDriver>(
      std::make_unique<SqliteArchive>(std::move(*writer), std::move(readers), options));
}

}  // namespace waku::archive::sqlite
