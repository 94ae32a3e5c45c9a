// MessageCache: relay messages kept for REST polling (GET /relay/v1/messages/{pubsubTopic} and
// GET /relay/v1/auto/messages/{contentTopic}), as nwaku's waku/rest_api/message_cache.nim.
//
// A message is kept only if its pubsub topic or its content topic is subscribed; a GET returns
// the messages of that topic received since the previous GET and forgets them. The cache is
// bounded in total (nwaku --rest-relay-cache-capacity, default 50 messages): when full, the
// oldest received message goes. (nwaku evicts the smallest sender timestamp instead; a sender
// who back-dates its messages could then evict everything else, so we use arrival order.)
// Single-threaded: the node and the REST server call it from the event-loop thread.
#pragma once

#include <cstddef>
#include <deque>
#include <optional>
#include <string>
#include <vector>

#include "waku/message/waku_message.hpp"

namespace waku::runtime {

class MessageCache {
 public:
  static constexpr std::size_t kDefaultCapacity = 50;
  // Bounds the subscriptions, which a REST client could otherwise grow without limit.
  static constexpr std::size_t kMaxTopics = 1024;
  // And their length (the REST routes refuse longer ones): 1,024 content topics of up to a
  // request body each would keep ~1 GiB, and unsubscribing hashes every one of them.
  static constexpr std::size_t kMaxTopicBytes = 512;

  explicit MessageCache(std::size_t capacity = kDefaultCapacity) : capacity_(capacity) {}

  // Pubsub-topic subscriptions (idempotent). false: kMaxTopics reached.
  bool subscribe(const std::string& pubsub_topic);
  void unsubscribe(const std::string& pubsub_topic);
  [[nodiscard]] bool is_subscribed(const std::string& pubsub_topic) const;

  // Content-topic subscriptions (autosharding routes).
  bool subscribe_content(const std::string& content_topic);
  void unsubscribe_content(const std::string& content_topic);
  [[nodiscard]] bool is_content_subscribed(const std::string& content_topic) const;
  [[nodiscard]] const std::vector<std::string>& content_topics() const { return content_topics_; }

  // Called by the node for every delivered relay message. Kept if either topic is subscribed;
  // an identical message on the same pubsub topic is kept once.
  void add(const std::string& pubsub_topic, const message::WakuMessage& message);

  // The messages of the topic since the last call, oldest first, and forgets them; nullopt if the
  // topic is not subscribed.
  std::optional<std::vector<message::WakuMessage>> take(const std::string& pubsub_topic);
  std::optional<std::vector<message::WakuMessage>> take_content(const std::string& content_topic);

  [[nodiscard]] std::size_t size() const { return entries_.size(); }
  [[nodiscard]] std::size_t capacity() const { return capacity_; }
  void set_capacity(std::size_t capacity);

 private:
  struct Entry {
    std::string pubsub_topic;
    message::WakuMessage message;
    bool pending_pubsub{false};   // not yet returned by take()
    bool pending_content{false};  // not yet returned by take_content()
  };
  void drop_returned();

  std::size_t capacity_;
  std::vector<std::string> pubsub_topics_;
  std::vector<std::string> content_topics_;
  std::deque<Entry> entries_;
};

}  // namespace waku::runtime
