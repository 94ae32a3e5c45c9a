// The simulator's checkers can fail: each one is driven into a violation by hand, through the
// same Engine operations the event loop uses, and shown to stay quiet when things are right.
// Without this a checker that never fires (a wrong index, a condition that cannot hold) would pass
// every scenario test.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <string>

#include "sim/engine/simulation_state.hpp"
#include "sim/traffic/traffic.hpp"

namespace waku::sim {
namespace {

constexpr std::int64_t kSecondNs = 1'000'000'000;

// A small network with no traffic of its own, so the only message records are the ones a test
// makes and no real publication can trip (or hide) a checker.
Scenario quiet_network(std::size_t members) {
  Scenario s;
  s.name = "checkers";
  s.seed = 11;
  s.duration = 3min;
  s.warmup = 20s;
  s.cooldown = 10s;
  NodeGroup member;
  member.name = "member";
  member.router_profile = "client";
  member.count = members;
  member.outbound_target = 6;
  member.max_connections = 50;
  member.shards = {32};
  s.groups = {member};
  return s;
}

relay::RelayMessagePtr test_message(const Engine& engine, NodeIndex publisher,
                                    std::uint64_t counter) {
  return make_message(engine.shard_topics[0], "/test/1/checkers/proto", publisher, counter, 256,
                      UnixNanos{kUnixTimeAtOriginNs + engine.now_ns}, Signing::kNone, nullptr);
}

relay::MessageDelivered delivered_from_peer(const relay::RelayMessagePtr& message) {
  return relay::MessageDelivered{message, relay::PeerHandle{1}};
}

const CheckResult& check_named(const RunResult& result, const std::string& name) {
  const auto it = std::find_if(result.checks.begin(), result.checks.end(),
                               [&](const CheckResult& c) { return c.name == name; });
  if (it != result.checks.end()) return *it;
  ADD_FAILURE() << "no check named " << name;
  static const CheckResult missing{"missing", false, 0, ""};
  return missing;
}

TEST(Checkers, NoDuplicatesFiresOnASecondDeliveryToOneNode) {
  Engine engine(quiet_network(20), SimOptions{});
  ASSERT_TRUE(engine.build().has_value());
  engine.run_until(30 * kSecondNs);  // everyone online, after the warm-up

  const auto message = test_message(engine, 0, 1);
  engine.track_message(0, message, 0, 0, /*valid=*/true);
  for (NodeIndex n = 1; n < 20; ++n) engine.record_delivery(n, delivered_from_peer(message));
  EXPECT_EQ(engine.checks[kCheckNoDuplicates].violations, 0U) << "one delivery per node is fine";
  EXPECT_EQ(engine.find_record(message->id)->delivered, 19U);

  engine.record_delivery(5, delivered_from_peer(message));
  EXPECT_EQ(engine.checks[kCheckNoDuplicates].violations, 1U);

  const RunResult result = engine.collect();
  const CheckResult& check = check_named(result, "no_duplicates");
  EXPECT_FALSE(check.passed);
  EXPECT_EQ(check.violations, 1U);
  EXPECT_NE(check.detail.find("node 5 got message"), std::string::npos) << check.detail;
  EXPECT_FALSE(result.checks_passed());
  // The other checkers saw nothing wrong.
  EXPECT_TRUE(check_named(result, "no_invalid").passed);
  EXPECT_TRUE(check_named(result, "mesh_degree").passed);
}

TEST(Checkers, NoDuplicatesForgetsWhatARestartedNodeGotBefore) {
  // A rejoining node has a fresh router; getting the message again is not a duplicate.
  Scenario scenario = quiet_network(20);
  ChurnConfig churn;  // leave_node needs a churn config; this rate makes no leave of its own
  churn.leaves_per_node_per_hour = 0.001;
  churn.mean_offline = 1s;
  churn.start = 0s;
  churn.end = 3min;
  scenario.churn = churn;
  Engine engine(scenario, SimOptions{});
  ASSERT_TRUE(engine.build().has_value());
  engine.run_until(30 * kSecondNs);
  const auto message = test_message(engine, 0, 1);
  engine.track_message(0, message, 0, 0, /*valid=*/true);
  engine.record_delivery(7, delivered_from_peer(message));
  engine.leave_node(7);
  engine.now_ns += kSecondNs;
  engine.start_node(7);
  engine.record_delivery(7, delivered_from_peer(message));
  EXPECT_EQ(engine.checks[kCheckNoDuplicates].violations, 0U);
  // ... while a second copy in the same life is.
  engine.record_delivery(7, delivered_from_peer(message));
  EXPECT_EQ(engine.checks[kCheckNoDuplicates].violations, 1U);
}

TEST(Checkers, NoInvalidFiresWhenAnHonestApplicationGetsSpam) {
  Scenario scenario = quiet_network(20);
  scenario.protected_shard = 32;
  AttackConfig attack;
  attack.count = 1;
  attack.messages_per_second = 1;
  attack.start = 170s;  // never reached: the test publishes the spam itself
  attack.end = 3min;
  scenario.attack = attack;
  Engine engine(scenario, SimOptions{});
  ASSERT_TRUE(engine.build().has_value());
  ASSERT_EQ(engine.nodes.size(), 21U);
  const NodeIndex attacker = 20;
  ASSERT_TRUE(engine.nodes[attacker].attacker);
  engine.run_until(30 * kSecondNs);

  const auto spam =
      make_message(engine.shard_topics[0], "/spam/1/flood/proto", attacker, 1, 256,
                   UnixNanos{kUnixTimeAtOriginNs + engine.now_ns}, Signing::kBadSignature, nullptr);
  engine.track_message(attacker, spam, 0, 0, /*valid=*/false);
  // Attackers deliver their own kind to themselves: that is no violation.
  engine.record_delivery(attacker, delivered_from_peer(spam));
  EXPECT_EQ(engine.checks[kCheckNoInvalid].violations, 0U);
  EXPECT_EQ(engine.result.invalid_delivered, 0U);

  engine.record_delivery(3, delivered_from_peer(spam));
  EXPECT_EQ(engine.checks[kCheckNoInvalid].violations, 1U);
  EXPECT_EQ(engine.result.invalid_delivered, 1U);

  const RunResult result = engine.collect();
  EXPECT_EQ(result.invalid_delivered, 1U);
  const CheckResult& check = check_named(result, "no_invalid");
  EXPECT_FALSE(check.passed);
  EXPECT_EQ(check.violations, 1U);
  EXPECT_NE(check.detail.find("node 3 delivered invalid message"), std::string::npos)
      << check.detail;
  // Spam is neither a publication nor an expected delivery.
  EXPECT_EQ(result.messages_published, 0U);
  EXPECT_EQ(result.expected_deliveries, 0U);
}

TEST(Checkers, NoInvalidStaysQuietForValidMessages) {
  Engine engine(quiet_network(20), SimOptions{});
  ASSERT_TRUE(engine.build().has_value());
  engine.run_until(30 * kSecondNs);
  const auto message = test_message(engine, 2, 1);
  engine.track_message(2, message, 0, 0, /*valid=*/true);
  for (NodeIndex n = 0; n < 20; ++n) {
    if (n != 2) engine.record_delivery(n, delivered_from_peer(message));
  }
  const RunResult result = engine.collect();
  EXPECT_TRUE(check_named(result, "no_invalid").passed);
  EXPECT_EQ(result.invalid_delivered, 0U);
}

TEST(Checkers, ConvergenceFiresWhenAMessageMissesASubscriber) {
  Engine engine(quiet_network(20), SimOptions{});
  ASSERT_TRUE(engine.build().has_value());
  engine.run_until(30 * kSecondNs);
  ASSERT_GE(engine.now_ns, engine.convergence_from_ns);

  // Reaches all 19 other subscribers.
  const auto full = test_message(engine, 0, 1);
  engine.track_message(0, full, 0, 0, /*valid=*/true);
  ASSERT_TRUE(engine.find_record(full->id)->convergence);
  EXPECT_EQ(engine.find_record(full->id)->expected, 19U);
  for (NodeIndex n = 1; n < 20; ++n) engine.record_delivery(n, delivered_from_peer(full));
  // The publisher's own delivery (no `from`) does not count towards the expected ones.
  engine.record_delivery(0, relay::MessageDelivered{full, std::nullopt});
  engine.finalize_messages(kNever);
  EXPECT_EQ(engine.checks[kCheckConvergence].violations, 0U);
  EXPECT_EQ(engine.result.deliveries, 19U);
  EXPECT_EQ(engine.result.expected_deliveries, 19U);

  // Misses node 13.
  engine.now_ns += kSecondNs;
  const auto partial = test_message(engine, 0, 2);
  engine.track_message(0, partial, 0, 0, /*valid=*/true);
  for (NodeIndex n = 1; n < 20; ++n) {
    if (n != 13) engine.record_delivery(n, delivered_from_peer(partial));
  }
  const RunResult result = engine.collect();  // finalizes every open record
  const CheckResult& check = check_named(result, "convergence");
  EXPECT_FALSE(check.passed);
  EXPECT_EQ(check.violations, 1U);
  EXPECT_NE(check.detail.find("reached 18 of 19 subscribers"), std::string::npos) << check.detail;
  EXPECT_EQ(result.messages_published, 2U);
  EXPECT_EQ(result.expected_deliveries, 38U);
  EXPECT_EQ(result.deliveries, 37U);
  EXPECT_LT(result.delivery_ratio(), 1.0);
}

TEST(Checkers, ConvergenceIgnoresMessagesPublishedDuringFaults) {
  // Published before the faults are over + 30 s: losses are allowed and only lower the ratio.
  Scenario scenario = quiet_network(20);
  LossConfig loss;
  loss.probability = 0.01;
  loss.start = 20s;
  loss.end = 60s;
  scenario.loss = loss;
  Engine engine(scenario, SimOptions{});
  ASSERT_TRUE(engine.build().has_value());
  engine.run_until(30 * kSecondNs);
  ASSERT_LT(engine.now_ns, engine.convergence_from_ns);
  const auto message = test_message(engine, 0, 1);
  engine.track_message(0, message, 0, 0, /*valid=*/true);
  EXPECT_FALSE(engine.find_record(message->id)->convergence);
  engine.record_delivery(1, delivered_from_peer(message));
  const RunResult result = engine.collect();
  EXPECT_TRUE(check_named(result, "convergence").passed);
  EXPECT_EQ(result.deliveries, 1U);
  EXPECT_EQ(result.expected_deliveries, 19U);
}

TEST(Checkers, MeshDegreeFiresAboveDHighPlusDOut) {
  Engine engine(quiet_network(40), SimOptions{});
  ASSERT_TRUE(engine.build().has_value());
  // Past the warm-up and 60 s after every node started (all start within 10 s).
  engine.run_until(90 * kSecondNs);
  for (NodeIndex n = 0; n < engine.nodes.size(); ++n) engine.check_mesh(n);
  EXPECT_EQ(engine.checks[kCheckMeshDegree].violations, 0U)
      << engine.checks[kCheckMeshDegree].first;

  // Node 0 dials 20 more nodes; once connected, each of them sends it a GRAFT. A router accepts
  // GRAFTs from its outbound peers even above d_high (the v1.1 outbound quota), so its mesh grows
  // far past d_high + d_out until its next heartbeat prunes it.
  const NodeIndex target = 0;
  std::size_t dialled = 0;
  for (NodeIndex m = 1; m < engine.nodes.size() && dialled < 20; ++m) {
    if (engine.connected(target, m)) continue;
    if (engine.dial(target, m)) ++dialled;
  }
  ASSERT_EQ(dialled, 20U);
  engine.run_until(engine.now_ns + 2 * kSecondNs);  // handshakes: 6 x at most 150 ms

  relay::Router& router = *engine.nodes[target].router;
  const relay::GossipsubParams& g = router.config().gossip;
  const std::string& topic = engine.shard_topics[0];
  const std::size_t mesh_before = router.mesh_peers(topic).size();
  EXPECT_LE(mesh_before, g.d_high + g.d_out);
  const std::vector<Link>& links = engine.nodes[target].links;
  for (std::uint32_t handle = 0; handle < links.size(); ++handle) {
    if (links[handle].conn == kNoConn) continue;
    const Connection& conn = engine.connections[links[handle].conn];
    if (conn.dialer != target || !conn.established) continue;
    relay::Rpc rpc;
    rpc.control.graft.push_back(relay::Graft{topic});
    router.handle_rpc(engine.now(), relay::PeerHandle{handle}, std::move(rpc));
  }
  const std::size_t mesh_after = router.mesh_peers(topic).size();
  ASSERT_GT(mesh_after, g.d_high + g.d_out);

  engine.check_mesh(target);
  EXPECT_EQ(engine.checks[kCheckMeshDegree].violations, 1U);
  const std::string expected_detail =
      "node 0 mesh " + std::to_string(mesh_after) + " > d_high " + std::to_string(g.d_high);
  EXPECT_NE(engine.checks[kCheckMeshDegree].first.find(expected_detail), std::string::npos)
      << engine.checks[kCheckMeshDegree].first;

  // The next heartbeat prunes the mesh back within bounds, and the checker agrees.
  engine.pump(engine.idle_lane_of(target), target);
  engine.run_until(engine.now_ns + 2 * kSecondNs);
  EXPECT_LE(router.mesh_peers(topic).size(), g.d_high + g.d_out);
  engine.check_mesh(target);
  EXPECT_EQ(engine.checks[kCheckMeshDegree].violations, 1U);

  const RunResult result = engine.collect();
  const CheckResult& check = check_named(result, "mesh_degree");
  EXPECT_FALSE(check.passed);
  EXPECT_EQ(check.violations, 1U);
}

TEST(Checkers, MeshDegreeWaitsForTheWarmup) {
  Engine engine(quiet_network(20), SimOptions{});
  ASSERT_TRUE(engine.build().has_value());
  engine.run_until(15 * kSecondNs);  // before the warm-up ends: meshes are still forming
  relay::Router& router = *engine.nodes[0].router;
  // Even an empty mesh is not a violation yet.
  for (relay::PeerHandle peer : router.mesh_peers(engine.shard_topics[0])) {
    relay::Rpc rpc;
    rpc.control.prune.push_back(relay::Prune{engine.shard_topics[0], {}, std::nullopt});
    router.handle_rpc(engine.now(), peer, std::move(rpc));
  }
  EXPECT_TRUE(router.mesh_peers(engine.shard_topics[0]).empty());
  engine.check_mesh(0);
  EXPECT_EQ(engine.checks[kCheckMeshDegree].violations, 0U);
}

TEST(Checkers, MeshDegreeFiresBelowDLowWithEligiblePeers) {
  Engine engine(quiet_network(30), SimOptions{});
  ASSERT_TRUE(engine.build().has_value());
  engine.run_until(90 * kSecondNs);
  relay::Router& router = *engine.nodes[0].router;
  const std::string& topic = engine.shard_topics[0];
  const relay::GossipsubParams& g = router.config().gossip;
  const auto mesh = router.mesh_peers(topic);
  const std::size_t non_mesh = router.topic_peers(topic).size() - mesh.size();
  ASSERT_GE(mesh.size(), g.d_low);
  ASSERT_GT(non_mesh, 0U);

  // Every mesh peer PRUNEs node 0. Those peers are now in backoff, so they are not eligible, but
  // its non-mesh peers are: an empty mesh is a violation until the heartbeat grafts them.
  for (relay::PeerHandle peer : mesh) {
    relay::Rpc rpc;
    rpc.control.prune.push_back(relay::Prune{topic, {}, std::nullopt});
    router.handle_rpc(engine.now(), peer, std::move(rpc));
  }
  ASSERT_TRUE(router.mesh_peers(topic).empty());
  engine.check_mesh(0);
  EXPECT_EQ(engine.checks[kCheckMeshDegree].violations, 1U);
  const std::string expected_detail = "node 0 mesh 0 < min(d_low " + std::to_string(g.d_low) +
                                      ", eligible " + std::to_string(non_mesh) + ")";
  EXPECT_NE(engine.checks[kCheckMeshDegree].first.find(expected_detail), std::string::npos)
      << engine.checks[kCheckMeshDegree].first;

  // The next heartbeat grafts the eligible peers (some may refuse with a PRUNE, which puts them
  // in backoff too) and the checker is satisfied again.
  engine.pump(engine.idle_lane_of(0), 0);
  engine.run_until(engine.now_ns + 2 * kSecondNs);
  EXPECT_GT(router.mesh_peers(topic).size(), 0U);
  engine.check_mesh(0);
  EXPECT_EQ(engine.checks[kCheckMeshDegree].violations, 1U);
}

}  // namespace
}  // namespace waku::sim
