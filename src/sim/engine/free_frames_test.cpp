#include <gtest/gtest.h>

#include <algorithm>
#include <numeric>
#include <vector>

#include "sim/engine/simulation_state.hpp"

namespace waku::sim {
namespace {

std::vector<FrameRef> refs(FrameRef first, std::size_t count) {
  std::vector<FrameRef> out(count);
  std::iota(out.begin(), out.end(), first);
  return out;
}

std::size_t gap(const std::vector<FrameRef>& a, const std::vector<FrameRef>& b) {
  return a.size() > b.size() ? a.size() - b.size() : b.size() - a.size();
}

TEST(BalanceFreeFrames, WithinTheSlackNothingMoves) {
  auto a = refs(0, 100);
  auto b = refs(1000, 40);
  const auto a_before = a;
  const auto b_before = b;
  balance_free_frames(a, b, 60);
  EXPECT_EQ(a, a_before);
  EXPECT_EQ(b, b_before);
}

TEST(BalanceFreeFrames, TheLongerListGivesItsOldestFramesToEitherSide) {
  for (const bool longer_first : {true, false}) {
    auto longer = refs(0, 10'000);
    auto shorter = refs(50'000, 10);
    if (longer_first) {
      balance_free_frames(longer, shorter, 100);
    } else {
      balance_free_frames(shorter, longer, 100);
    }
    EXPECT_LE(gap(longer, shorter), 100u);
    EXPECT_EQ(longer.size() + shorter.size(), 10'010u);  // no frame lost or duplicated
    // The newest entries (the back, reused next) stay where they were.
    EXPECT_EQ(longer.back(), 9'999u);
    EXPECT_EQ(shorter.back(), 50'009u);
    // The moved ones are the oldest of the longer list, placed ahead of the shorter list's own.
    EXPECT_EQ(shorter.front(), 0u);
    EXPECT_EQ(longer.front(), 10'000u - longer.size());
    std::vector<FrameRef> all = longer;
    all.insert(all.end(), shorter.begin(), shorter.end());
    std::sort(all.begin(), all.end());
    EXPECT_EQ(std::adjacent_find(all.begin(), all.end()), all.end());
  }
}

}  // namespace
}  // namespace waku::sim
