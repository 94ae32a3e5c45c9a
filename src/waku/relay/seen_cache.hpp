// SeenCache and ExpiringIdSet: sets of message ids remembered for a while, stored compactly.
//
// The seen set is probed for every received copy and every IHAVE id, and each peer keeps the ids
// it sent IDONTWANT for. Across 10,000 simulated routers (or one fleet node with hundreds of
// peers) these sets dominate memory and cache misses, so they store a keyed 64-bit fingerprint of
// each 32-byte id in a flat open-addressing table instead of the id in a node-based hash set: a
// quarter of the bytes and one cache miss per probe. Each router draws its own fingerprint key
// from its Rng; a new id is mistaken for a seen one with probability size/2^64 (about 10^-16 with
// 2,000 ids), and a peer that does not know the key cannot aim a collision at a given id.
//
// Expiry is FIFO by first-seen time (go-libp2p's "FirstSeen" strategy: seeing a duplicate does not
// extend the entry), from a queue in insertion order, so no decision ever depends on the iteration
// order of the hash table.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "waku/base/fifo_queue.hpp"
#include "waku/base/prefetch.hpp"
#include "waku/base/time.hpp"
#include "waku/relay/rpc.hpp"

namespace waku::relay {

// MessageId equality as four 8-byte compares: std::array's operator== ends in a libc memcmp call,
// which showed up at ~10% of a relay benchmark's profile.
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

// A hash set / map of message ids (MessageIdHash, MessageIdEqual).
using MessageIdSet = std::unordered_set<MessageId, MessageIdHash, MessageIdEqual>;
template <typename V>
using MessageIdMap = std::unordered_map<MessageId, V, MessageIdHash, MessageIdEqual>;

// A keyed 64-bit fingerprint of a message id: every byte of the id goes through a bijective
// mixer (the splitmix64 finaliser) chained from the key. Never 0 (the tables' empty marker).
class IdFingerprint {
 public:
  explicit IdFingerprint(std::uint64_t key = 0) : key_(key) {}
  // Each word goes in through a multiply and an xor-shift, both bijections, so two ids that
  // differ reach the end in states whose difference depends on the key; one full mixer then
  // spreads the state over the table. Running the full mixer after every word cost four times as
  // much and was ~6% of a simulation's instructions. Inline: it runs for every id probed.
  std::uint64_t operator()(const MessageId& id) const noexcept {
    std::uint64_t x = key_;
    for (std::size_t i = 0; i < sizeof(Bytes32); i += 8) {
      std::uint64_t word = 0;
      std::memcpy(&word, id.bytes.data() + i, 8);
      x = (x ^ word) * 0x9e3779b97f4a7c15ULL;
      x ^= x >> 32;
    }
    x = mix(x);
    return x == 0 ? 1 : x;
  }

 private:
  // The splitmix64 finaliser.
  static std::uint64_t mix(std::uint64_t x) {
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ULL;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebULL;
    x ^= x >> 31;
    return x;
  }

  std::uint64_t key_;
};

// Open-addressing (linear probing, backward-shift deletion) set of non-zero 64-bit fingerprints.
class FingerprintSet {
 public:
  [[nodiscard]] bool contains(std::uint64_t fingerprint) const;
  bool insert(std::uint64_t fingerprint);  // false if present
  bool erase(std::uint64_t fingerprint);   // false if absent
  [[nodiscard]] std::size_t size() const { return size_; }
  [[nodiscard]] std::size_t capacity() const { return slots_.size(); }
  // A hint: starts loading the slot where a lookup of `fingerprint` begins.
  void prefetch(std::uint64_t fingerprint) const {
    if (!slots_.empty()) waku::prefetch(&slots_[home(fingerprint)]);
  }

 private:
  [[nodiscard]] std::size_t home(std::uint64_t fingerprint) const {
    return static_cast<std::size_t>(fingerprint) & mask_;
  }
  void grow();
  void shrink_if_sparse();

  std::vector<std::uint64_t> slots_;  // 0 = empty
  std::size_t mask_{0};
  std::size_t size_{0};
};

class SeenCache {
 public:
  // `fingerprint_key`: a per-router secret (see the file comment).
  SeenCache(Duration ttl, std::uint64_t fingerprint_key)
      : ttl_(ttl), fingerprint_(fingerprint_key) {}

  // True if `id` was not present (it is now, until now + ttl).
  bool insert(Instant now, const MessageId& id);
  [[nodiscard]] bool contains(const MessageId& id) const { return ids_.contains(fingerprint_(id)); }
  // A hint: starts loading what contains(id) or insert(id) will probe first.
  void prefetch(const MessageId& id) const { ids_.prefetch(fingerprint_(id)); }
  // The same in two steps, for a batch of ids: fingerprint and prefetch each, then probe each,
  // so that the probes' cache misses overlap (an IHAVE carries ~40 ids).
  [[nodiscard]] std::uint64_t fingerprint(const MessageId& id) const { return fingerprint_(id); }
  void prefetch_fingerprint(std::uint64_t fingerprint) const { ids_.prefetch(fingerprint); }
  [[nodiscard]] bool contains_fingerprint(std::uint64_t fingerprint) const {
    return ids_.contains(fingerprint);
  }
  // Forgets ids first seen at or before now - ttl.
  void expire(Instant now);
  [[nodiscard]] std::size_t size() const { return ids_.size(); }

 private:
  Duration ttl_;
  IdFingerprint fingerprint_;
  FingerprintSet ids_;
  FifoQueue<std::pair<Instant, std::uint64_t>> by_expiry_;  // (expiry, fingerprint)
};

// Ids stamped with a tick (a heartbeat count), dropped once their tick is old: what a peer asked
// us not to send (IDONTWANT).
class ExpiringIdSet {
 public:
  explicit ExpiringIdSet(IdFingerprint fingerprint) : fingerprint_(fingerprint) {}
  // False if already present (its tick is not refreshed).
  bool insert(const MessageId& id, std::uint64_t tick);
  [[nodiscard]] bool contains(const MessageId& id) const {
    return ids_.size() != 0 && ids_.contains(fingerprint_(id));
  }
  // Drops ids stamped at or before `tick`.
  void expire_through(std::uint64_t tick);
  [[nodiscard]] std::size_t size() const { return ids_.size(); }
  [[nodiscard]] bool empty() const { return ids_.size() == 0; }

 private:
  IdFingerprint fingerprint_;
  FingerprintSet ids_;
  FifoQueue<std::pair<std::uint64_t, std::uint64_t>> order_;  // (tick, fingerprint)
};

}  // namespace waku::relay
