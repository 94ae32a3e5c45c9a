// Determinism: a scenario replays bit for bit from its seed (same event-trace digest), and a
// different seed gives a different run.
#include <gtest/gtest.h>

#include <cstdio>
#include <string>
#include <string_view>

#include "test_network.hpp"

namespace waku::relay_test {
namespace {

constexpr std::string_view kTopic = "/waku/2/rs/1/0";

struct Trace {
  std::uint64_t digest = 0;
  std::uint64_t frames = 0;
  std::uint64_t delivered = 0;
};

Trace run_scenario(std::uint64_t seed) {
  NetworkOptions options;
  options.seed = seed;
  options.nodes = 20;
  TestNetwork net(options);
  net.subscribe_all(kTopic);
  net.run_until(Instant::origin() + 3s);
  for (NodeIndex publisher = 0; publisher < 5; ++publisher) {
    const std::string text = "determinism " + std::to_string(publisher);
    EXPECT_TRUE(net.publish(publisher * 3, kTopic, to_bytes(text)).has_value());
    net.run_for(130ms);
  }
  net.remove_node(19);
  net.run_for(5s);
  return Trace{net.trace_digest(), net.frames_sent(),
               net.total(&relay::RouterStats::messages_delivered)};
}

TEST(RelayNetworkDeterminism, SameSeedSameTraceDifferentSeedDifferentTrace) {
  const Trace first = run_scenario(7);
  const Trace again = run_scenario(7);
  const Trace other = run_scenario(8);
  std::printf(
      "seed 7: %016llx (%llu frames), seed 8: %016llx (%llu frames)\n",
      static_cast<unsigned long long>(first.digest), static_cast<unsigned long long>(first.frames),
      static_cast<unsigned long long>(other.digest), static_cast<unsigned long long>(other.frames));
  EXPECT_EQ(first.digest, again.digest);
  EXPECT_EQ(first.frames, again.frames);
  EXPECT_NE(first.digest, other.digest);
  // Both runs really carried traffic: 5 messages to 20 nodes (19 after the removal are counted).
  EXPECT_EQ(first.delivered, 5U * 19U);
  EXPECT_EQ(other.delivered, 5U * 19U);
}

}  // namespace
}  // namespace waku::relay_test
