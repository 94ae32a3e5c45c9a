// The message archive of a store node: what is kept, how it is asked for, and the interface that
// the database drivers (src/archive/sqlite, src/archive/postgres) implement.
//
// The store core (src/waku/store) never calls a driver: it issues archive commands and takes
// their completions; the host runs the calls on its worker pool (ARCHITECTURE.md). Drivers are
// therefore blocking and thread-safe: several workers may call one driver at once, and the
// driver synchronises internally (SQLite: one writer and a few readers; PostgreSQL: a small
// connection pool). Ordering everywhere is the store v3 order: by message timestamp, ties broken
// by the deterministic message hash in byte order (waku-wire.md §4).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "waku/base/bytes.hpp"
#include "waku/base/result.hpp"
#include "waku/message/waku_message.hpp"

namespace waku::archive {

using MessageHash = Bytes32;

struct ArchivedMessage {
  MessageHash hash{};  // deterministic_message_hash(pubsub_topic, message)
  std::string pubsub_topic;
  message::WakuMessage message;  // timestamp always set (the archiver refuses messages without)

  friend bool operator==(const ArchivedMessage&, const ArchivedMessage&) = default;
};

enum class PageDirection : std::uint8_t { kBackward, kForward };
// Hash-only answers (store v3 include_data=false) need not read payloads.
enum class IncludeData : std::uint8_t { kHashesOnly, kFull };

// One page of a query. Criteria are ANDed; an empty list or nullopt means "any".
struct ArchiveQuery {
  std::optional<std::string> pubsub_topic;
  std::vector<std::string> content_topics;
  std::optional<std::int64_t> start_time_ns;  // inclusive
  std::optional<std::int64_t> end_time_ns;    // inclusive, as nwaku (the spec says exclusive)
  std::vector<MessageHash> hashes;
  // Exclusive: the page starts after (forward) or before (backward) this message. A hash that is
  // not in the archive fails the query with Errc::kNotFound ("cursor not found").
  std::optional<MessageHash> cursor;
  PageDirection direction{PageDirection::kBackward};
  std::size_t limit{20};  // rows in the page, at least 1
  IncludeData include_data{IncludeData::kFull};
};

struct ArchivePage {
  // Always ascending (timestamp, hash), whatever the direction (store v3 returns pages that way).
  // With kHashesOnly, each entry carries only its hash.
  std::vector<ArchivedMessage> messages;
  // Set when more rows match beyond this page: the hash of the last entry (forward) or of the
  // first entry (backward), to be passed back as the next query's cursor.
  std::optional<MessageHash> next_cursor;
};

class ArchiveDriver {
 public:
  virtual ~ArchiveDriver() = default;

  // Stores the messages not stored yet and leaves those already there (same hash) untouched, so
  // several store nodes can share one database. Durable when it returns. Returns how many were
  // new.
  virtual Result<std::size_t> put(std::span<const ArchivedMessage> messages) = 0;
  virtual Result<ArchivePage> query(const ArchiveQuery& query) = 0;

  // For retention (waku-wire.md §4 "Retention policies") and metrics.
  virtual Result<std::uint64_t> message_count() = 0;
  virtual Result<std::uint64_t> size_bytes() = 0;
  virtual Result<std::optional<std::int64_t>> oldest_timestamp_ns() = 0;
  // Deletes messages with timestamp < `timestamp_ns`; returns how many.
  virtual Result<std::uint64_t> delete_older_than(std::int64_t timestamp_ns) = 0;
  // Deletes the `count` oldest messages in (timestamp, hash) order; returns how many.
  virtual Result<std::uint64_t> delete_oldest(std::uint64_t count) = 0;
};

}  // namespace waku::archive
