#include "sim/engine/event_queue.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <optional>
#include <set>
#include <tuple>

#include "waku/base/rng.hpp"

namespace waku::sim {
namespace {

// What the queue must do, whatever its layout: pop in (time, push order).
using Reference = std::set<std::tuple<std::int64_t, std::uint64_t, std::uint32_t>>;

// Pushes at the mix of distances the simulator uses (same instant, a downlink's fraction of a
// millisecond, link latencies, heartbeats, far-off publications, and times before the current
// one), interleaved with pops, and checks every pop and every peek_second against the reference.
void check_against_reference(std::uint64_t seed, int operations) {
  Rng rng(seed);
  EventQueue queue;
  Reference reference;
  std::uint64_t pushes = 0;
  std::int64_t now = 0;
  for (int i = 0; i < operations; ++i) {
    if (rng.uniform(100) < 55 || reference.empty()) {
      std::int64_t ahead = 0;
      switch (rng.uniform(6)) {
        case 0: ahead = 0; break;
        case 1: ahead = rng.uniform_between(0, 1'000'000); break;
        case 2: ahead = rng.uniform_between(10'000'000, 150'000'000); break;
        case 3: ahead = 1'000'000'000; break;
        case 4: ahead = rng.uniform_between(2'000'000'000, 900'000'000'000); break;
        default: ahead = -rng.uniform_between(0, 5'000'000); break;
      }
      const std::int64_t at = std::max<std::int64_t>(0, now + ahead);
      const auto node = static_cast<std::uint32_t>(pushes);
      queue.push(at, EventKind::kWake, node);
      reference.emplace(at, pushes++, node);
    } else {
      const auto expected = *reference.begin();
      reference.erase(reference.begin());
      ASSERT_EQ(queue.top().time_ns, std::get<0>(expected));
      const Event* peeked = queue.peek_second();
      const std::optional<Event> second =
          peeked != nullptr ? std::optional<Event>(*peeked) : std::nullopt;
      const Event event = queue.pop();
      ASSERT_EQ(event.time_ns, std::get<0>(expected));
      ASSERT_EQ(event.node, std::get<2>(expected));
      if (second) {  // the next pop, since nothing is pushed in between
        ASSERT_FALSE(reference.empty());
        ASSERT_EQ(second->node, std::get<2>(*reference.begin()));
      }
      now = std::max(now, event.time_ns);
    }
    ASSERT_EQ(queue.size(), reference.size());
  }
  while (!reference.empty()) {
    ASSERT_EQ(queue.pop().node, std::get<2>(*reference.begin()));
    reference.erase(reference.begin());
  }
  EXPECT_TRUE(queue.empty());
}

TEST(EventQueue, PopsInTimeThenPushOrderAtEveryDistance) {
  for (std::uint64_t seed = 1; seed <= 20; ++seed) check_against_reference(seed, 20'000);
}

TEST(EventQueue, SameInstantPopsInPushOrder) {
  EventQueue queue;
  for (std::uint32_t i = 0; i < 1000; ++i) queue.push(5'000'000'000, EventKind::kWake, i);
  for (std::uint32_t i = 0; i < 1000; ++i) ASSERT_EQ(queue.pop().node, i);
}

TEST(EventQueue, JumpsOverLongQuietStretches) {
  EventQueue queue;
  queue.push(3'600'000'000'000, EventKind::kWake, 2);  // an hour ahead: past the wheel
  queue.push(1'500'000'000, EventKind::kWake, 1);      // on the wheel
  EXPECT_EQ(queue.pop().node, 1U);
  queue.push(1'500'000'001, EventKind::kWake, 3);  // the queue had only the far event left
  EXPECT_EQ(queue.pop().node, 3U);
  EXPECT_EQ(queue.pop().node, 2U);
  queue.push(10, EventKind::kWake, 4);  // before everything popped so far: still ordered
  queue.push(5, EventKind::kWake, 5);
  EXPECT_EQ(queue.pop().node, 5U);
  EXPECT_EQ(queue.pop().node, 4U);
  EXPECT_TRUE(queue.empty());
}

}  // namespace
}  // namespace waku::sim
