// Single-router tests in virtual time: subscriptions and the mesh (GRAFT, PRUNE, backoff, PX,
// opportunistic grafting, direct peers).
#include <gtest/gtest.h>

#include "waku/relay/router.hpp"
#include "waku/relay/router_test_support.hpp"

namespace waku::relay {
namespace {

// --- subscriptions ---

TEST(RouterTest, HelloCarriesSubscriptionsAndSubscribeIsAnnounced) {
  Harness h;
  ASSERT_TRUE(h.router.subscribe(h.now, kTopic).has_value());
  h.connect(1);
  auto sent = h.drain();
  ASSERT_EQ(sent.size(), 1U);
  EXPECT_EQ(sent[0].peer, P(1));
  ASSERT_EQ(sent[0].rpc.subscriptions.size(), 1U);
  EXPECT_EQ(sent[0].rpc.subscriptions[0], (Subscription{true, std::string(kTopic)}));

  ASSERT_TRUE(h.router.subscribe(h.now, kOther).has_value());
  sent = h.drain();
  ASSERT_EQ(sent.size(), 1U);
  EXPECT_EQ(sent[0].rpc.subscriptions[0], (Subscription{true, std::string(kOther)}));
  ASSERT_TRUE(h.router.unsubscribe(h.now, kOther).has_value());
  sent = h.drain();
  ASSERT_EQ(sent.size(), 1U);
  EXPECT_EQ(sent[0].rpc.subscriptions[0], (Subscription{false, std::string(kOther)}));
  EXPECT_EQ(h.router.unsubscribe(h.now, kOther).error().code, Errc::kNotSubscribed);
}

TEST(RouterTest, PeerSubscriptionsAreTracked) {
  Harness h;
  h.peers(1, 3);
  EXPECT_EQ(h.router.topic_peers(kTopic), (std::vector<PeerHandle>{P(1), P(2), P(3)}));
  Rpc r;
  r.subscriptions.push_back(Subscription{false, std::string(kTopic)});
  h.rpc(2, std::move(r));
  EXPECT_EQ(h.router.topic_peers(kTopic), (std::vector<PeerHandle>{P(1), P(3)}));
  h.router.handle_peer_disconnected(h.now, P(3));
  EXPECT_EQ(h.router.topic_peers(kTopic), (std::vector<PeerHandle>{P(1)}));
  EXPECT_EQ(h.router.peer_count(), 2U);
}

// --- mesh ---

TEST(RouterTest, JoinGraftsUpToD) {
  Harness h;
  h.peers(1, 10);
  h.flush();
  ASSERT_TRUE(h.router.subscribe(h.now, kTopic).has_value());
  const auto mesh = h.router.mesh_peers(kTopic);
  EXPECT_EQ(mesh.size(), 6U);
  EXPECT_TRUE(std::is_sorted(mesh.begin(), mesh.end()));
  const Sent sent(h.drain());
  std::size_t grafts = 0;
  for (std::uint32_t p = 1; p <= 10; ++p) {
    grafts += sent.grafts(p);
    EXPECT_EQ(sent.grafts(p), contains(mesh, p) ? 1U : 0U);
  }
  EXPECT_EQ(grafts, 6U);
  EXPECT_EQ(h.router.stats().graft_sent, 6U);
  EXPECT_EQ(count_events<PeerGrafted>(h.events()), 6U);
}

TEST(RouterTest, HeartbeatFillsMeshBelowDLow) {
  Harness h;
  ASSERT_TRUE(h.router.subscribe(h.now, kTopic).has_value());
  h.peers(1, 8);
  EXPECT_TRUE(h.router.mesh_peers(kTopic).empty());
  h.advance(1s);
  EXPECT_EQ(h.router.mesh_peers(kTopic).size(), 6U);
}

TEST(RouterTest, GraftAcceptedWhenSubscribed) {
  Harness h;
  ASSERT_TRUE(h.router.subscribe(h.now, kTopic).has_value());
  h.peers(1, 1);
  h.flush();
  h.control(1, make_control<&Control::graft>({Graft{std::string(kTopic)}}));
  EXPECT_EQ(h.router.mesh_peers(kTopic), std::vector<PeerHandle>{P(1)});
  EXPECT_EQ(Sent(h.drain()).prunes(1), 0U);
  EXPECT_EQ(count_events<PeerGrafted>(h.events()), 1U);
}

TEST(RouterTest, GraftForUnknownTopicIgnoredForKnownUnsubscribedPruned) {
  Harness h;
  ASSERT_TRUE(h.router.subscribe(h.now, kTopic).has_value());
  h.peers(1, 1, kOther);  // kOther is known (peer 1 subscribed) but not ours
  h.flush();
  h.control(1, make_control<&Control::graft>({Graft{"/unknown/topic"}}));
  EXPECT_TRUE(h.drain().empty());
  h.control(1, make_control<&Control::graft>({Graft{std::string(kOther)}}));
  const Sent sent(h.drain());
  ASSERT_EQ(sent.prunes(1), 1U);
  EXPECT_EQ(sent.first_prune(1)->topic, kOther);
  EXPECT_EQ(sent.first_prune(1)->backoff_seconds, 60U);
  EXPECT_TRUE(h.router.mesh_peers(kOther).empty());
}

TEST(RouterTest, GraftFromDirectPeerPruned) {
  Harness h;
  ASSERT_TRUE(h.router.subscribe(h.now, kTopic).has_value());
  h.connect(1, Direction::kOutbound, ProtocolVersion::kMeshsub12, PeeringKind::kDirect);
  h.peer_subscribes(1);
  h.flush();
  h.control(1, make_control<&Control::graft>({Graft{std::string(kTopic)}}));
  EXPECT_EQ(Sent(h.drain()).prunes(1), 1U);
  EXPECT_TRUE(h.router.mesh_peers(kTopic).empty());
}

TEST(RouterTest, GraftDuringBackoffPenalisedAndPruned) {
  Harness h;
  ASSERT_TRUE(h.router.subscribe(h.now, kTopic).has_value());
  h.peers(1, 1);
  h.control(1, make_control<&Control::graft>({Graft{std::string(kTopic)}}));
  ASSERT_EQ(h.router.mesh_peers(kTopic).size(), 1U);
  // The peer prunes us, then grafts again at once: a graft flood.
  h.control(1, make_control<&Control::prune>({Prune{std::string(kTopic), {}, std::nullopt}}));
  EXPECT_TRUE(h.router.in_backoff(h.now, P(1), kTopic));
  h.flush();
  const double before = h.router.score(h.now, P(1));
  h.control(1, make_control<&Control::graft>({Graft{std::string(kTopic)}}));
  EXPECT_TRUE(h.router.mesh_peers(kTopic).empty());
  const Sent sent(h.drain());
  ASSERT_EQ(sent.prunes(1), 1U);
  EXPECT_EQ(sent.first_prune(1)->backoff_seconds, 60U);
  // Two P7 units (within graft_flood_threshold): (2)^2 x -10.
  EXPECT_DOUBLE_EQ(h.router.score(h.now, P(1)) - before, -40.0);
  // The backoff was refreshed: still in backoff 59 s from now, free after 60 s.
  EXPECT_TRUE(h.router.in_backoff(h.now + 59s, P(1), kTopic));
  EXPECT_FALSE(h.router.in_backoff(h.now + 60s, P(1), kTopic));
}

TEST(RouterTest, GraftFromNegativeScorePeerPruned) {
  Harness h;
  ASSERT_TRUE(h.router.subscribe(h.now, kTopic).has_value());
  h.peers(1, 1);
  h.flush();
  h.router.handle_rpc_malformed(h.now, P(1));
  EXPECT_LT(h.router.score(h.now, P(1)), 0.0);
  EXPECT_EQ(h.router.stats().rpcs_malformed, 1U);
  h.control(1, make_control<&Control::graft>({Graft{std::string(kTopic)}}));
  EXPECT_EQ(Sent(h.drain()).prunes(1), 1U);
  EXPECT_TRUE(h.router.mesh_peers(kTopic).empty());
  EXPECT_TRUE(h.router.in_backoff(h.now, P(1), kTopic));
}

TEST(RouterTest, GraftAtDHighOnlyFromOutboundPeers) {
  Harness h;
  ASSERT_TRUE(h.router.subscribe(h.now, kTopic).has_value());
  h.peers(1, 8, kTopic, Direction::kInbound);
  for (std::uint32_t p = 1; p <= 8; ++p) {
    h.control(p, make_control<&Control::graft>({Graft{std::string(kTopic)}}));
  }
  ASSERT_EQ(h.router.mesh_peers(kTopic).size(), 8U);  // d_high
  h.peers(9, 9, kTopic, Direction::kInbound);
  h.peers(10, 10, kTopic, Direction::kOutbound);
  h.flush();
  h.control(9, make_control<&Control::graft>({Graft{std::string(kTopic)}}));
  h.control(10, make_control<&Control::graft>({Graft{std::string(kTopic)}}));
  const Sent sent(h.drain());
  EXPECT_EQ(sent.prunes(9), 1U);
  EXPECT_EQ(sent.prunes(10), 0U);
  const auto mesh = h.router.mesh_peers(kTopic);
  EXPECT_FALSE(contains(mesh, 9));
  EXPECT_TRUE(contains(mesh, 10));
}

TEST(RouterTest, PruneBackoffHonouredUntilBackoffPlusSlack) {
  Harness h;
  ASSERT_TRUE(h.router.subscribe(h.now, kTopic).has_value());
  h.peers(1, 4);
  h.advance(1s);
  ASSERT_EQ(h.router.mesh_peers(kTopic).size(), 4U);
  h.flush();
  h.control(1, make_control<&Control::prune>({Prune{std::string(kTopic), {}, 10}}));
  EXPECT_FALSE(contains(h.router.mesh_peers(kTopic), 1));
  EXPECT_EQ(count_events<PeerPruned>(h.events()), 1U);
  const Instant pruned_at = h.now;
  // Mesh is below d_low every heartbeat, but peer 1 is the only candidate and is backed off for
  // 10 s plus 1 s slack.
  h.advance(10s);
  EXPECT_FALSE(contains(h.router.mesh_peers(kTopic), 1));
  EXPECT_EQ(Sent(h.drain()).grafts(1), 0U);
  h.advance(2s);
  EXPECT_TRUE(contains(h.router.mesh_peers(kTopic), 1));
  EXPECT_GE(h.now - pruned_at, 11s);
}

TEST(RouterTest, OversubscribedMeshPrunedToDKeepingOutbound) {
  Harness h;
  ASSERT_TRUE(h.router.subscribe(h.now, kTopic).has_value());
  h.peers(1, 9, kTopic, Direction::kInbound);
  h.peers(10, 12, kTopic, Direction::kOutbound);
  for (std::uint32_t p = 1; p <= 12; ++p) {
    h.control(p, make_control<&Control::graft>({Graft{std::string(kTopic)}}));
  }
  // Inbound grafts stop at d_high (8); outbound ones are always accepted.
  ASSERT_EQ(h.router.mesh_peers(kTopic).size(), 11U);
  h.flush();
  h.advance(1s);
  const auto mesh = h.router.mesh_peers(kTopic);
  EXPECT_EQ(mesh.size(), 6U);
  std::size_t outbound = 0;
  for (std::uint32_t p = 10; p <= 12; ++p) outbound += contains(mesh, p) ? 1 : 0;
  EXPECT_GE(outbound, 3U);  // d_out
  const Sent sent(h.drain());
  std::size_t prunes = 0;
  for (std::uint32_t p = 1; p <= 12; ++p) prunes += sent.prunes(p);
  EXPECT_EQ(prunes, 5U);
}

TEST(RouterTest, HeartbeatGraftsOutboundPeersBelowDOut) {
  Harness h;
  h.peers(1, 5, kTopic, Direction::kInbound);
  ASSERT_TRUE(h.router.subscribe(h.now, kTopic).has_value());
  ASSERT_EQ(h.router.mesh_peers(kTopic).size(), 5U);  // >= d_low: no regular grafting
  h.peers(6, 9, kTopic, Direction::kOutbound);
  h.flush();
  h.advance(1s);
  const auto mesh = h.router.mesh_peers(kTopic);
  std::size_t outbound = 0;
  for (std::uint32_t p = 6; p <= 9; ++p) outbound += contains(mesh, p) ? 1 : 0;
  EXPECT_EQ(outbound, 3U);  // d_out
  EXPECT_EQ(mesh.size(), 8U);
}

TEST(RouterTest, LeavePrunesMeshWithUnsubscribeBackoff) {
  Harness h;
  h.peers(1, 3);
  ASSERT_TRUE(h.router.subscribe(h.now, kTopic).has_value());
  ASSERT_EQ(h.router.mesh_peers(kTopic).size(), 3U);
  h.flush();
  ASSERT_TRUE(h.router.unsubscribe(h.now, kTopic).has_value());
  EXPECT_TRUE(h.router.mesh_peers(kTopic).empty());
  const Sent sent(h.drain());
  for (std::uint32_t p = 1; p <= 3; ++p) {
    ASSERT_EQ(sent.prunes(p), 1U);
    EXPECT_EQ(sent.first_prune(p)->backoff_seconds, 5U);
  }
}

TEST(RouterTest, NoBackoffInPruneToMeshsub10Peers) {
  Harness h;
  ASSERT_TRUE(h.router.subscribe(h.now, kTopic).has_value());
  h.connect(1, Direction::kOutbound, ProtocolVersion::kMeshsub10);
  h.peer_subscribes(1, kOther);
  h.flush();
  h.control(1, make_control<&Control::graft>({Graft{std::string(kOther)}}));
  const Sent sent(h.drain());
  ASSERT_EQ(sent.prunes(1), 1U);
  EXPECT_EQ(sent.first_prune(1)->backoff_seconds, std::nullopt);
}

TEST(RouterTest, PxAcceptedOnlyAboveThreshold) {
  RouterConfig config = RouterConfig::fleet();
  config.thresholds.accept_px_threshold = 0.0;
  Harness h(config);
  ASSERT_TRUE(h.router.subscribe(h.now, kTopic).has_value());
  h.peers(1, 2);
  h.flush();
  const std::vector<PxPeer> px = {PxPeer{to_bytes("x"), {}}};
  h.control(1, make_control<&Control::prune>({Prune{std::string(kTopic), px, 30}}));
  auto events = h.events();
  ASSERT_EQ(count_events<PeerExchange>(events), 1U);
  h.router.handle_rpc_malformed(h.now, P(2));  // now below accept_px_threshold
  h.control(2, make_control<&Control::prune>({Prune{std::string(kTopic), px, 30}}));
  EXPECT_EQ(count_events<PeerExchange>(h.events()), 0U);
}

TEST(RouterTest, PruneCarriesPxWhenEnabled) {
  RouterConfig config = RouterConfig::fleet();
  config.gossip.do_px = true;
  Harness h(config);
  h.peers(1, 4);
  ASSERT_TRUE(h.router.subscribe(h.now, kTopic).has_value());
  h.flush();
  ASSERT_TRUE(h.router.unsubscribe(h.now, kTopic).has_value());
  const Sent sent(h.drain());
  ASSERT_NE(sent.first_prune(1), nullptr);
  EXPECT_EQ(sent.first_prune(1)->peers.size(), 3U);  // the other topic peers
}

TEST(RouterTest, OpportunisticGraftWhenMedianMeshScoreIsLow) {
  RouterConfig config = RouterConfig::fleet();
  config.thresholds.opportunistic_graft_threshold = 5.0;
  config.gossip.opportunistic_graft_ticks = 2;
  Harness h(config);
  h.peers(1, 4);
  ASSERT_TRUE(h.router.subscribe(h.now, kTopic).has_value());
  h.peers(5, 7);
  // Peers 5 and 6 deliver first copies (P2 > 0); 7 delivers nothing.
  for (int i = 0; i < 8; ++i) {
    h.send_message(5 + (i % 2), make_message(kTopic, "first" + std::to_string(i)));
  }
  h.advance(1s);  // tick 1: no opportunistic graft
  EXPECT_EQ(h.router.mesh_peers(kTopic).size(), 4U);
  h.flush();
  h.advance(1s);  // tick 2
  const auto mesh = h.router.mesh_peers(kTopic);
  EXPECT_EQ(mesh.size(), 6U);
  EXPECT_TRUE(contains(mesh, 5));
  EXPECT_TRUE(contains(mesh, 6));
  EXPECT_FALSE(contains(mesh, 7));
  const Sent sent(h.drain());
  EXPECT_EQ(sent.grafts(5), 1U);
  EXPECT_EQ(sent.grafts(6), 1U);
}

TEST(RouterTest, DirectPeersGetEveryMessageButNoMeshOrGossip) {
  Harness h;
  h.connect(9, Direction::kOutbound, ProtocolVersion::kMeshsub12, PeeringKind::kDirect);
  h.peer_subscribes(9);
  h.peers(1, 2);
  ASSERT_TRUE(h.router.subscribe(h.now, kTopic).has_value());
  EXPECT_FALSE(contains(h.router.mesh_peers(kTopic), 9));
  h.flush();
  h.send_message(1, make_message(kTopic, "to direct"));
  const Sent sent(h.drain());
  EXPECT_EQ(sent.messages(9), 1U);
  EXPECT_EQ(sent.messages(2), 1U);
  h.advance(1s);
  const Sent later(h.drain());
  EXPECT_EQ(later.count(9, [](const Rpc& r) { return r.control.ihave.size(); }), 0U);
  EXPECT_FALSE(contains(h.router.mesh_peers(kTopic), 9));
}

}  // namespace
}  // namespace waku::relay
