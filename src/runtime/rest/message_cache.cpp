#include "runtime/rest/message_cache.hpp"

#include <algorithm>

namespace waku::runtime {

namespace {

bool contains(const std::vector<std::string>& topics, const std::string& topic) {
  return std::find(topics.begin(), topics.end(), topic) != topics.end();
}

bool add_topic(std::vector<std::string>& topics, const std::string& topic) {
  if (contains(topics, topic)) return true;
  if (topics.size() >= MessageCache::kMaxTopics) return false;
  topics.push_back(topic);
  return true;
}

}  // namespace

bool MessageCache::subscribe(const std::string& pubsub_topic) {
  return add_topic(pubsub_topics_, pubsub_topic);
}

void MessageCache::unsubscribe(const std::string& pubsub_topic) {
  std::erase(pubsub_topics_, pubsub_topic);
  for (auto& entry : entries_) {
    if (entry.pubsub_topic == pubsub_topic) entry.pending_pubsub = false;
  }
  drop_returned();
}

bool MessageCache::is_subscribed(const std::string& pubsub_topic) const {
  return contains(pubsub_topics_, pubsub_topic);
}

bool MessageCache::subscribe_content(const std::string& content_topic) {
  return add_topic(content_topics_, content_topic);
}

void MessageCache::unsubscribe_content(const std::string& content_topic) {
  std::erase(content_topics_, content_topic);
  for (auto& entry : entries_) {
    if (entry.message.content_topic == content_topic) entry.pending_content = false;
  }
  drop_returned();
}

bool MessageCache::is_content_subscribed(const std::string& content_topic) const {
  return contains(content_topics_, content_topic);
}

void MessageCache::add(const std::string& pubsub_topic, const message::WakuMessage& message) {
  const bool by_pubsub = is_subscribed(pubsub_topic);
  const bool by_content = is_content_subscribed(message.content_topic);
  if ((!by_pubsub && !by_content) || capacity_ == 0) return;
  for (const auto& entry : entries_) {
    if (entry.pubsub_topic == pubsub_topic && entry.message == message) return;
  }
  while (entries_.size() >= capacity_) entries_.pop_front();
  entries_.push_back(Entry{pubsub_topic, message, by_pubsub, by_content});
}

std::optional<std::vector<message::WakuMessage>> MessageCache::take(
    const std::string& pubsub_topic) {
  if (!is_subscribed(pubsub_topic)) return std::nullopt;
  std::vector<message::WakuMessage> out;
  for (auto& entry : entries_) {
    if (entry.pending_pubsub && entry.pubsub_topic == pubsub_topic) {
      entry.pending_pubsub = false;
      // Copy rather than move: the content-topic view may still need it.
      out.push_back(entry.message);
    }
  }
  drop_returned();
  return out;
}

std::optional<std::vector<message::WakuMessage>> MessageCache::take_content(
    const std::string& content_topic) {
  if (!is_content_subscribed(content_topic)) return std::nullopt;
  std::vector<message::WakuMessage> out;
  for (auto& entry : entries_) {
    if (entry.pending_content && entry.message.content_topic == content_topic) {
      entry.pending_content = false;
      out.push_back(entry.message);
    }
  }
  drop_returned();
  return out;
}

void MessageCache::set_capacity(std::size_t capacity) {
  capacity_ = capacity;
  while (entries_.size() > capacity_) entries_.pop_front();
}

void MessageCache::drop_returned() {
  std::erase_if(entries_, [](const Entry& e) { return !e.pending_pubsub && !e.pending_content; });
}

}  // namespace waku::runtime
