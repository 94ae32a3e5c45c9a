// MessageCache: the gossipsub `mcache`, recent messages kept for IWANT and advertised in IHAVE.
//
// A sliding window of `history_length` heartbeat windows (gossipsub v1.0 §Message Cache): `put`
// adds to the newest window, `shift` (once per heartbeat) drops the oldest, and `gossip_ids`
// returns the ids of the newest `history_gossip` windows for one topic. Topics are the router's
// small interned indices. Each entry also counts how often each peer was served the message via
// IWANT, so the router can cap retransmissions (v1.1 `GossipRetransmission`). Messages are shared
// pointers: caching never copies payload bytes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <unordered_map>
#include <utility>
#include <vector>

#include "waku/relay/rpc.hpp"
#include "waku/relay/seen_cache.hpp"

namespace waku::relay {

class MessageCache {
 public:
  using TopicIndex = std::uint32_t;
  using PeerKey = std::uint32_t;

  MessageCache(std::size_t history_length, std::size_t history_gossip);

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
    for (const auto& [id, topic] : windows_.back()) {
      entries_.erase(id);
      on_evict(topic);
    }
    windows_.pop_back();
    windows_.emplace_front();
  }
  void shift() {
    shift([](TopicIndex) {});
  }

  [[nodiscard]] std::size_t size() const { return entries_.size(); }

 private:
  struct Entry {
    RelayMessagePtr message;
    TopicIndex topic{0};
    // (peer, IWANT serves); a handful of peers at most ask for one message.
    std::vector<std::pair<PeerKey, std::uint32_t>> serves;
  };

  std::size_t history_gossip_;
  MessageIdMap<Entry> entries_;
  // front = newest; the topic is repeated here so gossip_ids needs no lookups.
  std::deque<std::vector<std::pair<MessageId, TopicIndex>>> windows_;
};

}  // namespace waku::relay
