// PostgreSQL archive driver.
//
// Layout: one plain table keyed by the message hash, with B-trees on (timestamp, hash) and on
// (pubsub_topic, content_topic, timestamp, hash); payloads kept in the row. Chosen by measurement
// on this project's 2-core dev VM (shared, so +-20 %), PostgreSQL 15, fsync on:
//
// bench/archive/pg_layout_experiment.sh, 1M messages of 2 KiB over 48 h, 8 shards, 500 skewed
// content topics; mean latency in ms (pgbench), size per message incl. indexes:
//                      1 topic   10 topics  cursor +   10 hashes  1 h, no    B/msg  bulk load
//                      page 20   page 100   next page  presence   topic
//   B-tree (text)        0.79      5.9        0.75       0.22       0.41     3254    62 s
//   B-tree (topic ids)   0.41      2.9        0.32       0.17       0.23     3152    68 s
//   BRIN on timestamp   89        56         21          0.20       0.45     3058    41 s
//   1-hour partitions    1.5       6.8        2.1        3.1        0.24     3222    52 s
// Deleting the oldest hour (21K rows) took 0.18 s with DELETE, 0.03 s as a partition drop.
// - BRIN is tiny and loads fastest, but a topic query must filter every row of the time range:
//   100x slower. Out.
// - Partitions (nwaku's layout) pay on every query that is not bounded to a few partitions: a
//   hash or cursor lookup probes each partition's index (48 of them for two days), 10-15x
//   slower; and a unique hash across partitions is impossible, which forced nwaku's extra
//   messages_lookup table and its bloat (waku-operators.md §4.3). The win, cheap retention, is
//   small at our rates: row deletion is chunked (delete_chunks) and the freed space is reused
//   by later inserts once autovacuum has passed, so the table does not grow in steady state.
// - Interned topic ids would shrink the topic index by 40 % (3 % of the disk) and looked up to
//   2x faster, but that experiment's text variant also built its topic strings per query; the
//   driver's own benchmark below shows 0.2-0.6 ms for the common queries with bytea topics,
//   well under nwaku's 50 ms target, so the simpler schema wins for now (a schema-2 candidate).
// Hash-first primary key: the unique key must be the hash alone, so that two nodes inserting
// the same message conflict (ON CONFLICT DO NOTHING) whatever else they send.
//
// bench/archive/archive_bench.cpp through this driver, 100K messages of 1.5-2.5 KiB (random), 8
// shards, 300 content topics, batches of 500, one thread; query p50 / p99 in ms over the last
// 24 h, backward:
//   ingest 19,000 msg/s with payloads TOASTed (PostgreSQL's default for rows over ~2 KB),
//   23,000-28,000 msg/s and 4.5 % less disk (2,777 B/msg) with them kept in the row (chosen).
//   Re-ingesting duplicates: 70,000-100,000 msg/s, nothing stored.
//                       LATERAL per topic (chosen)   content_topic = ANY(...)
//   1 topic, page 20        0.24 / 3.9                  0.26 / 11.4
//   10 topics, page 20      0.63 / 5.8                  3.99 / 9.5
//   30 topics, page 100     4.0 / 8.5                   7.5 / 12.1
//   10 topics, hashes only  0.58 / 5.1                  1.25 / 6.6
//
// Queries. A content-filtered query (one pubsub topic, 1..30 content topics) runs one LIMIT n+1
// index range scan per content topic (a LATERAL join over the topic list) on the topic index,
// merges the (timestamp, hash) keys, keeps the first n+1 and only then fetches those rows. A plain
// `content_topic IN (...)` makes PostgreSQL 15 read every matching row of every listed topic in
// the time range and sort them, so one popular topic makes every query that names it slow (the
// "ORDER BY sort dominated EXPLAIN ANALYZE" of nwaku#2783); the LATERAL form reads at most
// (n+1) index entries per topic, whatever the topics' volume. The cursor is resolved by hash
// first (Errc::kNotFound if absent), then applied as a row comparison (timestamp, hash) > ($ts,
// $hash), which the B-trees evaluate as an index bound. Every statement is prepared once per
// connection; the parameters and results travel in binary format (no hex, no escaping).
//
// Ingest. put() sends a whole batch as one statement: INSERT ... SELECT FROM unnest() of binary
// arrays, ON CONFLICT DO NOTHING: one round trip and one commit per batch; the affected-row count
// is the number of new messages. Several nodes can write the same messages at once: the unique
// key on the hash decides which insert wins, the others do nothing.
#include "archive/postgres/postgres_driver.hpp"

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "archive/postgres/pg_connection.hpp"
#include "archive/postgres/postgres_schema.hpp"

namespace waku::archive::postgres {
namespace {

constexpr Oid kByteaArrayOid = 1001;
constexpr Oid kInt4ArrayOid = 1007;
constexpr Oid kInt8ArrayOid = 1016;
constexpr Oid kBoolArrayOid = 1000;

// One INSERT carries at most this many rows or bytes: large enough to amortise the round trip
// and the commit, small enough to bound the client's and the server's memory per statement.
constexpr std::size_t kInsertRowsMax = 2000;
constexpr std::size_t kInsertBytesMax = std::size_t{8} << 20U;
// Pages larger than this are cut (with a next cursor): a caller's huge limit cannot make the
// driver buffer an unbounded result.
constexpr std::size_t kPageRowsMax = 10'000;
// Retention deletes in chunks, each its own short transaction, so that a large deletion neither
// holds locks nor keeps vacuum from running for long.
constexpr std::int64_t kDeleteChunkRows = 10'000;

constexpr const char* kInsertSql =
    "INSERT INTO waku_archive.messages (timestamp, hash, pubsub_topic, content_topic, payload,"
    " version, meta, rate_limit_proof, ephemeral)"
    " SELECT * FROM unnest($1::bigint[], $2::bytea[], $3::bytea[], $4::bytea[], $5::bytea[],"
    " $6::integer[], $7::bytea[], $8::bytea[], $9::boolean[])"
    " ON CONFLICT DO NOTHING";

// Query shapes: one prepared statement per combination of criteria present.
enum QueryBits : unsigned {
  kHasPubsub = 1U << 0U,
  kHasContent = 1U << 1U,
  kHasStart = 1U << 2U,
  kHasEnd = 1U << 3U,
  kHasHashes = 1U << 4U,
  kHasCursor = 1U << 5U,
  kForward = 1U << 6U,
  kFull = 1U << 7U,
};

constexpr const char* kFullColumns =
    "m.hash, m.timestamp, m.pubsub_topic, m.content_topic, m.payload, m.version, m.meta,"
    " m.rate_limit_proof, m.ephemeral";

// Builds the SQL of a shape; parameters are numbered in the order build_query_params adds them.
std::string build_query_sql(unsigned shape) {
  int next = 1;
  auto param = [&next] { return "$" + std::to_string(next++); };
  const std::string pubsub = (shape & kHasPubsub) != 0 ? param() : "";
  const std::string content = (shape & kHasContent) != 0 ? param() : "";
  const std::string start = (shape & kHasStart) != 0 ? param() : "";
  const std::string end = (shape & kHasEnd) != 0 ? param() : "";
  const std::string hashes = (shape & kHasHashes) != 0 ? param() : "";
  std::string cursor_ts;
  std::string cursor_hash;
  if ((shape & kHasCursor) != 0) {
    cursor_ts = param();
    cursor_hash = param();
  }
  const std::string limit = param();
  const bool forward = (shape & kForward) != 0;
  const char* dir = forward ? " ASC" : " DESC";
  const bool lateral =
      (shape & kHasPubsub) != 0 && (shape & kHasContent) != 0 && (shape & kHasHashes) == 0;

  // The conditions common to both forms, on alias m.
  std::string where = " WHERE true";
  if (!pubsub.empty()) where += " AND m.pubsub_topic = " + pubsub;
  if (!content.empty()) {
    where += lateral ? " AND m.content_topic = t.topic"
                     : " AND m.content_topic = ANY(" + content + "::bytea[])";
  }
  if (!start.empty()) where += " AND m.timestamp >= " + start;
  if (!end.empty()) where += " AND m.timestamp <= " + end;
  if (!hashes.empty()) where += " AND m.hash = ANY(" + hashes + "::bytea[])";
  if (!cursor_ts.empty()) {
    where += std::string(" AND (m.timestamp, m.hash) ") + (forward ? ">" : "<") + " (" + cursor_ts +
             ", " + cursor_hash + ")";
  }
  const std::string order = std::string(" ORDER BY m.timestamp") + dir + ", m.hash" + dir;

  if (!lateral) {
    return std::string("SELECT ") + ((shape & kFull) != 0 ? kFullColumns : "m.hash") +
           " FROM waku_archive.messages m" + where + order + " LIMIT " + limit;
  }
  std::string sql = "WITH page AS (SELECT k.timestamp, k.hash FROM unnest(" + content +
                    "::bytea[]) AS t(topic) CROSS JOIN LATERAL (SELECT m.timestamp, m.hash"
                    " FROM waku_archive.messages m" +
                    where + order + " LIMIT " + limit + ") k ORDER BY k.timestamp" + dir +
                    ", k.hash" + dir + " LIMIT " + limit + ")";
  if ((shape & kFull) != 0) {
    sql += std::string(" SELECT ") + kFullColumns +
           " FROM page JOIN waku_archive.messages m ON m.hash = page.hash";
  } else {
    sql += " SELECT page.hash AS hash FROM page";
  }
  return sql + " ORDER BY page.timestamp" + dir + ", page.hash" + dir;
}

class PostgresDriver final : public ArchiveDriver {
 public:
  explicit PostgresDriver(std::unique_ptr<ConnectionPool> pool) : pool_(std::move(pool)) {}

  Result<std::size_t> put(std::span<const ArchivedMessage> messages) override;
  Result<ArchivePage> query(const ArchiveQuery& query) override;
  Result<std::uint64_t> message_count() override;
  Result<std::uint64_t> size_bytes() override;
  Result<std::optional<std::int64_t>> oldest_timestamp_ns() override;
  Result<std::uint64_t> delete_older_than(std::int64_t timestamp_ns) override;
  Result<std::uint64_t> delete_oldest(std::uint64_t count) override;

 private:
  // Prepares (once per connection) and runs a statement.
  static Result<PgResult> run(ConnectionPool::Lease& lease, const std::string& name,
                              const std::string& sql, const Params& params, const char* context);
  Result<std::size_t> insert_chunk(ConnectionPool::Lease& lease,
                                   std::span<const ArchivedMessage> chunk);
  // Runs `sql` (parameters: [bound,] chunk size) until it deletes fewer rows than asked or
  // count_max rows are gone.
  Result<std::uint64_t> delete_chunks(const std::string& name, const std::string& sql,
                                      std::optional<std::int64_t> bound, std::uint64_t count_max);

  std::unique_ptr<ConnectionPool> pool_;
};

Result<PgResult> PostgresDriver::run(ConnectionPool::Lease& lease, const std::string& name,
                                     const std::string& sql, const Params& params,
                                     const char* context) {
  for (int attempt = 0;; ++attempt) {
    auto prepared = lease.connection().ensure_prepared(name, sql, params.types());
    auto result = prepared ? params.exec_prepared(lease.conn(), name.c_str(), context)
                           : Result<PgResult>(prepared.error());
    // A server restart or an idle-connection kill shows only when a statement fails. Every
    // statement here can be repeated safely (inserts skip what is there, deletes and reads are
    // idempotent), so reconnect and try once more instead of failing the caller.
    if (result || attempt > 0 || !lease.connection().reconnect_if_broken()) return result;
  }
}

Result<std::size_t> PostgresDriver::put(std::span<const ArchivedMessage> messages) {
  for (const auto& archived : messages) {
    if (!archived.message.timestamp.has_value()) {
      return unexpected(Errc::kInvalidArgument, "postgres: message without timestamp");
    }
  }
  if (messages.empty()) return std::size_t{0};
  // Rows in hash order: two nodes inserting overlapping batches then take the unique index's
  // locks in the same order, so they cannot deadlock each other.
  std::vector<ArchivedMessage> sorted;
  const auto by_hash = [](const ArchivedMessage& a, const ArchivedMessage& b) {
    return a.hash < b.hash;
  };
  if (!std::is_sorted(messages.begin(), messages.end(), by_hash)) {
    sorted.assign(messages.begin(), messages.end());
    std::sort(sorted.begin(), sorted.end(), by_hash);
    messages = sorted;
  }
  auto lease = pool_->acquire();
  if (!lease) return unexpected(lease.error());
  std::size_t inserted = 0;
  std::size_t begin = 0;
  while (begin < messages.size()) {
    std::size_t end = begin;
    std::size_t bytes = 0;
    while (end < messages.size() && end - begin < kInsertRowsMax &&
           (end == begin || bytes < kInsertBytesMax)) {
      bytes += messages[end].message.payload.size();
      ++end;
    }
    auto count = insert_chunk(*lease, messages.subspan(begin, end - begin));
    if (!count) return unexpected(count.error());
    inserted += *count;
    begin = end;
  }
  return inserted;
}

Result<std::size_t> PostgresDriver::insert_chunk(ConnectionPool::Lease& lease,
                                                 std::span<const ArchivedMessage> chunk) {
  BinaryArray timestamps(kInt8Oid);
  BinaryArray hashes(kByteaOid);
  BinaryArray pubsub_topics(kByteaOid);
  BinaryArray content_topics(kByteaOid);
  BinaryArray payloads(kByteaOid);
  BinaryArray versions(kInt4Oid);
  BinaryArray metas(kByteaOid);
  BinaryArray proofs(kByteaOid);
  BinaryArray ephemerals(kBoolOid);
  for (const auto& archived : chunk) {
    const auto& message = archived.message;
    timestamps.add_int8(message.timestamp_or_zero());
    hashes.add_bytes(archived.hash);
    pubsub_topics.add_bytes(as_bytes(archived.pubsub_topic));
    content_topics.add_bytes(as_bytes(message.content_topic));
    payloads.add_bytes(message.payload);
    // The wire's uint32 version in an int4, bit for bit: values above 2^31 read back unchanged.
    if (message.version) {
      versions.add_int4(static_cast<std::int32_t>(*message.version));
    } else {
      versions.add_null();
    }
    if (message.meta) {
      metas.add_bytes(*message.meta);
    } else {
      metas.add_null();
    }
    if (message.rate_limit_proof) {
      proofs.add_bytes(*message.rate_limit_proof);
    } else {
      proofs.add_null();
    }
    if (message.ephemeral) {
      ephemerals.add_bool(*message.ephemeral);
    } else {
      ephemerals.add_null();
    }
  }
  Params params;
  params.add_array(timestamps, kInt8ArrayOid);
  params.add_array(hashes, kByteaArrayOid);
  params.add_array(pubsub_topics, kByteaArrayOid);
  params.add_array(content_topics, kByteaArrayOid);
  params.add_array(payloads, kByteaArrayOid);
  params.add_array(versions, kInt4ArrayOid);
  params.add_array(metas, kByteaArrayOid);
  params.add_array(proofs, kByteaArrayOid);
  params.add_array(ephemerals, kBoolArrayOid);
  auto result = run(lease, "insert", kInsertSql, params, "postgres: insert messages");
  if (!result) return unexpected(result.error());
  return static_cast<std::size_t>(affected_rows(result->get()));
}

Result<ArchivePage> PostgresDriver::query(const ArchiveQuery& query) {
  const std::size_t limit = std::clamp<std::size_t>(query.limit, 1, kPageRowsMax);
  // Duplicate content topics would make the LATERAL form return a row once per duplicate.
  std::vector<std::string> content_topics = query.content_topics;
  std::sort(content_topics.begin(), content_topics.end());
  content_topics.erase(std::unique(content_topics.begin(), content_topics.end()),
                       content_topics.end());

  auto lease = pool_->acquire();
  if (!lease) return unexpected(lease.error());

  std::optional<std::int64_t> cursor_ts;
  if (query.cursor) {
    Params lookup;
    lookup.add_bytes(*query.cursor);
    auto found =
        run(*lease, "cursor", "SELECT timestamp FROM waku_archive.messages WHERE hash = $1", lookup,
            "postgres: look up cursor");
    if (!found) return unexpected(found.error());
    if (PQntuples(found->get()) == 0) {
      return unexpected(Errc::kNotFound, "cursor not found");
    }
    auto ts = get_int8(found->get(), 0, 0);
    if (!ts) return unexpected(ts.error());
    cursor_ts = *ts;
  }

  unsigned shape = 0;
  Params params;
  if (query.pubsub_topic) {
    shape |= kHasPubsub;
    params.add_bytes(as_bytes(*query.pubsub_topic));
  }
  if (!content_topics.empty()) {
    shape |= kHasContent;
    BinaryArray topics(kByteaOid);
    for (const auto& topic : content_topics) topics.add_bytes(as_bytes(topic));
    params.add_array(topics, kByteaArrayOid);
  }
  if (query.start_time_ns) {
    shape |= kHasStart;
    params.add_int8(*query.start_time_ns);
  }
  if (query.end_time_ns) {
    shape |= kHasEnd;
    params.add_int8(*query.end_time_ns);
  }
  if (!query.hashes.empty()) {
    shape |= kHasHashes;
    BinaryArray hashes(kByteaOid);
    for (const auto& hash : query.hashes) hashes.add_bytes(hash);
    params.add_array(hashes, kByteaArrayOid);
  }
  if (cursor_ts) {
    shape |= kHasCursor;
    params.add_int8(*cursor_ts);
    params.add_bytes(*query.cursor);
  }
  const bool forward = query.direction == PageDirection::kForward;
  if (forward) shape |= kForward;
  const bool full = query.include_data == IncludeData::kFull;
  if (full) shape |= kFull;
  params.add_int8(static_cast<std::int64_t>(limit + 1));

  auto result =
      run(*lease, "q" + std::to_string(shape), build_query_sql(shape), params, "postgres: query");
  if (!result) return unexpected(result.error());
  const PGresult* rows = result->get();
  const auto row_count = static_cast<std::size_t>(PQntuples(rows));

  ArchivePage page;
  const std::size_t kept = std::min(row_count, limit);
  page.messages.reserve(kept);
  for (std::size_t i = 0; i < kept; ++i) {
    const int row = static_cast<int>(i);
    ArchivedMessage archived;
    const ByteView hash = get_bytes(rows, row, 0);
    if (hash.size() != archived.hash.size()) {
      return unexpected(Errc::kInternal, "postgres: stored hash is not 32 bytes");
    }
    std::copy(hash.begin(), hash.end(), archived.hash.begin());
    if (full) {
      auto ts = get_int8(rows, row, 1);
      if (!ts) return unexpected(ts.error());
      archived.message.timestamp = *ts;
      archived.pubsub_topic = std::string(as_chars(get_bytes(rows, row, 2)));
      archived.message.content_topic = std::string(as_chars(get_bytes(rows, row, 3)));
      const ByteView payload = get_bytes(rows, row, 4);
      archived.message.payload = Bytes(payload.begin(), payload.end());
      if (!is_null(rows, row, 5)) {
        auto version = get_int4(rows, row, 5);
        if (!version) return unexpected(version.error());
        archived.message.version = static_cast<std::uint32_t>(*version);
      }
      if (!is_null(rows, row, 6)) {
        const ByteView meta = get_bytes(rows, row, 6);
        archived.message.meta = Bytes(meta.begin(), meta.end());
      }
      if (!is_null(rows, row, 7)) {
        const ByteView proof = get_bytes(rows, row, 7);
        archived.message.rate_limit_proof = Bytes(proof.begin(), proof.end());
      }
      if (!is_null(rows, row, 8)) {
        const ByteView flag = get_bytes(rows, row, 8);
        archived.message.ephemeral = !flag.empty() && flag[0] != 0;
      }
    }
    page.messages.push_back(std::move(archived));
  }
  // The extra row only says that another page exists. Its neighbour inside the page is the
  // cursor in both directions: the newest entry going forward, the oldest going backward.
  if (row_count > limit) page.next_cursor = page.messages.back().hash;
  if (!forward) std::reverse(page.messages.begin(), page.messages.end());
  return page;
}

Result<std::uint64_t> PostgresDriver::message_count() {
  auto lease = pool_->acquire();
  if (!lease) return unexpected(lease.error());
  auto result = run(*lease, "count", "SELECT count(*) FROM waku_archive.messages", Params{},
                    "postgres: count messages");
  if (!result) return unexpected(result.error());
  auto count = get_int8(result->get(), 0, 0);
  if (!count) return unexpected(count.error());
  return static_cast<std::uint64_t>(*count);
}

Result<std::uint64_t> PostgresDriver::size_bytes() {
  auto lease = pool_->acquire();
  if (!lease) return unexpected(lease.error());
  // Heap, TOAST and indexes of the archive: what retention by size can free. Not
  // pg_database_size: the database may hold other applications' data.
  auto result = run(*lease, "size", "SELECT pg_total_relation_size('waku_archive.messages')",
                    Params{}, "postgres: archive size");
  if (!result) return unexpected(result.error());
  auto size = get_int8(result->get(), 0, 0);
  if (!size) return unexpected(size.error());
  return static_cast<std::uint64_t>(*size);
}

Result<std::optional<std::int64_t>> PostgresDriver::oldest_timestamp_ns() {
  auto lease = pool_->acquire();
  if (!lease) return unexpected(lease.error());
  auto result = run(*lease, "oldest", "SELECT min(timestamp) FROM waku_archive.messages", Params{},
                    "postgres: oldest timestamp");
  if (!result) return unexpected(result.error());
  if (is_null(result->get(), 0, 0)) return std::optional<std::int64_t>{};
  auto ts = get_int8(result->get(), 0, 0);
  if (!ts) return unexpected(ts.error());
  return std::optional<std::int64_t>{*ts};
}

Result<std::uint64_t> PostgresDriver::delete_chunks(const std::string& name, const std::string& sql,
                                                    std::optional<std::int64_t> bound,
                                                    std::uint64_t count_max) {
  auto lease = pool_->acquire();
  if (!lease) return unexpected(lease.error());
  std::uint64_t deleted = 0;
  while (deleted < count_max) {
    const auto chunk = static_cast<std::int64_t>(
        std::min<std::uint64_t>(count_max - deleted, static_cast<std::uint64_t>(kDeleteChunkRows)));
    Params params;
    if (bound) params.add_int8(*bound);
    params.add_int8(chunk);
    auto result = run(*lease, name, sql, params, "postgres: delete messages");
    if (!result) return unexpected(result.error());
    const std::uint64_t count = affected_rows(result->get());
    deleted += count;
    if (count < static_cast<std::uint64_t>(chunk)) break;
  }
  return deleted;
}

Result<std::uint64_t> PostgresDriver::delete_older_than(std::int64_t timestamp_ns) {
  return delete_chunks("delete_older",
                       "DELETE FROM waku_archive.messages WHERE hash IN (SELECT hash FROM"
                       " waku_archive.messages WHERE timestamp < $1 ORDER BY timestamp LIMIT $2)",
                       timestamp_ns, UINT64_MAX);
}

Result<std::uint64_t> PostgresDriver::delete_oldest(std::uint64_t count) {
  return delete_chunks("delete_oldest",
                       "DELETE FROM waku_archive.messages WHERE hash IN (SELECT hash FROM"
                       " waku_archive.messages ORDER BY timestamp, hash LIMIT $1)",
                       std::nullopt, count);
}

}  // namespace

Result<std::unique_ptr<ArchiveDriver>> open_postgres_archive(std::string_view url,
                                                             const PostgresOptions& options) {
  {
    // Migrate on a connection of its own, closed afterwards: a failed migration leaves nothing
    // half-done in a pooled session.
    auto conn = connect_to(url);
    if (!conn) return unexpected(conn.error());
    WAKU_TRY_VOID(migrate(conn->get()));
  }
  auto pool = ConnectionPool::open(std::string(url), options.connections, options.acquire_wait_max);
  if (!pool) return unexpected(pool.error());
  return std::unique_ptr<ArchiveDriver>(std::make_unique<PostgresDriver>(std::move(pool).value()));
}

Result<std::unique_ptr<ArchiveDriver>> open_postgres_archive(std::string_view url) {
  return open_postgres_archive(url, PostgresOptions{});
}

Result<void> reset_postgres_archive(std::string_view url) {
  auto conn = connect_to(url);
  if (!conn) return unexpected(conn.error());
  return drop_schema(conn->get());
}

Result<void> vacuum_postgres_archive(std::string_view url) {
  auto conn = connect_to(url);
  if (!conn) return unexpected(conn.error());
  auto done =
      exec_simple(conn->get(), "VACUUM (ANALYZE) waku_archive.messages", "postgres: vacuum");
  if (!done) return unexpected(done.error());
  return ok();
}

}  // namespace waku::archive::postgres
