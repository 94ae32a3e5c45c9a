// SeenCache: the gossipsub `seen` set, message ids remembered for `seen_ttl` after first sight.
//
// Every received copy is checked here first, so `contains` never allocates. Expiry is FIFO by
// first-seen time (go-libp2p's "FirstSeen" strategy: seeing a duplicate does not extend the
// entry), driven by a deque in insertion order, so no decision ever depends on the iteration order
// of the hash set.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <deque>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "waku/base/time.hpp"
#include "waku/relay/rpc.hpp"

namespace waku::relay {

// MessageId equality as four 8-byte compares: std::array's operator== ends in a libc memcmp call,
// which showed up at ~10% of a relay benchmark's profile (every receipt probes the seen set).
struct MessageIdEqual {
  bool operator()(const MessageId& a, const MessageId& b) const noexcept {
    for (std::size_t i = 0; i < sizeof(Bytes32); i += 8) {
      std::uint64_t x = 0;
      std::uint64_t y = 0;
      std::memcpy(&x, a.bytes.data() + i, 8);
      std::memcpy(&y, b.bytes.data() + i, 8);
      if (x != y) return false;
    }
    return true;
  }
};

// A hash set of message ids (MessageIdHash, MessageIdEqual).
using MessageIdSet = std::unordered_set<MessageId, MessageIdHash, MessageIdEqual>;
template <typename V>
using MessageIdMap = std::unordered_map<MessageId, V, MessageIdHash, MessageIdEqual>;

// An open-addressing (linear probing, backward-shift deletion) set of message ids. The seen set
// is probed on every receipt of every message, and across thousands of simulated routers it does
// not fit in cache: a flat table costs one cache miss per probe where a node-based
// std::unordered_set costs two or three (bucket, node, next node).
class FlatIdSet {
 public:
  [[nodiscard]] bool contains(const MessageId& id) const;
  bool insert(const MessageId& id);  // false if present
  bool erase(const MessageId& id);   // false if absent
  [[nodiscard]] std::size_t size() const { return size_; }
  [[nodiscard]] std::size_t capacity() const { return slots_.size(); }

 private:
  [[nodiscard]] std::size_t home(const MessageId& id) const { return MessageIdHash{}(id)&mask_; }
  void grow();

  std::vector<MessageId> slots_;
  std::vector<std::uint8_t> used_;
  std::size_t mask_{0};
  std::size_t size_{0};
};

class SeenCache {
 public:
  explicit SeenCache(Duration ttl) : ttl_(ttl) {}

  // True if `id` was not present (it is now, until now + ttl).
  bool insert(Instant now, const MessageId& id);
  [[nodiscard]] bool contains(const MessageId& id) const { return ids_.contains(id); }
  // Forgets ids first seen at or before now - ttl.
  void expire(Instant now);
  [[nodiscard]] std::size_t size() const { return ids_.size(); }

 private:
  Duration ttl_;
  FlatIdSet ids_;
  std::deque<std::pair<Instant, MessageId>> by_expiry_;  // (expiry, id) in insertion order
};

}  // namespace waku::relay
