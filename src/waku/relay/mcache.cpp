#include "waku/relay/mcache.hpp"

#include "waku/base/assert.hpp"

namespace waku::relay {

MessageCache::MessageCache(std::size_t history_length, std::size_t history_gossip)
    : history_gossip_(history_gossip), windows_(history_length) {
  WAKU_ASSERT(history_length > 0 && history_gossip <= history_length);
}

bool MessageCache::put(RelayMessagePtr message, TopicIndex topic) {
  WAKU_ASSERT(message != nullptr);
  const MessageId id = message->id;
  const auto [it, inserted] = entries_.try_emplace(id);
  if (!inserted) return false;
  it->second.message = std::move(message);
  it->second.topic = topic;
  windows_.front().emplace_back(id, topic);
  return true;
}

const RelayMessage* MessageCache::get(const MessageId& id) const {
  const auto it = entries_.find(id);
  return it == entries_.end() ? nullptr : it->second.message.get();
}

RelayMessagePtr MessageCache::serve(const MessageId& id, PeerKey peer, std::size_t max_serves) {
  const auto it = entries_.find(id);
  if (it == entries_.end()) return nullptr;
  auto& serves = it->second.serves;
  for (auto& [who, count] : serves) {
    if (who != peer) continue;
    if (count >= max_serves) return nullptr;
    ++count;
    return it->second.message;
  }
  serves.emplace_back(peer, 1U);
  return it->second.message;
}

void MessageCache::gossip_ids(TopicIndex topic, std::vector<MessageId>& out) const {
  const std::size_t windows = history_gossip_ < windows_.size() ? history_gossip_ : windows_.size();
  for (std::size_t w = windows; w-- > 0;) {
    for (const auto& [id, id_topic] : windows_[w]) {
      if (id_topic == topic) out.push_back(id);
    }
  }
}

}  // namespace waku::relay
