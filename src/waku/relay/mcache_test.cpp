#include "waku/relay/mcache.hpp"

#include <gtest/gtest.h>

#include <deque>

#include "waku/crypto/sha256.hpp"

namespace waku::relay {
namespace {

RelayMessagePtr message(int n) {
  auto m = std::make_shared<RelayMessage>();
  m->data = SharedBytes(to_bytes("m" + std::to_string(n)));
  m->id.bytes = crypto::sha256(m->data.view());
  return m;
}

TEST(MessageCacheTest, GossipIdsFromNewestWindowsPerTopic) {
  MessageCache cache(4, 2);
  const auto a = message(1);
  const auto b = message(2);
  const auto c = message(3);
  EXPECT_TRUE(cache.put(a, 0));
  EXPECT_FALSE(cache.put(a, 0));
  cache.put(b, 1);
  cache.shift();
  cache.put(c, 0);
  std::vector<MessageId> ids;
  cache.gossip_ids(0, ids);
  EXPECT_EQ(ids, (std::vector<MessageId>{a->id, c->id}));  // oldest window first
  cache.shift();  // `a` now in the third-newest window: still cached, no longer gossiped
  ids.clear();
  cache.gossip_ids(0, ids);
  EXPECT_EQ(ids, std::vector<MessageId>{c->id});
  EXPECT_NE(cache.get(a->id), nullptr);
}

TEST(MessageCacheTest, ShiftEvictsAfterHistoryLength) {
  MessageCache cache(3, 3);
  const auto a = message(1);
  cache.put(a, 5);
  std::vector<MessageCache::TopicIndex> evicted;
  for (int i = 0; i < 2; ++i) cache.shift([&](auto t) { evicted.push_back(t); });
  EXPECT_EQ(cache.get(a->id), a.get());
  EXPECT_TRUE(evicted.empty());
  cache.shift([&](auto t) { evicted.push_back(t); });
  EXPECT_EQ(cache.get(a->id), nullptr);
  EXPECT_EQ(evicted, std::vector<MessageCache::TopicIndex>{5});
  EXPECT_EQ(cache.size(), 0U);
}

TEST(MessageCacheTest, ServeCountsPerPeer) {
  MessageCache cache(2, 1);
  const auto a = message(1);
  cache.put(a, 0);
  EXPECT_EQ(cache.serve(a->id, 1, 2), a);
  EXPECT_EQ(cache.serve(a->id, 1, 2), a);
  EXPECT_EQ(cache.serve(a->id, 1, 2), nullptr);
  EXPECT_EQ(cache.serve(a->id, 2, 2), a);
  EXPECT_EQ(cache.serve(message(9)->id, 2, 2), nullptr);
}

// Thousands of messages through the window, against a plain model: every cached id is found,
// every evicted one is gone, gossip order is insertion order, and the index survives the
// growing, the backward-shift deletions and the shrinking in between.
TEST(MessageCacheTest, AgreesWithAModelAcrossGrowthAndShrinking) {
  constexpr std::size_t kHistory = 3;
  constexpr MessageCache::TopicIndex kTopics = 3;
  MessageCache cache(kHistory, kHistory, IdFingerprint(0x1234));
  struct Cached {
    RelayMessagePtr message;
    MessageCache::TopicIndex topic;
  };
  std::deque<std::vector<Cached>> model(kHistory);  // front = newest
  int next = 0;
  // Window sizes rise to 4,000 messages and fall back to 0, so the index grows and then shrinks.
  for (const int burst : {10, 200, 4000, 4000, 50, 0, 0, 0, 7, 0, 0, 0}) {
    for (int i = 0; i < burst; ++i, ++next) {
      const auto topic = static_cast<MessageCache::TopicIndex>(next) % kTopics;
      auto m = message(next);
      ASSERT_TRUE(cache.put(m, topic));
      model.front().push_back({m, topic});
    }
    std::size_t cached = 0;
    std::vector<MessageId> expected_gossip;
    for (auto window = model.rbegin(); window != model.rend(); ++window) {
      for (const auto& [m, topic] : *window) {
        ASSERT_EQ(cache.get(m->id), m.get());
        EXPECT_FALSE(cache.put(m, topic));
        if (topic == 1) expected_gossip.push_back(m->id);
      }
      cached += window->size();
    }
    EXPECT_EQ(cache.size(), cached);
    std::vector<MessageId> gossip;
    cache.gossip_ids(1, gossip);
    EXPECT_EQ(gossip, expected_gossip);

    std::vector<MessageCache::TopicIndex> evicted;
    cache.shift([&](auto t) { evicted.push_back(t); });
    std::vector<MessageCache::TopicIndex> expected_evicted;
    for (const auto& [m, topic] : model.back()) {
      expected_evicted.push_back(topic);
      EXPECT_EQ(cache.get(m->id), nullptr);
    }
    EXPECT_EQ(evicted, expected_evicted);
    model.pop_back();
    model.emplace_front();
  }
  EXPECT_EQ(cache.size(), 0U);
}

}  // namespace
}  // namespace waku::relay
