// An ArchiveDriver that keeps the messages in memory: the simulator's archive (a simulated store
// node restarts with its archive, not with a database file) and the reference the database
// drivers are checked against (src/archive/archive_driver_test.cpp runs one suite on all).
//
// Queries follow the store v3 order with a linear walk from the cursor, which is fine for the
// thousands of messages a simulated node holds; it is not a production archive. Thread-safe (one
// mutex), like every driver, since hosts may call drivers from a worker pool.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <span>
#include <utility>

#include "waku/archive/archive.hpp"

namespace waku::archive {

class MemoryArchive : public ArchiveDriver {
 public:
  Result<std::size_t> put(std::span<const ArchivedMessage> messages) override;
  Result<ArchivePage> query(const ArchiveQuery& query) override;
  Result<std::uint64_t> message_count() override;
  // The bytes of what is stored (hash, topics, payload, meta, proof, timestamp): an estimate of
  // what a database would need, so that size retention behaves alike.
  Result<std::uint64_t> size_bytes() override;
  Result<std::optional<std::int64_t>> oldest_timestamp_ns() override;
  Result<std::uint64_t> delete_older_than(std::int64_t timestamp_ns) override;
  Result<std::uint64_t> delete_oldest(std::uint64_t count) override;

 private:
  using Key = std::pair<std::int64_t, MessageHash>;  // the store v3 order

  std::mutex mutex_;
  std::map<Key, ArchivedMessage> by_order_;
  std::map<MessageHash, std::int64_t> timestamp_by_hash_;
  std::uint64_t size_bytes_{0};
};

// The size MemoryArchive attributes to one message.
std::uint64_t archived_size_bytes(const ArchivedMessage& message);

// True if `message` satisfies the criteria of `query` (topics, time bounds, hashes); the cursor,
// direction and limit are not criteria. Shared by every driver test as the oracle.
bool matches(const ArchiveQuery& query, const ArchivedMessage& message);

}  // namespace waku::archive
