// Single-router tests in virtual time: hand-fed peers, exact outputs.
#include "waku/relay/router.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>

#include "waku/crypto/sha256.hpp"
#include "waku/relay/peer_queue.hpp"

namespace waku::relay {
namespace {

constexpr std::string_view kTopic = "/waku/2/rs/16/32";
constexpr std::string_view kOther = "/waku/2/rs/16/33";

// A RelayMessage as the codec would make it: id = sha256(data), decoded set. `data` need not be
// the WakuMessage's encoding for the router, which never looks inside it.
RelayMessagePtr make_message(std::string_view topic, std::string_view text,
                             std::size_t size_bytes = 0) {
  Bytes data = to_bytes(text);
  if (data.size() < size_bytes) data.resize(size_bytes, 0xab);
  auto message = std::make_shared<RelayMessage>();
  message->topic = std::string(topic);
  message->id.bytes = crypto::sha256(data);
  message::WakuMessage decoded;
  decoded.payload = to_bytes(text);
  decoded.content_topic = "/test/1/router/proto";
  message->decoded = decoded;
  message->data = SharedBytes(std::move(data));
  return message;
}

MessageId id_of(int n) {
  MessageId id;
  id.bytes = crypto::sha256(to_bytes("id-" + std::to_string(n)));
  return id;
}

// A Control with one kind of entry, e.g. make_control<&Control::graft>({Graft{topic}}).
template <auto Member>
Control make_control(std::remove_cvref_t<decltype(std::declval<Control&>().*Member)> value) {
  Control c;
  c.*Member = std::move(value);
  return c;
}

PeerHandle P(std::uint32_t n) { return PeerHandle(n); }

struct Harness {
  explicit Harness(RouterConfig config = RouterConfig::fleet(), std::uint64_t seed = 7)
      : router(Router::create(std::move(config), Rng(seed)).value()) {}

  Router router;
  Instant now = Instant::origin() + 1s;

  void connect(std::uint32_t peer, Direction direction = Direction::kOutbound,
               ProtocolVersion protocol = ProtocolVersion::kMeshsub12,
               PeeringKind peering = PeeringKind::kRegular) {
    PeerConnected c;
    c.peer = P(peer);
    c.peer_id = to_bytes("peer-" + std::to_string(peer));
    c.direction = direction;
    c.protocol = protocol;
    c.peering = peering;
    router.handle_peer_connected(now, c);
  }
  void rpc(std::uint32_t from, Rpc rpc) { router.handle_rpc(now, P(from), std::move(rpc)); }
  void peer_subscribes(std::uint32_t peer, std::string_view topic = kTopic) {
    Rpc r;
    r.subscriptions.push_back(Subscription{true, std::string(topic)});
    rpc(peer, std::move(r));
  }
  // Connects peers [first, last] subscribed to `topic`.
  void peers(std::uint32_t first, std::uint32_t last, std::string_view topic = kTopic,
             Direction direction = Direction::kOutbound) {
    for (std::uint32_t p = first; p <= last; ++p) {
      connect(p, direction);
      peer_subscribes(p, topic);
    }
  }
  void send_message(std::uint32_t from, RelayMessagePtr message) {
    Rpc r;
    r.publish.push_back(std::move(message));
    rpc(from, std::move(r));
  }
  void control(std::uint32_t from, Control control) {
    Rpc r;
    r.control = std::move(control);
    rpc(from, std::move(r));
  }

  std::vector<Transmit> drain() {
    std::vector<Transmit> out;
    while (auto t = router.poll_transmit()) out.push_back(std::move(*t));
    return out;
  }
  std::vector<RouterEvent> events() {
    std::vector<RouterEvent> out;
    while (auto e = router.poll_event()) out.push_back(std::move(*e));
    return out;
  }
  void flush() {
    drain();
    events();
  }
  // Runs every heartbeat due until `now + d`.
  void advance(Duration d) {
    const Instant end = now + d;
    while (auto next = router.poll_timeout()) {
      if (*next > end) break;
      now = *next;
      router.handle_timeout(now);
    }
    now = end;
  }
};

// Merged view of everything sent to each peer.
struct Sent {
  std::map<std::uint32_t, std::vector<Rpc>> by_peer;
  explicit Sent(std::vector<Transmit> transmits) {
    for (auto& t : transmits) by_peer[t.peer.value()].push_back(std::move(t.rpc));
  }
  template <typename F>
  std::size_t count(std::uint32_t peer, F&& f) const {
    const auto it = by_peer.find(peer);
    if (it == by_peer.end()) return 0;
    std::size_t n = 0;
    for (const Rpc& r : it->second) n += f(r);
    return n;
  }
  std::size_t grafts(std::uint32_t p) const {
    return count(p, [](const Rpc& r) { return r.control.graft.size(); });
  }
  std::size_t prunes(std::uint32_t p) const {
    return count(p, [](const Rpc& r) { return r.control.prune.size(); });
  }
  std::size_t messages(std::uint32_t p) const {
    return count(p, [](const Rpc& r) { return r.publish.size(); });
  }
  std::size_t idontwants(std::uint32_t p) const {
    return count(p, [](const Rpc& r) {
      std::size_t n = 0;
      for (const auto& e : r.control.idontwant) n += e.ids.size();
      return n;
    });
  }
  std::vector<MessageId> iwant_ids(std::uint32_t p) const {
    std::vector<MessageId> ids;
    const auto it = by_peer.find(p);
    if (it == by_peer.end()) return ids;
    for (const Rpc& r : it->second) {
      for (const auto& e : r.control.iwant) ids.insert(ids.end(), e.ids.begin(), e.ids.end());
    }
    return ids;
  }
  const Prune* first_prune(std::uint32_t p) const {
    const auto it = by_peer.find(p);
    if (it == by_peer.end()) return nullptr;
    for (const Rpc& r : it->second) {
      if (!r.control.prune.empty()) return &r.control.prune.front();
    }
    return nullptr;
  }
};

template <typename T>
std::size_t count_events(const std::vector<RouterEvent>& events) {
  return static_cast<std::size_t>(
      std::count_if(events.begin(), events.end(),
                    [](const RouterEvent& e) { return std::holds_alternative<T>(e); }));
}

bool contains(const std::vector<PeerHandle>& v, std::uint32_t p) {
  return std::find(v.begin(), v.end(), P(p)) != v.end();
}

// --- protocol ids ---

TEST(RouterTest, ProtocolVersionFromId) {
  EXPECT_EQ(protocol_version_from_id("/vac/waku/relay/2.0.0"), ProtocolVersion::kWakuRelay2);
  EXPECT_EQ(protocol_version_from_id("/meshsub/1.0.0"), ProtocolVersion::kMeshsub10);
  EXPECT_EQ(protocol_version_from_id("/meshsub/1.1.0"), ProtocolVersion::kMeshsub11);
  EXPECT_EQ(protocol_version_from_id("/meshsub/1.2.0"), ProtocolVersion::kMeshsub12);
  EXPECT_EQ(protocol_version_from_id("/floodsub/1.0.0"), std::nullopt);
}

// --- config ---

TEST(RouterConfigTest, ProfilesValidateAndDiffer) {
  const auto fleet = RouterConfig::fleet();
  const auto client = RouterConfig::client();
  EXPECT_TRUE(fleet.validate().has_value());
  EXPECT_TRUE(client.validate().has_value());
  EXPECT_EQ(fleet.gossip.d, 6U);
  EXPECT_EQ(fleet.gossip.d_out, 3U);
  EXPECT_EQ(fleet.gossip.d_score, 6U);
  EXPECT_EQ(client.gossip.d, 4U);
  EXPECT_EQ(client.gossip.d_lazy, 4U);
  EXPECT_EQ(client.gossip.d_out, 2U);
  EXPECT_EQ(RouterConfig::profile("client").value().gossip.d, 4U);
  EXPECT_EQ(RouterConfig::profile("bogus").error().code, Errc::kInvalidConfig);
}

TEST(RouterConfigTest, InvalidParametersAreNamed) {
  struct Case {
    void (*mutate)(RouterConfig&);
    std::string_view param;
  };
  const Case cases[] = {
      {[](RouterConfig& c) { c.gossip.d_low = 7; }, "gossip.d_low"},
      {[](RouterConfig& c) { c.gossip.d_high = 5; }, "gossip.d_high"},
      {[](RouterConfig& c) { c.gossip.d_out = 4; }, "gossip.d_out"},
      {[](RouterConfig& c) {
         c.gossip.d = 4;
         c.gossip.d_out = 3;
       },
       "gossip.d_out"},
      {[](RouterConfig& c) { c.gossip.d_score = 9; }, "gossip.d_score"},
      {[](RouterConfig& c) { c.gossip.history_gossip = 7; }, "gossip.history_gossip"},
      {[](RouterConfig& c) { c.gossip.heartbeat_interval = 0s; }, "gossip.heartbeat_interval"},
      {[](RouterConfig& c) { c.gossip.seen_ttl = -1s; }, "gossip.seen_ttl"},
      {[](RouterConfig& c) { c.gossip.gossip_factor = 1.5; }, "gossip.gossip_factor"},
      {[](RouterConfig& c) { c.gossip.max_ihave_length = 0; }, "gossip.max_ihave_length"},
      {[](RouterConfig& c) { c.gossip.peer_queue_max_messages = 0; },
       "gossip.peer_queue_max_messages"},
      {[](RouterConfig& c) { c.gossip.max_transmit_size_bytes = 100; },
       "gossip.max_transmit_size_bytes"},
  };
  for (const auto& c : cases) {
    RouterConfig config = RouterConfig::fleet();
    c.mutate(config);
    auto router = Router::create(config, Rng(1));
    ASSERT_FALSE(router.has_value()) << c.param;
    EXPECT_EQ(router.error().code, Errc::kInvalidConfig);
    EXPECT_TRUE(std::string_view(router.error().context).starts_with(c.param))
        << router.error().context;
  }
  RouterConfig bad_thresholds = RouterConfig::fleet();
  bad_thresholds.thresholds.gossip_threshold = 10.0;  // must be < 0
  EXPECT_FALSE(Router::create(bad_thresholds, Rng(1)).has_value());
}

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

// --- messages ---

TEST(RouterTest, ForwardsToMeshExceptSenderAndIdontwantPeers) {
  Harness h;
  h.peers(1, 4);
  ASSERT_TRUE(h.router.subscribe(h.now, kTopic).has_value());
  ASSERT_EQ(h.router.mesh_peers(kTopic).size(), 4U);
  h.flush();
  const auto msg = make_message(kTopic, "hello", 2000);
  // Peer 3 already told us it has the message.
  h.control(3, make_control<&Control::idontwant>({IDontWant{{msg->id}}}));
  h.send_message(1, msg);
  const Sent sent(h.drain());
  EXPECT_EQ(sent.messages(1), 0U);  // sender
  EXPECT_EQ(sent.messages(2), 1U);
  EXPECT_EQ(sent.messages(3), 0U);  // IDONTWANT
  EXPECT_EQ(sent.messages(4), 1U);
  // IDONTWANT (>= 1024 bytes) to the mesh except the sender.
  EXPECT_EQ(sent.idontwants(1), 0U);
  EXPECT_EQ(sent.idontwants(2), 1U);
  EXPECT_EQ(sent.idontwants(4), 1U);
  // Shared, never copied.
  EXPECT_EQ(sent.by_peer.at(2)[0].publish[0].get(), msg.get());
  const auto events = h.events();
  ASSERT_EQ(count_events<MessageDelivered>(events), 1U);
  const auto& delivered = std::get<MessageDelivered>(events[0]);
  EXPECT_EQ(delivered.from, P(1));
  EXPECT_EQ(h.router.stats().messages_forwarded, 2U);
}

TEST(RouterTest, IdontwantExpiresAfterTtlHeartbeats) {
  Harness h;
  h.peers(1, 2);
  ASSERT_TRUE(h.router.subscribe(h.now, kTopic).has_value());
  const auto msg = make_message(kTopic, "later", 2000);
  h.control(2, make_control<&Control::idontwant>({IDontWant{{msg->id, id_of(1)}}}));
  EXPECT_EQ(h.router.sizes().idontwant_ids, 2U);
  h.advance(2s);  // heartbeats at 0.1 s and 1.1 s
  EXPECT_EQ(h.router.sizes().idontwant_ids, 2U);
  h.advance(1s);  // third heartbeat: idontwant_ttl_heartbeats = 3
  EXPECT_EQ(h.router.sizes().idontwant_ids, 0U);
  h.flush();
  h.send_message(1, msg);
  EXPECT_EQ(Sent(h.drain()).messages(2), 1U);
}

TEST(RouterTest, SmallMessagesGetNoIdontwantAndOldProtocolsNone) {
  Harness h;
  h.peers(1, 2);
  h.connect(3, Direction::kOutbound, ProtocolVersion::kMeshsub11);
  h.peer_subscribes(3);
  ASSERT_TRUE(h.router.subscribe(h.now, kTopic).has_value());
  h.flush();
  h.send_message(1, make_message(kTopic, "small", 100));
  h.send_message(1, make_message(kTopic, "large", 4000));
  const Sent sent(h.drain());
  EXPECT_EQ(sent.idontwants(2), 1U);  // only the large one
  EXPECT_EQ(sent.idontwants(3), 0U);  // /meshsub/1.1.0 has no IDONTWANT
  EXPECT_EQ(sent.messages(3), 2U);
}

TEST(RouterTest, DuplicateNotDeliveredTwice) {
  Harness h;
  h.peers(1, 3);
  ASSERT_TRUE(h.router.subscribe(h.now, kTopic).has_value());
  h.flush();
  const auto msg = make_message(kTopic, "once");
  h.send_message(1, msg);
  h.send_message(2, msg);
  h.send_message(3, msg);
  EXPECT_EQ(count_events<MessageDelivered>(h.events()), 1U);
  const auto& stats = h.router.stats();
  EXPECT_EQ(stats.messages_received, 3U);
  EXPECT_EQ(stats.messages_duplicate, 2U);
  EXPECT_EQ(stats.messages_first_seen, 1U);
  EXPECT_EQ(stats.messages_delivered, 1U);
}

TEST(RouterTest, MessagesForUnsubscribedTopicsDropped) {
  Harness h;
  h.peers(1, 1);
  h.send_message(1, make_message(kTopic, "x"));
  EXPECT_EQ(count_events<MessageDelivered>(h.events()), 0U);
  EXPECT_EQ(h.router.stats().unknown_topic_dropped, 1U);
}

class RejectAll final : public Validator {
 public:
  Verdict validate(const ValidationContext& context, const RelayMessage&) override {
    last_unix_now = context.unix_now;
    return verdict;
  }
  Verdict verdict{Verdict::kReject};
  UnixNanos last_unix_now{};
};

TEST(RouterTest, RejectsLowerSenderScoreAndAreNotForwarded) {
  RouterConfig config = RouterConfig::fleet();
  config.unix_time_at_origin = UnixNanos{1'700'000'000'000'000'000};
  Harness h(config);
  h.peers(1, 4);
  ASSERT_TRUE(h.router.subscribe(h.now, kTopic).has_value());
  auto validator = std::make_unique<RejectAll>();
  validator->verdict = Verdict::kAccept;
  RejectAll* v = validator.get();
  h.router.add_validator(std::string(kTopic), std::move(validator));
  h.flush();

  auto authored = std::make_shared<RelayMessage>(*make_message(kTopic, "author"));
  authored->has_author_fields = true;
  h.send_message(1, authored);
  auto undecodable = std::make_shared<RelayMessage>(*make_message(kTopic, "garbage"));
  undecodable->decoded.reset();
  h.send_message(2, undecodable);
  v->verdict = Verdict::kReject;
  h.send_message(3, make_message(kTopic, "refused"));

  const Sent sent(h.drain());
  for (std::uint32_t p = 1; p <= 4; ++p) EXPECT_EQ(sent.messages(p), 0U);
  EXPECT_EQ(count_events<MessageDelivered>(h.events()), 0U);
  EXPECT_EQ(h.router.stats().messages_rejected, 3U);
  for (std::uint32_t p = 1; p <= 3; ++p) {
    EXPECT_LE(h.router.score(h.now, P(p)), -100.0) << p;  // P4: 1^2 x -100
  }
  EXPECT_GE(h.router.score(h.now, P(4)), 0.0);
  // The author-field copy did not mark the id seen: a clean copy of the same data is accepted.
  auto clean = std::make_shared<RelayMessage>(*authored);
  clean->has_author_fields = false;
  v->verdict = Verdict::kAccept;
  h.send_message(4, clean);
  EXPECT_EQ(count_events<MessageDelivered>(h.events()), 1U);
  // unix_now = unix_time_at_origin + (now - origin).
  EXPECT_EQ(v->last_unix_now.value,
            1'700'000'000'000'000'000 + (h.now - Instant::origin()).count());
}

TEST(RouterTest, IgnoredMessagesNotPenalisedNorForwarded) {
  Harness h;
  h.peers(1, 2);
  ASSERT_TRUE(h.router.subscribe(h.now, kTopic).has_value());
  auto validator = std::make_unique<RejectAll>();
  validator->verdict = Verdict::kIgnore;
  h.router.add_validator("", std::move(validator));
  h.flush();
  h.send_message(1, make_message(kTopic, "meh"));
  EXPECT_EQ(Sent(h.drain()).messages(2), 0U);
  EXPECT_EQ(h.router.stats().messages_ignored, 1U);
  EXPECT_GE(h.router.score(h.now, P(1)), 0.0);
}

TEST(RouterTest, AsyncValidationTicketFlowAndThrottling) {
  RouterConfig config = RouterConfig::fleet();
  config.gossip.max_pending_validations = 2;
  Harness h(config);
  h.peers(1, 3);
  ASSERT_TRUE(h.router.subscribe(h.now, kTopic).has_value());
  h.router.enable_async_validation(std::string(kTopic));
  h.flush();
  const auto a = make_message(kTopic, "a");
  const auto b = make_message(kTopic, "b");
  h.send_message(1, a);
  h.send_message(1, b);
  h.send_message(2, a);                          // a copy while `a` is being validated
  h.send_message(1, make_message(kTopic, "c"));  // throttled
  EXPECT_EQ(h.router.stats().validations_throttled, 1U);
  EXPECT_EQ(h.router.sizes().pending_validations, 2U);
  EXPECT_TRUE(h.drain().empty());  // nothing forwarded before the verdict
  const auto events = h.events();
  ASSERT_EQ(events.size(), 2U);
  const auto ta = std::get<ValidationRequested>(events[0]);
  const auto tb = std::get<ValidationRequested>(events[1]);
  EXPECT_EQ(ta.message->id, a->id);
  EXPECT_NE(ta.ticket, tb.ticket);

  h.router.handle_validation_result(h.now, ta.ticket, Verdict::kAccept);
  const Sent sent(h.drain());
  EXPECT_EQ(sent.messages(1), 0U);  // sender
  EXPECT_EQ(sent.messages(2), 0U);  // sent a copy during validation
  EXPECT_EQ(sent.messages(3), 1U);
  EXPECT_EQ(count_events<MessageDelivered>(h.events()), 1U);

  h.router.handle_validation_result(h.now, tb.ticket, Verdict::kReject);
  h.router.handle_validation_result(h.now, tb.ticket, Verdict::kAccept);  // stale: ignored
  EXPECT_TRUE(h.drain().empty());
  EXPECT_EQ(count_events<MessageDelivered>(h.events()), 0U);
  EXPECT_EQ(h.router.sizes().pending_validations, 0U);
  // P4 for `b` (-100) outweighs P2 for `a` (+1).
  EXPECT_LE(h.router.score(h.now, P(1)), -99.0);
}

// --- publishing ---

TEST(RouterTest, FloodPublishReachesAllTopicPeersAndDeliversLocally) {
  Harness h;
  h.peers(1, 10);
  h.peers(11, 12, kOther);
  ASSERT_TRUE(h.router.subscribe(h.now, kTopic).has_value());
  h.flush();
  const auto msg = make_message(kTopic, "mine");
  const auto outcome = h.router.publish(h.now, msg);
  ASSERT_TRUE(outcome.has_value());
  EXPECT_EQ(outcome->id, msg->id);
  EXPECT_EQ(outcome->peers, 10U);
  const Sent sent(h.drain());
  for (std::uint32_t p = 1; p <= 10; ++p) EXPECT_EQ(sent.messages(p), 1U);
  EXPECT_EQ(sent.messages(11), 0U);
  const auto events = h.events();
  ASSERT_EQ(count_events<MessageDelivered>(events), 1U);
  EXPECT_EQ(std::get<MessageDelivered>(events[0]).from, std::nullopt);
  EXPECT_EQ(h.router.publish(h.now, msg).error().code, Errc::kDuplicate);
  // A received copy of our own message is a duplicate.
  h.send_message(1, msg);
  EXPECT_EQ(h.router.stats().messages_duplicate, 1U);
}

TEST(RouterTest, PublishingWithoutPeersRecordsNothingSoTheSameMessageCanBeRetried) {
  Harness h;
  ASSERT_TRUE(h.router.subscribe(h.now, kTopic).has_value());
  h.flush();
  const auto msg = make_message(kTopic, "early");
  const auto alone = h.router.publish(h.now, msg);
  ASSERT_TRUE(alone.has_value());
  EXPECT_EQ(alone->peers, 0U);
  EXPECT_EQ(count_events<MessageDelivered>(h.events()), 0U);
  EXPECT_EQ(h.router.stats().messages_published, 0U);
  EXPECT_EQ(h.router.sizes().seen_ids, 0U);
  EXPECT_EQ(h.router.sizes().mcache_messages, 0U);

  h.peers(1, 3);
  h.flush();
  const auto retried = h.router.publish(h.now, msg);  // the same bytes, now that peers are here
  ASSERT_TRUE(retried.has_value());
  EXPECT_EQ(retried->peers, 3U);
  const Sent sent(h.drain());
  for (std::uint32_t p = 1; p <= 3; ++p) EXPECT_EQ(sent.messages(p), 1U);
  EXPECT_EQ(count_events<MessageDelivered>(h.events()), 1U);
}

TEST(RouterTest, PublishChecksShapeSizeAndValidators) {
  RouterConfig config = RouterConfig::fleet();
  config.gossip.max_message_size_bytes = 1000;
  Harness h(config);
  EXPECT_EQ(h.router.publish(h.now, make_message(kTopic, "big", 1001)).error().code,
            Errc::kTooLarge);
  auto undecodable = std::make_shared<RelayMessage>(*make_message(kTopic, "x"));
  undecodable->decoded.reset();
  EXPECT_EQ(h.router.publish(h.now, undecodable).error().code, Errc::kInvalidMessage);
  h.router.add_validator(std::string(kTopic), std::make_unique<RejectAll>());
  EXPECT_EQ(h.router.publish(h.now, make_message(kTopic, "no")).error().code,
            Errc::kInvalidMessage);
  EXPECT_TRUE(h.router.publish(h.now, make_message(kOther, "yes")).has_value());
}

TEST(RouterTest, FanoutWhenPublishingUnsubscribedAndItsExpiry) {
  RouterConfig config = RouterConfig::fleet();
  config.gossip.flood_publish = false;
  Harness h(config);
  h.peers(1, 10);
  h.flush();
  ASSERT_TRUE(h.router.publish(h.now, make_message(kTopic, "m1")).has_value());
  const auto fanout = h.router.fanout_peers(kTopic);
  ASSERT_EQ(fanout.size(), 6U);
  const Sent sent(h.drain());
  for (std::uint32_t p = 1; p <= 10; ++p)
    EXPECT_EQ(sent.messages(p), contains(fanout, p) ? 1U : 0U);
  EXPECT_EQ(count_events<MessageDelivered>(h.events()), 0U);  // not subscribed
  // The same fanout is reused while it lives.
  ASSERT_TRUE(h.router.publish(h.now, make_message(kTopic, "m2")).has_value());
  EXPECT_EQ(h.router.fanout_peers(kTopic), fanout);
  // A fanout peer leaving is replaced at the heartbeat.
  h.router.handle_peer_disconnected(h.now, fanout[0]);
  h.advance(1s);
  EXPECT_EQ(h.router.fanout_peers(kTopic).size(), 6U);
  EXPECT_FALSE(contains(h.router.fanout_peers(kTopic), fanout[0].value()));
  // Expiry 60 s after the last publication.
  h.advance(59s);
  EXPECT_EQ(h.router.fanout_peers(kTopic).size(), 6U);
  h.advance(2s);
  EXPECT_TRUE(h.router.fanout_peers(kTopic).empty());
}

TEST(RouterTest, JoinTakesFanoutPeersFirst) {
  RouterConfig config = RouterConfig::fleet();
  config.gossip.flood_publish = false;
  Harness h(config);
  h.peers(1, 12);
  ASSERT_TRUE(h.router.publish(h.now, make_message(kTopic, "m")).has_value());
  const auto fanout = h.router.fanout_peers(kTopic);
  ASSERT_TRUE(h.router.subscribe(h.now, kTopic).has_value());
  EXPECT_EQ(h.router.mesh_peers(kTopic), fanout);
  EXPECT_TRUE(h.router.fanout_peers(kTopic).empty());
}

// --- gossip ---

TEST(RouterTest, EmitsIHaveToNonMeshPeers) {
  Harness h;
  ASSERT_TRUE(h.router.subscribe(h.now, kTopic).has_value());
  h.peers(1, 10);
  h.advance(1s);  // mesh of 6
  const auto mesh = h.router.mesh_peers(kTopic);
  ASSERT_EQ(mesh.size(), 6U);
  const auto msg = make_message(kTopic, "gossip me");
  ASSERT_TRUE(h.router.publish(h.now, msg).has_value());
  h.flush();
  h.advance(1s);
  const Sent sent(h.drain());
  std::size_t ihaves = 0;
  for (std::uint32_t p = 1; p <= 10; ++p) {
    const std::size_t n = sent.count(p, [&](const Rpc& r) {
      std::size_t k = 0;
      for (const auto& e : r.control.ihave) {
        EXPECT_EQ(e.topic, kTopic);
        EXPECT_EQ(e.ids, std::vector<MessageId>{msg->id});
        ++k;
      }
      return k;
    });
    if (contains(mesh, p)) {
      EXPECT_EQ(n, 0U) << p;
    }
    ihaves += n;
  }
  EXPECT_EQ(ihaves, 4U);  // max(d_lazy = 6, 0.25 x 4) capped at the 4 non-mesh peers
}

TEST(RouterTest, IWantServedFromMcacheAtMostGossipRetransmission) {
  Harness h;
  h.peers(1, 1);
  ASSERT_TRUE(h.router.subscribe(h.now, kTopic).has_value());
  const auto msg = make_message(kTopic, "cached");
  ASSERT_TRUE(h.router.publish(h.now, msg).has_value());
  h.flush();
  for (int i = 0; i < 5; ++i)
    h.control(1, make_control<&Control::iwant>({IWant{{msg->id, id_of(1)}}}));
  EXPECT_EQ(Sent(h.drain()).messages(1), 3U);
  // After history_length heartbeats the message has left the cache.
  h.connect(2);
  h.advance(6s);
  h.flush();
  h.control(2, make_control<&Control::iwant>({IWant{{msg->id}}}));
  EXPECT_EQ(Sent(h.drain()).messages(2), 0U);
}

TEST(RouterTest, IWantSkipsIdsThePeerDoesNotWant) {
  Harness h;
  h.peers(1, 1);
  ASSERT_TRUE(h.router.subscribe(h.now, kTopic).has_value());
  const auto msg = make_message(kTopic, "cached");
  ASSERT_TRUE(h.router.publish(h.now, msg).has_value());
  h.flush();
  h.control(1, [&] {
    Control c;
    c.iwant = {IWant{{msg->id}}};
    c.idontwant = {IDontWant{{msg->id}}};
    return c;
  }());
  EXPECT_EQ(Sent(h.drain()).messages(1), 0U);
}

TEST(RouterTest, IHaveAnsweredWithIWantForUnseenIdsOnly) {
  Harness h;
  h.peers(1, 1);
  ASSERT_TRUE(h.router.subscribe(h.now, kTopic).has_value());
  const auto seen = make_message(kTopic, "seen");
  h.send_message(1, seen);
  h.flush();
  h.control(
      1, make_control<&Control::ihave>({IHave{std::string(kTopic), {seen->id, id_of(1), id_of(2)}},
                                        IHave{"/not/ours", {id_of(3)}}}));
  auto ids = Sent(h.drain()).iwant_ids(1);
  std::sort(ids.begin(), ids.end());
  std::vector<MessageId> expected{id_of(1), id_of(2)};
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(ids, expected);
  EXPECT_EQ(h.router.sizes().promises, 1U);
}

TEST(RouterTest, IHaveBudgetsPerHeartbeat) {
  RouterConfig config = RouterConfig::fleet();
  config.gossip.max_ihave_length = 5;
  config.gossip.max_ihave_messages = 2;
  Harness h(config);
  h.peers(1, 1);
  ASSERT_TRUE(h.router.subscribe(h.now, kTopic).has_value());
  h.flush();
  const auto ihave = [](int first, int count) {
    IHave e{std::string(kTopic), {}};
    for (int i = 0; i < count; ++i) e.ids.push_back(id_of(first + i));
    return make_control<&Control::ihave>({e});
  };
  h.control(1, ihave(0, 3));
  h.control(1, ihave(10, 3));  // only 2 left of the 5-id budget
  h.control(1, ihave(20, 3));  // third IHAVE this heartbeat: ignored
  EXPECT_EQ(Sent(h.drain()).iwant_ids(1).size(), 5U);
  h.advance(1s);
  h.flush();
  h.control(1, ihave(30, 8));  // new heartbeat, fresh budget, truncated to 5
  EXPECT_EQ(Sent(h.drain()).iwant_ids(1).size(), 5U);
}

TEST(RouterTest, BrokenPromisePenalisedAfterFollowupTime) {
  Harness h;
  h.peers(1, 2);
  ASSERT_TRUE(h.router.subscribe(h.now, kTopic).has_value());
  h.flush();
  const auto msg = make_message(kTopic, "promised");
  h.control(1, make_control<&Control::ihave>(
                   {IHave{std::string(kTopic), {id_of(1)}}}));  // never delivered
  h.control(2, make_control<&Control::ihave>({IHave{std::string(kTopic), {msg->id}}}));
  h.send_message(2, msg);  // kept
  h.flush();
  const double s1 = h.router.score(h.now, P(1));
  h.advance(2s);
  EXPECT_EQ(h.router.stats().broken_promises, 0U);
  h.advance(2s);
  EXPECT_EQ(h.router.stats().broken_promises, 1U);
  EXPECT_LT(h.router.score(h.now, P(1)), s1);
  EXPECT_EQ(h.router.sizes().promises, 0U);
}

// --- output queues ---

TEST(RouterTest, QueueDropPolicyWhileBlocked) {
  RouterConfig config = RouterConfig::fleet();
  config.gossip.peer_queue_max_messages = 3;
  config.gossip.peer_queue_max_control = 4;
  Harness h(config);
  h.peers(1, 2);
  ASSERT_TRUE(h.router.subscribe(h.now, kTopic).has_value());
  h.flush();
  h.router.handle_send_window(h.now, P(2), SendWindow::kBlocked);
  const auto own1 = make_message(kTopic, "own1");
  ASSERT_TRUE(h.router.publish(h.now, own1).has_value());
  std::vector<RelayMessagePtr> forwarded;
  for (int i = 0; i < 4; ++i) {
    forwarded.push_back(make_message(kTopic, "fwd" + std::to_string(i)));
    h.send_message(1, forwarded.back());
  }
  // Nothing for the blocked peer yet.
  auto sent = h.drain();
  for (const auto& t : sent) EXPECT_NE(t.peer, P(2));
  // 5 queued into 3 slots: the two oldest forwarded copies were dropped, our own kept.
  EXPECT_EQ(h.router.stats().queue_dropped_messages, 2U);
  h.router.handle_send_window(h.now, P(2), SendWindow::kOpen);
  sent = h.drain();
  ASSERT_EQ(sent.size(), 1U);
  EXPECT_EQ(sent[0].peer, P(2));
  ASSERT_EQ(sent[0].rpc.publish.size(), 3U);
  EXPECT_EQ(sent[0].rpc.publish[0]->id, own1->id);
  EXPECT_EQ(sent[0].rpc.publish[1]->id, forwarded[2]->id);
  EXPECT_EQ(sent[0].rpc.publish[2]->id, forwarded[3]->id);

  // Control is never dropped; past the limit the slow peer is to be disconnected (once).
  h.flush();
  h.router.handle_send_window(h.now, P(2), SendWindow::kBlocked);
  for (int i = 0; i < 6; ++i) {
    h.router.subscribe(h.now, "/t/" + std::to_string(i)).value();
    h.drain();  // peer 1 is not blocked: its queue empties
  }
  const auto events = h.events();
  std::size_t slow = 0;
  for (const auto& e : events) {
    if (const auto* d = std::get_if<DisconnectPeer>(&e)) {
      EXPECT_EQ(d->peer, P(2));
      EXPECT_EQ(d->reason, DisconnectReason::kSlowPeer);
      ++slow;
    }
  }
  EXPECT_EQ(slow, 1U);
}

TEST(RouterTest, TwoBigMessagesNeverShareAnRpcBeyondTheLimit) {
  RouterConfig config = RouterConfig::fleet();
  config.gossip.max_message_size_bytes = 10'000;
  config.gossip.max_transmit_size_bytes = 15'000;
  Harness h(config);
  h.peers(1, 2);
  ASSERT_TRUE(h.router.subscribe(h.now, kTopic).has_value());
  h.flush();
  h.router.handle_send_window(h.now, P(2), SendWindow::kBlocked);
  h.send_message(1, make_message(kTopic, "a", 9000));
  h.send_message(1, make_message(kTopic, "b", 9000));
  h.send_message(1, make_message(kTopic, "c", 100));
  h.router.handle_send_window(h.now, P(2), SendWindow::kOpen);
  const auto sent = h.drain();
  ASSERT_EQ(sent.size(), 2U);
  EXPECT_EQ(sent[0].rpc.publish.size(), 1U);
  EXPECT_EQ(sent[1].rpc.publish.size(), 2U);
  for (const auto& t : sent) EXPECT_LE(estimated_rpc_size(t.rpc), 15'000U);
}

// --- timers ---

TEST(RouterTest, HeartbeatScheduleAndLateHost) {
  Harness h;
  EXPECT_EQ(h.router.poll_timeout(), std::nullopt);
  h.connect(1);
  EXPECT_EQ(h.router.poll_timeout(), h.now + 100ms);
  h.router.handle_timeout(h.now + 50ms);  // early: nothing
  EXPECT_EQ(h.router.heartbeats(), 0U);
  h.router.handle_timeout(h.now + 100ms);
  EXPECT_EQ(h.router.heartbeats(), 1U);
  EXPECT_EQ(h.router.poll_timeout(), h.now + 1100ms);
  // Ten seconds late: one heartbeat, the schedule keeps its phase.
  h.router.handle_timeout(h.now + 11'500ms);
  EXPECT_EQ(h.router.heartbeats(), 2U);
  EXPECT_EQ(h.router.poll_timeout(), h.now + 12'100ms);
}

// --- scoring and hostile peers ---

TEST(RouterTest, GraylistedPeerIgnoredAndDisconnectedOnce) {
  Harness h;
  h.peers(1, 1);
  ASSERT_TRUE(h.router.subscribe(h.now, kTopic).has_value());
  h.flush();
  for (int i = 0; i < 40; ++i) h.router.handle_rpc_malformed(h.now, P(1));  // 40^2 x -10
  EXPECT_LT(h.router.score(h.now, P(1)), -10000.0);
  h.send_message(1, make_message(kTopic, "ignored"));
  h.send_message(1, make_message(kTopic, "ignored too"));
  EXPECT_EQ(h.router.stats().rpcs_ignored_graylisted, 2U);
  EXPECT_EQ(h.router.stats().messages_received, 0U);
  h.advance(1s);
  const auto events = h.events();
  EXPECT_EQ(count_events<DisconnectPeer>(events), 1U);
  EXPECT_EQ(count_events<MessageDelivered>(events), 0U);
}

TEST(RouterTest, HostilePeerCannotGrowMemoryWithoutBound) {
  RouterConfig config = RouterConfig::fleet();
  config.gossip.max_topics_per_peer = 16;
  config.gossip.max_topics_total = 32;
  config.gossip.idontwant_max_ids_per_heartbeat = 100;
  Harness h(config);
  ASSERT_TRUE(h.router.subscribe(h.now, kTopic).has_value());
  h.connect(1);
  h.connect(2);
  h.connect(3);
  for (int round = 0; round < 20; ++round) {
    // Subscription floods with ever new topics, then unsubscribing them.
    for (std::uint32_t p = 1; p <= 3; ++p) {
      Rpc subs;
      for (int i = 0; i < 100; ++i) {
        subs.subscriptions.push_back(
            Subscription{true, "/spam/" + std::to_string(round) + "/" + std::to_string(i)});
      }
      h.rpc(p, std::move(subs));
    }
    EXPECT_LE(h.router.sizes().topics, 32U);
    EXPECT_LE(h.router.sizes().peer_topic_entries, 3U * 16U);
    // PRUNEs with very long backoffs for the spam topics must not pin their slots.
    Control pin;
    for (int i = 0; i < 100; ++i) {
      pin.prune.push_back(
          Prune{"/spam/" + std::to_string(round) + "/" + std::to_string(i), {}, 1'000'000'000});
    }
    h.control(1, std::move(pin));
    for (std::uint32_t p = 1; p <= 3; ++p) {
      Rpc unsubs;
      for (int i = 0; i < 100; ++i) {
        unsubs.subscriptions.push_back(
            Subscription{false, "/spam/" + std::to_string(round) + "/" + std::to_string(i)});
      }
      h.rpc(p, std::move(unsubs));
    }
    // IHAVE floods with unseen ids, IDONTWANT floods, GRAFT/PRUNE for unknown topics.
    Control c;
    for (int e = 0; e < 20; ++e) {
      IHave ihave{std::string(kTopic), {}};
      for (int i = 0; i < 1000; ++i) ihave.ids.push_back(id_of(round * 100'000 + e * 1000 + i));
      c.ihave.push_back(std::move(ihave));
    }
    IDontWant dont;
    for (int i = 0; i < 1000; ++i) dont.ids.push_back(id_of(-i - round * 1000));
    c.idontwant.push_back(std::move(dont));
    c.graft.push_back(Graft{"/unknown/" + std::to_string(round)});
    c.prune.push_back(Prune{"/unknown/" + std::to_string(round), {}, 1'000'000'000});
    h.control(1, std::move(c));
    h.router.handle_rpc_malformed(h.now, P(2));
    h.advance(1s);
    h.drain();
    h.events();
    const auto sizes = h.router.sizes();
    EXPECT_LE(sizes.idontwant_ids, 100U * 3U);  // per-heartbeat cap x ttl
    EXPECT_LE(sizes.promises, 10U * 3U);        // <= one per IHAVE RPC within followup
    EXPECT_LE(sizes.queued_gossip, 3U * 64U);
  }
  // Each heartbeat the IWANT budget caps what we ask: 5000 ids per heartbeat.
  EXPECT_LE(h.router.stats().iwant_sent, 20U);
  EXPECT_GT(h.router.stats().unknown_topic_dropped, 0U);
  // Topics released once nobody refers to them: only ours remains (and maybe the last round's).
  EXPECT_LE(h.router.sizes().topics, 1U);
  // Malformed RPCs pushed peer 2's score down.
  EXPECT_LT(h.router.score(h.now, P(2)), -100.0);
}

// --- randomised robustness: hostile and benign inputs in any order ---

struct Chaos {
  RouterStats stats;
  std::vector<std::uint32_t> mesh;
};

Chaos run_chaos(std::uint64_t seed) {
  RouterConfig config = RouterConfig::fleet();
  config.gossip.max_pending_validations = 8;
  config.gossip.peer_queue_max_control = 64;
  config.gossip.max_topics_total = 8;
  Harness h(config, seed);
  h.router.enable_async_validation(std::string(kOther));
  Rng rng(seed);
  const std::string topics[] = {std::string(kTopic), std::string(kOther), "/a", "/b", "/c"};
  const auto topic = [&] { return topics[rng.uniform(5)]; };
  std::vector<RelayMessagePtr> messages;
  for (int i = 0; i < 400; ++i) {
    messages.push_back(make_message(topics[i % 2], std::to_string(i), i % 3 == 0 ? 1500 : 10));
  }
  const auto any_message = [&] { return messages[rng.uniform(messages.size())]; };
  std::vector<ValidationTicket> tickets;
  std::vector<bool> connected(21, false);
  for (int step = 0; step < 3000; ++step) {
    const auto peer = static_cast<std::uint32_t>(1 + rng.uniform(20));
    switch (rng.uniform(18)) {
      case 0:
        if (!connected[peer]) {
          h.connect(peer, rng.bernoulli(0.5) ? Direction::kInbound : Direction::kOutbound,
                    static_cast<ProtocolVersion>(rng.uniform(4)),
                    rng.bernoulli(0.1) ? PeeringKind::kDirect : PeeringKind::kRegular);
          connected[peer] = true;
        }
        break;
      case 1:
        h.router.handle_peer_disconnected(h.now, P(peer));
        connected[peer] = false;
        break;
      case 2: {
        Rpc r;
        r.subscriptions.push_back(Subscription{rng.bernoulli(0.7), topic()});
        h.rpc(peer, std::move(r));
        break;
      }
      case 3: h.control(peer, make_control<&Control::graft>({Graft{topic()}})); break;
      case 4:
        h.control(peer, make_control<&Control::prune>({Prune{topic(), {}, rng.uniform(100)}}));
        break;
      case 5:
        h.control(peer, make_control<&Control::ihave>(
                            {IHave{topic(), {any_message()->id, id_of(step)}}}));
        break;
      case 6: h.control(peer, make_control<&Control::iwant>({IWant{{any_message()->id}}})); break;
      case 7:
        h.control(peer, make_control<&Control::idontwant>({IDontWant{{any_message()->id}}}));
        break;
      case 8:
      case 14:
      case 15:
      case 16:
      case 17: {
        auto m = any_message();
        if (rng.bernoulli(0.1)) {
          auto bad = std::make_shared<RelayMessage>(*m);
          bad->has_author_fields = true;
          m = bad;
        }
        h.send_message(peer, m);
        break;
      }
      case 9: (void)h.router.publish(h.now, any_message()); break;
      case 10:
        if (rng.bernoulli(0.8)) {
          (void)h.router.subscribe(h.now, topic());
        } else {
          (void)h.router.unsubscribe(h.now, topic());
        }
        break;
      case 11:
        h.router.handle_send_window(h.now, P(peer),
                                    rng.bernoulli(0.5) ? SendWindow::kBlocked : SendWindow::kOpen);
        break;
      case 12:
        if (!tickets.empty()) {
          const auto i = rng.uniform(tickets.size());
          h.router.handle_validation_result(h.now, tickets[i],
                                            static_cast<Verdict>(rng.uniform(3)));
          tickets.erase(tickets.begin() + static_cast<std::ptrdiff_t>(i));
        }
        break;
      case 13:
        if (rng.bernoulli(0.2)) h.router.handle_rpc_malformed(h.now, P(peer));
        h.advance(std::chrono::milliseconds(rng.uniform(1500)));
        break;
      default: break;
    }
    h.drain();
    for (auto& e : h.events()) {
      if (const auto* v = std::get_if<ValidationRequested>(&e)) tickets.push_back(v->ticket);
    }
    for (const auto& t : topics) {
      const auto mesh = h.router.mesh_peers(t);
      EXPECT_TRUE(std::is_sorted(mesh.begin(), mesh.end()));
      for (const auto p : mesh) EXPECT_TRUE(connected[p.value()]) << step;
    }
    const auto sizes = h.router.sizes();
    EXPECT_LE(sizes.pending_validations, 8U);
    EXPECT_LE(sizes.topics, 8U + 5U);  // peers' topics are capped; ours are not
  }
  Chaos out{h.router.stats(), {}};
  for (const auto p : h.router.mesh_peers(kTopic)) out.mesh.push_back(p.value());
  return out;
}

TEST(RouterTest, RandomisedInputsKeepInvariantsAndReplay) {
  const Chaos a = run_chaos(11);
  const Chaos b = run_chaos(11);
  EXPECT_GT(a.stats.messages_first_seen, 50U);
  EXPECT_GT(a.stats.messages_duplicate, 50U);
  EXPECT_GT(a.stats.ihave_sent, 0U);
  EXPECT_GT(a.stats.graft_sent + a.stats.prune_sent, 0U);
  EXPECT_EQ(a.mesh, b.mesh);
  EXPECT_EQ(a.stats.messages_forwarded, b.stats.messages_forwarded);
  EXPECT_EQ(a.stats.ihave_sent, b.stats.ihave_sent);
  EXPECT_EQ(a.stats.messages_delivered, b.stats.messages_delivered);
}

// --- determinism ---

TEST(RouterTest, SameSeedSameOutputs) {
  const auto run = [](std::uint64_t seed) {
    Harness h(RouterConfig::fleet(), seed);
    h.peers(1, 20);
    EXPECT_TRUE(h.router.subscribe(h.now, kTopic).has_value());
    for (int i = 0; i < 5; ++i) {
      h.send_message(1 + i, make_message(kTopic, "m" + std::to_string(i)));
      h.advance(1s);
    }
    std::vector<std::uint32_t> trace;
    for (const auto& t : h.drain()) {
      trace.push_back(t.peer.value());
      trace.push_back(static_cast<std::uint32_t>(estimated_rpc_size(t.rpc)));
    }
    for (const auto p : h.router.mesh_peers(kTopic)) trace.push_back(p.value());
    return trace;
  };
  EXPECT_EQ(run(42), run(42));
  EXPECT_NE(run(42), run(43));
}

// --- unknown-topic floods show in the sender's score ---

TEST(RouterTest, UnknownTopicFloodsArePenalisedButRacesAreNot) {
  Harness h(RouterConfig::fleet());
  ASSERT_TRUE(h.router.subscribe(h.now, kTopic).has_value());
  h.connect(1);
  h.connect(2);
  // Peer 1 floods messages on a topic we do not subscribe to; peer 2 sends a few, as an honest
  // peer may right after we unsubscribe.
  Rpc flood;
  for (int i = 0; i < 200; ++i)
    flood.publish.push_back(make_message(kOther, std::to_string(i), 10));
  h.rpc(1, std::move(flood));
  Rpc race;
  for (int i = 0; i < 3; ++i)
    race.publish.push_back(make_message(kOther, "r" + std::to_string(i), 10));
  h.rpc(2, std::move(race));
  h.advance(1s);
  // One P7 penalty of 1 with weight -10: -10 (minus nothing else: no mesh time or deliveries).
  EXPECT_DOUBLE_EQ(h.router.score(h.now, P(1)), -10.0);
  EXPECT_DOUBLE_EQ(h.router.score(h.now, P(2)), 0.0);
  EXPECT_GE(h.router.stats().unknown_topic_dropped, 203U);
  EXPECT_EQ(h.router.stats().messages_delivered, 0U);
}

}  // namespace
}  // namespace waku::relay
