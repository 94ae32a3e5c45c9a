#include "waku/relay/seen_cache.hpp"

#include <gtest/gtest.h>

#include <set>

#include "waku/base/rng.hpp"

namespace waku::relay {
namespace {

MessageId id(std::uint8_t n) {
  MessageId out;
  out.bytes[0] = n;
  return out;
}

TEST(SeenCacheTest, ExpiresInFirstSeenOrder) {
  SeenCache seen(10s);
  const Instant t0 = Instant::origin();
  EXPECT_TRUE(seen.insert(t0, id(1)));
  EXPECT_TRUE(seen.insert(t0 + 5s, id(2)));
  EXPECT_FALSE(seen.insert(t0 + 6s, id(1)));  // a duplicate does not extend the entry
  seen.expire(t0 + 9s);
  EXPECT_TRUE(seen.contains(id(1)));
  seen.expire(t0 + 10s);
  EXPECT_FALSE(seen.contains(id(1)));
  EXPECT_TRUE(seen.contains(id(2)));
  EXPECT_EQ(seen.size(), 1U);
  seen.expire(t0 + 15s);
  EXPECT_EQ(seen.size(), 0U);
  EXPECT_TRUE(seen.insert(t0 + 15s, id(1)));
}

// Against std::set as the model, with ids that collide in their home slots.
TEST(FlatIdSetTest, MatchesModelUnderRandomInsertErase) {
  FlatIdSet set;
  std::set<MessageId> model;
  Rng rng(3);
  for (int step = 0; step < 20'000; ++step) {
    MessageId x;
    // Few distinct home slots (first 8 bytes from a small range) but distinct ids.
    x.bytes[7] = static_cast<std::uint8_t>(rng.uniform(4));
    x.bytes[20] = static_cast<std::uint8_t>(rng.uniform(200));
    x.bytes[21] = static_cast<std::uint8_t>(rng.uniform(3));
    if (rng.bernoulli(0.55)) {
      EXPECT_EQ(set.insert(x), model.insert(x).second);
    } else {
      EXPECT_EQ(set.erase(x), model.erase(x) == 1);
    }
    ASSERT_EQ(set.size(), model.size());
    if (step % 97 == 0) {
      for (const MessageId& m : model) ASSERT_TRUE(set.contains(m));
    }
  }
  for (const MessageId& m : model) EXPECT_TRUE(set.contains(m));
  EXPECT_GE(set.capacity(), 2 * set.size());
}

}  // namespace
}  // namespace waku::relay
