#include "waku/relay/mcache.hpp"

#include <gtest/gtest.h>

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

}  // namespace
}  // namespace waku::relay
