#include "waku/archive/memory_archive.hpp"

#include <algorithm>
#include <iterator>

namespace waku::archive {

std::uint64_t archived_size_bytes(const ArchivedMessage& message) {
  const auto& m = message.message;
  return message.hash.size() + message.pubsub_topic.size() + m.content_topic.size() +
         m.payload.size() + (m.meta ? m.meta->size() : 0) +
         (m.rate_limit_proof ? m.rate_limit_proof->size() : 0) + sizeof(std::int64_t);
}

bool matches(const ArchiveQuery& query, const ArchivedMessage& message) {
  const std::int64_t timestamp = message.message.timestamp_or_zero();
  if (query.pubsub_topic && *query.pubsub_topic != message.pubsub_topic) return false;
  if (!query.content_topics.empty() &&
      std::find(query.content_topics.begin(), query.content_topics.end(),
                message.message.content_topic) == query.content_topics.end()) {
    return false;
  }
  if (query.start_time_ns && timestamp < *query.start_time_ns) return false;
  if (query.end_time_ns && timestamp > *query.end_time_ns) return false;
  if (!query.hashes.empty() &&
      std::find(query.hashes.begin(), query.hashes.end(), message.hash) == query.hashes.end()) {
    return false;
  }
  return true;
}

Result<std::size_t> MemoryArchive::put(std::span<const ArchivedMessage> messages) {
  const std::lock_guard lock(mutex_);
  std::size_t added = 0;
  for (const auto& message : messages) {
    const std::int64_t timestamp = message.message.timestamp_or_zero();
    if (!timestamp_by_hash_.emplace(message.hash, timestamp).second) continue;
    by_order_.emplace(Key{timestamp, message.hash}, message);
    size_bytes_ += archived_size_bytes(message);
    ++added;
  }
  return added;
}

Result<ArchivePage> MemoryArchive::query(const ArchiveQuery& query) {
  const std::lock_guard lock(mutex_);
  const std::size_t limit = std::max<std::size_t>(query.limit, 1);
  ArchivePage page;
  const auto take = [&](const ArchivedMessage& message) {
    if (query.include_data == IncludeData::kFull) {
      page.messages.push_back(message);
    } else {
      ArchivedMessage hash_only;
      hash_only.hash = message.hash;
      page.messages.push_back(std::move(hash_only));
    }
  };

  bool more = false;
  if (query.direction == PageDirection::kForward) {
    auto it = by_order_.begin();
    if (query.cursor) {
      const auto found = timestamp_by_hash_.find(*query.cursor);
      if (found == timestamp_by_hash_.end()) {
        return unexpected(Errc::kNotFound, "archive: cursor not found");
      }
      it = by_order_.upper_bound(Key{found->second, *query.cursor});
    }
    for (; it != by_order_.end(); ++it) {
      if (!matches(query, it->second)) continue;
      if (page.messages.size() == limit) {
        more = true;
        break;
      }
      take(it->second);
    }
    if (more) page.next_cursor = page.messages.back().hash;
  } else {
    auto it = by_order_.end();
    if (query.cursor) {
      const auto found = timestamp_by_hash_.find(*query.cursor);
      if (found == timestamp_by_hash_.end()) {
        return unexpected(Errc::kNotFound, "archive: cursor not found");
      }
      it = by_order_.lower_bound(Key{found->second, *query.cursor});
    }
    while (it != by_order_.begin()) {
      --it;
      if (!matches(query, it->second)) continue;
      if (page.messages.size() == limit) {
        more = true;
        break;
      }
      take(it->second);
    }
    std::reverse(page.messages.begin(), page.messages.end());
    if (more) page.next_cursor = page.messages.front().hash;
  }
  return page;
}

Result<std::uint64_t> MemoryArchive::message_count() {
  const std::lock_guard lock(mutex_);
  return static_cast<std::uint64_t>(by_order_.size());
}

Result<std::uint64_t> MemoryArchive::size_bytes() {
  const std::lock_guard lock(mutex_);
  return size_bytes_;
}

Result<std::optional<std::int64_t>> MemoryArchive::oldest_timestamp_ns() {
  const std::lock_guard lock(mutex_);
  if (by_order_.empty()) return std::optional<std::int64_t>();
  return std::optional<std::int64_t>(by_order_.begin()->first.first);
}

Result<std::uint64_t> MemoryArchive::delete_older_than(std::int64_t timestamp_ns) {
  const std::lock_guard lock(mutex_);
  std::uint64_t deleted = 0;
  auto it = by_order_.begin();
  while (it != by_order_.end() && it->first.first < timestamp_ns) {
    size_bytes_ -= archived_size_bytes(it->second);
    timestamp_by_hash_.erase(it->first.second);
    it = by_order_.erase(it);
    ++deleted;
  }
  return deleted;
}

Result<std::uint64_t> MemoryArchive::delete_oldest(std::uint64_t count) {
  const std::lock_guard lock(mutex_);
  std::uint64_t deleted = 0;
  auto it = by_order_.begin();
  while (it != by_order_.end() && deleted < count) {
    size_bytes_ -= archived_size_bytes(it->second);
    timestamp_by_hash_.erase(it->first.second);
    it = by_order_.erase(it);
    ++deleted;
  }
  return deleted;
}

}  // namespace waku::archive
