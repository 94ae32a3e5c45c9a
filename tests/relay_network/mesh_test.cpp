// Mesh formation: after a few heartbeats every subscribed node's mesh degree is within
// [d_low, d_high], and meshes are symmetric (a GRAFT/PRUNE exchange leaves both sides agreeing).
#include <gtest/gtest.h>

#include <algorithm>
#include <string_view>

#include "test_network.hpp"

namespace waku::relay_test {
namespace {

constexpr std::string_view kTopic = "/waku/2/rs/1/0";

struct MeshSummary {
  std::size_t nodes_checked = 0;
  std::size_t min_degree = SIZE_MAX;
  std::size_t max_degree = 0;
};

MeshSummary check_mesh(const relay::RouterConfig& config, std::uint64_t seed) {
  NetworkOptions options;
  options.seed = seed;
  options.nodes = 30;
  options.dials_per_node = 5;  // every node has >= 5 peers: enough for d_low of both profiles
  options.config = config;
  TestNetwork net(options);
  net.subscribe_all(kTopic);
  // Heartbeats fire at 100 ms + k s on every node; half a second after one, every GRAFT and PRUNE
  // it caused (latency <= 100 ms each way) has been answered.
  net.run_until(Instant::origin() + 10s + 600ms);

  const auto& gossip = config.gossip;
  MeshSummary summary;
  for (NodeIndex node = 0; node < net.size(); ++node) {
    const auto peers = net.neighbours(node);
    EXPECT_EQ(net.router(node).topic_peers(kTopic).size(), peers.size()) << "node " << node;
    const auto mesh = net.mesh(node, kTopic);
    if (peers.size() >= gossip.d_low) {
      ++summary.nodes_checked;
      // Below d_low only when the peers left to graft are too few: a peer pruned during the
      // mesh's formation stays in backoff (plus slack) for a minute.
      const relay::Router& router = net.router(node);
      std::size_t eligible = 0;
      for (const relay::PeerHandle peer : router.topic_peers(kTopic)) {
        if (!router.in_backoff(net.now() - gossip.backoff_slack, peer, kTopic)) ++eligible;
      }
      EXPECT_GE(mesh.size(), std::min(gossip.d_low, eligible))
          << "node " << node << " with " << peers.size();
      EXPECT_LE(mesh.size(), gossip.d_high) << "node " << node << " with " << peers.size();
    } else {
      EXPECT_EQ(mesh.size(), peers.size()) << "node " << node;
    }
    summary.min_degree = std::min(summary.min_degree, mesh.size());
    summary.max_degree = std::max(summary.max_degree, mesh.size());
    for (const NodeIndex peer : mesh) {
      const auto other = net.mesh(peer, kTopic);
      EXPECT_TRUE(std::binary_search(other.begin(), other.end(), node))
          << node << " has " << peer << " in its mesh but not the other way round";
    }
  }
  EXPECT_EQ(net.malformed_frames(), 0U);
  return summary;
}

TEST(RelayNetworkMesh, FleetProfileMeshDegreeWithinBounds) {
  const auto config = relay::RouterConfig::fleet();
  const auto summary = check_mesh(config, 11);
  EXPECT_EQ(summary.nodes_checked, 30U);
  std::printf("fleet: mesh degree %zu..%zu (d_low %zu, d_high %zu)\n", summary.min_degree,
              summary.max_degree, config.gossip.d_low, config.gossip.d_high);
}

TEST(RelayNetworkMesh, ClientProfileMeshDegreeWithinBounds) {
  const auto config = relay::RouterConfig::client();
  const auto summary = check_mesh(config, 12);
  EXPECT_EQ(summary.nodes_checked, 30U);
  std::printf("client: mesh degree %zu..%zu (d_low %zu, d_high %zu)\n", summary.min_degree,
              summary.max_degree, config.gossip.d_low, config.gossip.d_high);
}

TEST(RelayNetworkMesh, NoMeshWithoutSubscription) {
  NetworkOptions options;
  options.seed = 13;
  options.nodes = 10;
  TestNetwork net(options);
  for (NodeIndex node = 0; node < 5; ++node) net.subscribe(node, kTopic);
  net.run_until(Instant::origin() + 5s + 600ms);
  for (NodeIndex node = 0; node < net.size(); ++node) {
    const auto mesh = net.mesh(node, kTopic);
    if (node >= 5) {
      EXPECT_TRUE(mesh.empty()) << "unsubscribed node " << node;
    }
    for (const NodeIndex peer : mesh) EXPECT_LT(peer, 5U) << "node " << node;
  }
}

}  // namespace
}  // namespace waku::relay_test
