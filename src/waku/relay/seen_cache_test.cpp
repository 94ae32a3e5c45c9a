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
  SeenCache seen(10s, 99);
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

// Against std::set as the model, with fingerprints that collide in their home slots (low bits
// from a small range) and sizes that make the table grow and shrink.
TEST(FingerprintSetTest, MatchesModelUnderRandomInsertErase) {
  FingerprintSet set;
  std::set<std::uint64_t> model;
  Rng rng(3);
  for (int step = 0; step < 40'000; ++step) {
    const std::uint64_t x = (rng.uniform(600) << 32) | (1 + rng.uniform(4));
    const double insert_share = step < 20'000 ? 0.6 : 0.3;  // fill, then drain
    if (rng.bernoulli(insert_share)) {
      EXPECT_EQ(set.insert(x), model.insert(x).second);
    } else {
      EXPECT_EQ(set.erase(x), model.erase(x) == 1);
    }
    ASSERT_EQ(set.size(), model.size());
    if (step % 97 == 0) {
      for (const std::uint64_t m : model) ASSERT_TRUE(set.contains(m));
    }
  }
  for (const std::uint64_t m : model) EXPECT_TRUE(set.contains(m));
  EXPECT_GE(set.capacity(), 2 * set.size());
  EXPECT_LE(set.capacity(), std::max<std::size_t>(512, 64 * set.size()));  // shrank when drained
}

TEST(IdFingerprintTest, EveryByteCountsAndTheKeyChangesEverything) {
  const IdFingerprint a(1);
  const IdFingerprint b(2);
  std::set<std::uint64_t> seen;
  for (std::size_t byte = 0; byte < 32; ++byte) {
    MessageId x;
    x.bytes[byte] = 1;
    EXPECT_TRUE(seen.insert(a(x)).second) << "byte " << byte;
    EXPECT_NE(a(x), b(x));
  }
  EXPECT_NE(a(MessageId{}), 0U);
}

TEST(ExpiringIdSetTest, DropsIdsOnceTheirTickIsOld) {
  ExpiringIdSet set{IdFingerprint(5)};
  EXPECT_TRUE(set.insert(id(1), 10));
  EXPECT_FALSE(set.insert(id(1), 11));  // not refreshed
  EXPECT_TRUE(set.insert(id(2), 12));
  set.expire_through(9);
  EXPECT_TRUE(set.contains(id(1)));
  set.expire_through(10);
  EXPECT_FALSE(set.contains(id(1)));
  EXPECT_TRUE(set.contains(id(2)));
  set.expire_through(12);
  EXPECT_TRUE(set.empty());
}

}  // namespace
}  // namespace waku::relay
