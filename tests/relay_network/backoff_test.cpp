// PRUNE backoff (gossipsub v1.1): a pruned peer does not GRAFT again before the backoff the PRUNE
// carried has passed, and does re-graft once it has (observed as GRAFT/PRUNE on the wire).
#include <gtest/gtest.h>

#include <cstdio>
#include <string_view>

#include "test_network.hpp"

namespace waku::relay_test {
namespace {

constexpr std::string_view kTopic = "/waku/2/rs/1/0";

TEST(RelayNetworkBackoff, PrunedPeerDoesNotRegraftBeforeBackoff) {
  // A star: twelve leaves dial one hub. Every leaf has a single peer, so its mesh is below d_low
  // and it grafts the hub at each heartbeat it may; the hub ends up with 12 > d_high mesh peers
  // and prunes back to d, with prune_backoff in the PRUNE.
  constexpr NodeIndex kHub = 0;
  constexpr std::size_t kLeaves = 12;
  NetworkOptions options;
  options.seed = 51;
  options.nodes = kLeaves + 1;
  options.connect_randomly = false;
  TestNetwork net(options);
  for (NodeIndex leaf = 1; leaf <= kLeaves; ++leaf) net.connect(leaf, kHub);
  net.subscribe_all(kTopic);
  const auto& gossip = options.config.gossip;
  const Duration backoff = gossip.prune_backoff;
  net.run_until(Instant::origin() + 30s);

  // Mid-backoff, the pruned leaves know they are in backoff for the hub.
  std::size_t pruned_leaves = 0;
  for (const auto& prune : net.prunes()) {
    if (prune.from != kHub) continue;
    ++pruned_leaves;
    EXPECT_EQ(prune.backoff_seconds, std::optional<std::uint64_t>(60)) << "leaf " << prune.to;
    const auto hub_handle = net.handle_of(prune.to, kHub);
    ASSERT_TRUE(hub_handle.has_value());
    EXPECT_TRUE(net.router(prune.to).in_backoff(net.now(), *hub_handle, kTopic))
        << "leaf " << prune.to;
    EXPECT_TRUE(net.mesh(prune.to, kTopic).empty()) << "leaf " << prune.to;
  }
  // Every leaf is either in the hub's mesh or was pruned (to d at a heartbeat, or at d_high when
  // the GRAFT arrived, depending on where the router draws the line); never more than d_high.
  const std::size_t hub_mesh = net.mesh(kHub, kTopic).size();
  EXPECT_EQ(pruned_leaves + hub_mesh, kLeaves);
  EXPECT_GE(hub_mesh, gossip.d);
  EXPECT_LE(hub_mesh, gossip.d_high);
  const std::size_t first_wave = pruned_leaves;

  net.run_until(Instant::origin() + 150s);
  std::size_t regrafts = 0;
  for (const auto& prune : net.prunes()) {
    if (prune.from != kHub) continue;
    // The first GRAFT from the pruned leaf to the hub after this PRUNE.
    const ControlRecord* next = nullptr;
    for (const auto& graft : net.grafts()) {
      if (graft.from == prune.to && graft.to == kHub && graft.time > prune.time) {
        next = &graft;
        break;
      }
    }
    // Also the hub must not graft the leaf it pruned within the backoff.
    for (const auto& graft : net.grafts()) {
      if (graft.from == kHub && graft.to == prune.to && graft.time > prune.time) {
        EXPECT_GE(graft.time - prune.time, backoff) << "hub re-grafted leaf " << prune.to;
      }
    }
    if (next == nullptr) continue;  // a PRUNE too close to the end of the run
    ++regrafts;
    const Duration gap = next->time - prune.time;
    EXPECT_GE(gap, backoff) << "leaf " << prune.to << " re-grafted after "
                            << std::chrono::duration_cast<std::chrono::milliseconds>(gap).count()
                            << " ms";
    // And it does come back once the backoff (+ slack, + a heartbeat, + latency) is over.
    EXPECT_LE(gap, backoff + gossip.backoff_slack + 2 * gossip.heartbeat_interval)
        << "leaf " << prune.to;
  }
  // The first round of PRUNEs all re-grafted within the run.
  EXPECT_GE(regrafts, first_wave);
  EXPECT_GE(first_wave, kLeaves - gossip.d_high);
  std::printf("prunes %zu, grafts %zu, re-grafts checked %zu\n", net.prunes().size(),
              net.grafts().size(), regrafts);
}

}  // namespace
}  // namespace waku::relay_test
