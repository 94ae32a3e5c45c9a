// MessageCache: the gossipsub `mcache`, recent messages kept for IWANT and advertised in IHAVE.
//
// A sliding window of `history_length` heartbeat windows (gossipsub v1.0 §Message Cache): `put`
// adds to the newest window, `shift` (once per heartbeat) drops the oldest, and `gossip_ids`
// returns the ids of the newest `history_gossip` windows for one topic. Topics are the router's
// small interned indices. Each entry also counts how often each peer was served the message via
// IWANT, so the router can cap retransmissions (v1.1 `GossipRetransmission`). Messages are shared
// pointers: caching never copies payload bytes.
//
// Layout: a relaying node puts every message it sees and drops it five heartbeats later, so at
// tens of thousands of messages a second this cache is on the hot path (a node-based hash map
// was ~20 % of a relaying node's profile). Entries live in a slab reused through a free list;
// an open-addressing index (linear probing, backward-shift deletion) maps an id to its entry by
// the router's keyed fingerprint, so a peer cannot aim ids at one probe run. Windows are lists of
// slab indices in insertion order: nothing depends on the index's iteration order.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <utility>
#include <vector>

#include "waku/relay/rpc.hpp"
#include "waku/relay/seen_cache.hpp"

namespace waku::relay {

class MessageCache {
 public:
  using TopicIndex = std::uint32_t;
  using PeerKey = std::uint32_t;

  MessageCache(std::size_t history_length, std::size_t history_gossip,
               IdFingerprint fingerprint = IdFingerprint{});

  // False (and nothing changes) if the id is already cached.
  bool put(RelayMessagePtr message, TopicIndex topic);
  // The cached message, or nullptr.
  [[nodiscard]] const RelayMessage* get(const MessageId& id) const;
  // For an IWANT from `peer`: the message if cached and served to `peer` fewer than
  // `max_serves` times before (and counts this serve); nullptr otherwise.
  RelayMessagePtr serve(const MessageId& id, PeerKey peer, std::size_t max_serves);
  // Appends the ids of `topic` in the newest history_gossip windows, oldest window first.
  void gossip_ids(TopicIndex topic, std::vector<MessageId>& out) const;
  // Starts a new window; `on_evict(topic)` is called for every message dropped.
  template <typename OnEvict>
  void shift(OnEvict&& on_evict) {
    for (const std::uint32_t entry : windows_.back()) on_evict(entries_[entry].topic);
    drop_oldest_window();
  }
  void shift() {
    shift([](TopicIndex) {});
  }

  [[nodiscard]] std::size_t size() const { return size_; }

 private:
  struct Entry {
    MessageId id;
    std::uint64_t fingerprint{0};
    RelayMessagePtr message;  // nullptr while the entry is on the free list
    TopicIndex topic{0};
    // (peer, IWANT serves); a handful of peers at most ask for one message.
    std::vector<std::pair<PeerKey, std::uint32_t>> serves;
  };
  // An index slot: entry + 1 (0 = empty) and the fingerprint's high half, which rejects most
  // non-matching slots without touching the slab.
  struct Slot {
    std::uint32_t entry_plus_one{0};
    std::uint32_t tag{0};
  };
  static constexpr std::size_t kNotFound = ~std::size_t{0};

  [[nodiscard]] static std::uint32_t tag_of(std::uint64_t fingerprint) {
    return static_cast<std::uint32_t>(fingerprint >> 32U);
  }
  [[nodiscard]] std::size_t home(std::uint64_t fingerprint) const {
    return static_cast<std::size_t>(fingerprint) & mask_;
  }
  // Position in index_ of `id`, or kNotFound.
  [[nodiscard]] std::size_t find(const MessageId& id, std::uint64_t fingerprint) const;
  void erase_slot(std::size_t position);
  void rehash(std::size_t capacity);
  void drop_oldest_window();

  std::size_t history_gossip_;
  IdFingerprint fingerprint_;
  std::vector<Entry> entries_;
  std::vector<std::uint32_t> free_entries_;
  std::vector<Slot> index_;  // power-of-two size, at most half full
  std::size_t mask_{0};
  std::size_t size_{0};
  // front = newest; slab indices in insertion order.
  std::deque<std::vector<std::uint32_t>> windows_;
};

}  // namespace waku::relay
