// Nodes coming and going, and emulated discovery: who dials whom, who accepts.
//
// A node that starts subscribes to its shards and dials random online nodes until it has its
// outbound target; a dialled node accepts while it is below its connection limit, else the dial
// is refused and the dialler tries another. Connections become usable to both routers after the
// handshakes (TCP, multistream-select, Noise XX, yamux: about three round trips). A node that
// loses connections, or could not fill its target, looks again after a while, as discv5 and peer
// exchange would let it.
#include <algorithm>
#include <cmath>
#include <numbers>

#include "sim/engine/simulation_state.hpp"
#include "waku/crypto/sha256.hpp"
#include "waku/message/topics.hpp"
#include "waku/relay/protected_shard_validator.hpp"

namespace waku::sim {

namespace {

constexpr std::int64_t kSecond = 1'000'000'000;
// One-way latencies per connection set-up: TCP (1 RTT), multistream + Noise XX (1.5 RTT),
// yamux stream + protocol negotiation (0.5 RTT).
constexpr std::int64_t kHandshakeOneWayTrips = 6;
// How long a node waits before looking for peers again when below its outbound target.
constexpr std::int64_t kRediscoverMinNs = 5 * kSecond;
constexpr std::int64_t kRediscoverMaxNs = 15 * kSecond;
// New nodes start spread over this window (or half the warm-up if shorter), not all at once.
constexpr std::int64_t kStartupSpreadNs = 10 * kSecond;

// Signature checks are pure functions of the message bytes; at 10,000 nodes one message would
// be verified ~10,000 times (27 µs each), an hour of CPU per simulated hour. The verdict is
// derived once per message, like its id (ARCHITECTURE.md): the real validator runs when the
// message's record is made (track_message) and every router reads its answer. Records are only
// written between windows, so lanes read them without locks; a message without a verdict yet
// (a node checking its own lane's publication inside the window) is checked by the lane's own
// validator.
class SharedVerdictValidator final : public relay::Validator {
 public:
  SharedVerdictValidator(Engine& sim, relay::ProtectedShardValidator& real)
      : sim_(sim), real_(real) {}
  relay::Verdict validate(const relay::ValidationContext& context,
                          const relay::RelayMessage& message) override {
    const MessageRecord* record = sim_.find_record(message.id);
    if (record != nullptr && record->verdict) return *record->verdict;
    return real_.validate(context, message);
  }

 private:
  Engine& sim_;
  relay::ProtectedShardValidator& real_;
};

}  // namespace

std::int64_t Engine::draw_latency_ns() {
  const LatencyDistribution& l = scenario.latency;
  switch (l.kind) {
    case LatencyDistribution::Kind::kConstant: return l.min.count();
    case LatencyDistribution::Kind::kUniform:
      return rng.uniform_between(l.min.count(), l.max.count());
    case LatencyDistribution::Kind::kLogNormal: {
      // Box–Muller from our own uniform draws (<random> distributions differ between libraries).
      const double u1 = 1.0 - rng.uniform_real();  // (0, 1]
      const double u2 = rng.uniform_real();
      const double z = std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * std::numbers::pi * u2);
      const double ns = static_cast<double>(l.median.count()) * std::exp(l.sigma * z);
      return std::clamp(static_cast<std::int64_t>(ns), l.min.count(), l.max.count());
    }
  }
  return l.min.count();
}

std::size_t Engine::shard_slot(std::uint16_t shard) const {
  const auto it = std::find(shards.begin(), shards.end(), shard);
  WAKU_ASSERT(it != shards.end());
  return static_cast<std::size_t>(it - shards.begin());
}

Result<void> Engine::build() {
  WAKU_TRY_VOID(scenario.validate());
  groups = scenario.groups;
  if (scenario.attack && scenario.attack->count > 0) {
    NodeGroup attackers;
    attackers.name = "attacker";
    attackers.router_profile = "client";
    attackers.count = scenario.attack->count;
    attackers.outbound_target = scenario.attack->outbound_target;
    attackers.max_connections = std::max<std::size_t>(scenario.attack->outbound_target, 50);
    attackers.active_fraction = 0;
    attackers.shards = {*scenario.protected_shard};
    attacker_group = static_cast<std::uint32_t>(groups.size());
    groups.push_back(attackers);
  } else {
    attacker_group = static_cast<std::uint32_t>(groups.size());
  }
  for (const NodeGroup& group : groups) {
    auto profile = relay::RouterConfig::profile(group.router_profile);
    if (!profile) return Unexpected{profile.error()};
    relay::RouterConfig config = std::move(*profile);
    config.unix_time_at_origin = UnixNanos{kUnixTimeAtOriginNs};
    if (auto threshold = scenario.idontwant_threshold_override()) {
      config.gossip.idontwant_message_size_threshold = *threshold;
    }
    router_configs.push_back(std::make_shared<const relay::RouterConfig>(std::move(config)));
    for (std::uint16_t shard : group.shards) {
      if (std::find(shards.begin(), shards.end(), shard) == shards.end()) shards.push_back(shard);
    }
  }
  for (std::uint16_t shard : shards) {
    shard_topics.push_back(message::RelayShard{scenario.cluster_id, shard}.pubsub_topic());
  }
  online_per_shard.assign(shards.size(), 0);
  for (const TrafficKind& kind : scenario.traffic) {
    content_topics.push_back("/status/1/" + kind.name + "/proto");
  }
  if (scenario.protected_shard) {
    // The community key, derived from the seed so that runs replay.
    const auto seed_bytes = u64_be(scenario.seed);
    const auto secret = crypto::sha256(ByteView(seed_bytes));
    auto key = crypto::Secp256k1PrivateKey::from_bytes(ByteView(secret));
    if (!key) return unexpected(Errc::kInvalidConfig, "protected shard: community key");
    community_key = *key;
    relay::ProtectedShard protected_shard{
        message::RelayShard{scenario.cluster_id, *scenario.protected_shard}, key->public_key()};
    real_validator = std::make_unique<relay::ProtectedShardValidator>(
        std::vector<relay::ProtectedShard>{protected_shard});
  }

  // Two lanes when every link is slow enough for windows worth a thread; the split depends on
  // the scenario only, so results do not depend on the number of threads.
  const std::int64_t shortest_latency = scenario.latency.min.count();
  const std::size_t lane_count = shortest_latency >= kMinParallelWindowNs ? 2 : 1;
  window_ns = lane_count > 1 ? std::min(shortest_latency, kMaxWindowNs) : kMinParallelWindowNs;
  lanes.resize(lane_count);
  for (std::size_t i = 0; i < lanes.size(); ++i) {
    lanes[i].index = static_cast<FrameRef>(i);
    lanes[i].rng = Rng::derive(scenario.seed, UINT64_MAX - 1 - i);
    if (real_validator) {
      lanes[i].validator = std::make_unique<relay::ProtectedShardValidator>(*real_validator);
    }
  }

  end_ns = scenario.duration.count();
  warmup_ns = scenario.warmup.count();
  publish_end_ns = end_ns - scenario.cooldown.count();
  fault_end_ns = warmup_ns;
  if (scenario.churn) fault_end_ns = std::max(fault_end_ns, scenario.churn->end.count());
  if (scenario.partition) fault_end_ns = std::max(fault_end_ns, scenario.partition->heal.count());
  if (scenario.loss) fault_end_ns = std::max(fault_end_ns, scenario.loss->end.count());
  if (scenario.attack) fault_end_ns = std::max(fault_end_ns, scenario.attack->end.count());
  // After the faults, the mesh needs a few heartbeats and rejoining nodes a discovery round.
  const bool faults = fault_end_ns > warmup_ns;
  convergence_from_ns = faults ? fault_end_ns + 30 * kSecond : warmup_ns;
  timeline_bucket_ns = std::max<std::int64_t>(kSecond, end_ns / 120);

  const std::int64_t spread = std::min(kStartupSpreadNs, std::max<std::int64_t>(warmup_ns / 2, 1));
  NodeIndex index = 0;
  for (std::uint32_t g = 0; g < groups.size(); ++g) {
    const NodeGroup& group = groups[g];
    for (std::size_t i = 0; i < group.count; ++i, ++index) {
      NodeState node;
      node.group = g;
      node.attacker = g == attacker_group;
      node.rng = Rng::derive(scenario.seed, index);
      node.active = !node.attacker && node.rng.bernoulli(group.active_fraction);
      node.up_ns_per_byte = 8000.0 / group.uplink_mbps;
      node.down_ns_per_byte = 8000.0 / group.downlink_mbps;
      if (scenario.partition) node.side = rng.bernoulli(scenario.partition->fraction) ? 1 : 0;
      node.record.index = index;
      node.record.group = group.name;
      node.record.profile = group.router_profile;
      node.record.active = node.active;
      nodes.push_back(std::move(node));
      queue.push(rng.uniform_between(0, spread), EventKind::kStart, index);
    }
  }
  for (Lane& lane : lanes) {
    lane.deferred.resize(nodes.size());
    lane.deferred_count.assign(nodes.size(), 0);
  }
  deferred_slots = std::min<std::size_t>(options.deferred_slots, DeferredSlots::kCount);
  if (scenario.attack) {
    for (NodeIndex n = 0; n < nodes.size(); ++n) {
      if (!nodes[n].attacker) continue;
      lane_of(n).queue.push(
          scenario.attack->start.count() + static_cast<std::int64_t>(nodes[n].rng.exponential(
                                               1e9 / scenario.attack->messages_per_second)),
          EventKind::kAttack, n);
    }
  }
  if (scenario.churn && scenario.churn->leaves_per_node_per_hour > 0) {
    const ChurnConfig& churn = *scenario.churn;
    for (NodeIndex n = 0; n < nodes.size(); ++n) {
      if (!churns(n)) continue;
      schedule_leave(n, churn.start.count());
    }
  }
  queue.push(kCheckIntervalNs, EventKind::kCheck, 0);
  checks.resize(std::size(kCheckNames));
  result.timeline.resize(static_cast<std::size_t>(end_ns / timeline_bucket_ns) + 1);
  for (std::size_t b = 0; b < result.timeline.size(); ++b) {
    result.timeline[b].start_seconds =
        static_cast<double>(static_cast<std::int64_t>(b) * timeline_bucket_ns) / 1e9;
  }
  return ok();
}

bool Engine::churns(NodeIndex n) const {
  if (!scenario.churn || nodes[n].attacker) return false;
  const auto& names = scenario.churn->groups;
  const std::string& group = groups[nodes[n].group].name;
  if (names.empty()) return group != "fleet";
  return std::find(names.begin(), names.end(), group) != names.end();
}

void Engine::schedule_leave(NodeIndex n, std::int64_t after_ns) {
  const ChurnConfig& churn = *scenario.churn;
  const double mean_ns = 3600e9 / churn.leaves_per_node_per_hour;
  const auto at = after_ns + static_cast<std::int64_t>(nodes[n].rng.exponential(mean_ns));
  if (at < churn.end.count() && at < end_ns) queue.push(at, EventKind::kLeave, n);
}

void Engine::start_node(NodeIndex n) {
  NodeState& node = nodes[n];
  if (node.online) return;
  const NodeGroup& group = groups[node.group];
  auto router = relay::Router::create(router_configs[node.group], node.rng.fork());
  WAKU_ASSERT_MSG(router.has_value(), "profile configs are valid");
  node.router.emplace(std::move(*router));
  if (real_validator && !node.attacker) {
    node.router->add_validator(
        shard_topics[shard_slot(*scenario.protected_shard)],
        std::make_unique<SharedVerdictValidator>(*this, *lane_of(n).validator));
  }
  // A restarted node has a fresh router with an empty seen cache: getting a message again that
  // its previous life delivered is not a duplicate of this life.
  for (std::size_t r = first_live_record; r < records.size(); ++r) {
    if (!records[r].seen_by.empty()) {
      records[r].seen_by[n / 64] &= ~(std::uint64_t{1} << (n % 64));
    }
  }
  node.online = true;
  node.online_since_ns = now_ns;
  node.wake_ns = kNever;
  node.heartbeats_seen = 0;
  ++nodes_online;
  for (std::uint16_t shard : group.shards) {
    (void)node.router->subscribe(now(), shard_topics[shard_slot(shard)]);
    if (!node.attacker) ++online_per_shard[shard_slot(shard)];
  }
  if (node.active) {
    for (std::uint32_t k = 0; k < scenario.traffic.size(); ++k) {
      const auto& shards_of = group.shards;
      if (std::find(shards_of.begin(), shards_of.end(), scenario.traffic[k].shard) !=
          shards_of.end()) {
        schedule_publish(n, k, now_ns);
      }
    }
  }
  discover(n);
  pump(idle_lane_of(n), n);
}

void Engine::leave_node(NodeIndex n) {
  NodeState& node = nodes[n];
  if (!node.online) return;
  for (std::size_t h = node.links.size(); h-- > 0;) {  // the newest first
    if (node.links[h].conn != kNoConn) close_connection(node.links[h].conn);
  }
  node.past_counts.add(node.router->stats());
  node.router.reset();
  node.online = false;
  node.wake_ns = kNever;
  --nodes_online;
  const std::int64_t from = std::max(node.online_since_ns, warmup_ns);
  if (now_ns > from) node.record.online_seconds += static_cast<double>(now_ns - from) / 1e9;
  for (std::uint16_t shard : groups[node.group].shards) {
    if (!node.attacker) --online_per_shard[shard_slot(shard)];
  }
  // Back after an exponential time off, and at the latest when churn ends, so the network is
  // whole again for the convergence check.
  const ChurnConfig& churn = *scenario.churn;
  auto back = now_ns + static_cast<std::int64_t>(
                           node.rng.exponential(static_cast<double>(churn.mean_offline.count())));
  back = std::min(back, churn.end.count());
  queue.push(back, EventKind::kStart, n);
}

bool Engine::connected(NodeIndex a, NodeIndex b) const {
  const std::vector<Link>& links = nodes[a].links;
  return std::any_of(links.begin(), links.end(),
                     [b](const Link& link) { return link.conn != kNoConn && link.peer == b; });
}

void Engine::discover(NodeIndex n) {
  NodeState& node = nodes[n];
  node.discover_pending = false;
  if (!node.online) return;
  const NodeGroup& group = groups[node.group];
  const std::size_t attempts_max = 4 * group.outbound_target + 8;
  for (std::size_t attempts = 0; node.outbound < group.outbound_target && attempts < attempts_max;
       ++attempts) {
    const auto m = static_cast<NodeIndex>(rng.uniform(nodes.size()));
    if (m == n || !nodes[m].online || connected(n, m)) continue;
    dial(n, m);
  }
  if (node.outbound < group.outbound_target) schedule_discover(n);
}

void Engine::schedule_discover(NodeIndex n) {
  NodeState& node = nodes[n];
  if (node.discover_pending || !node.online) return;
  if (node.outbound >= groups[node.group].outbound_target) return;
  node.discover_pending = true;
  queue.push(now_ns + rng.uniform_between(kRediscoverMinNs, kRediscoverMaxNs), EventKind::kDiscover,
             n);
}

bool Engine::dial(NodeIndex from, NodeIndex to) {
  NodeState& listener = nodes[to];
  if (listener.inbound + listener.outbound >= groups[listener.group].max_connections) {
    return false;  // refused: the listener is full
  }
  NodeState& dialer = nodes[from];
  const auto c = static_cast<ConnIndex>(connections.size());
  Connection conn;
  conn.dialer = from;
  conn.listener = to;
  conn.dialer_handle = dialer.next_handle++;
  conn.listener_handle = listener.next_handle++;
  conn.latency_ns = draw_latency_ns();
  connections.push_back(conn);
  const bool defer_idontwant = options.defer_idontwant && !dialer.attacker && !listener.attacker;
  const auto add_link = [c, &conn, defer_idontwant](NodeState& node, std::uint32_t handle,
                                                    const NodeState& peer, NodeIndex peer_index) {
    if (node.links.size() <= handle) node.links.resize(handle + 1);
    node.links[handle] = Link{c,
                              peer_index,
                              conn.latency_ns,
                              peer.down_ns_per_byte,
                              /*established=*/false,
                              defer_idontwant};
  };
  add_link(dialer, conn.dialer_handle, listener, to);
  add_link(listener, conn.listener_handle, dialer, from);
  ++dialer.outbound;
  ++listener.inbound;
  queue.push(now_ns + kHandshakeOneWayTrips * conn.latency_ns, EventKind::kConnected, from, c);
  return true;
}

void Engine::on_connected(ConnIndex c) {
  Connection& conn = connections[c];
  if (!conn.open) return;
  if (partitioned(conn.dialer, conn.listener,
                  now_ns)) {  // the handshake cannot cross the partition
    close_connection(c);
    return;
  }
  conn.established = true;
  nodes[conn.dialer].links[conn.dialer_handle].established = true;
  nodes[conn.listener].links[conn.listener_handle].established = true;
  relay::PeerConnected info;
  info.peer = relay::PeerHandle{conn.dialer_handle};
  info.direction = relay::Direction::kOutbound;
  const auto listener_id = u64_be(conn.listener);
  info.peer_id = Bytes(listener_id.begin(), listener_id.end());
  nodes[conn.dialer].router->handle_peer_connected(now(), info);
  info.peer = relay::PeerHandle{conn.listener_handle};
  info.direction = relay::Direction::kInbound;
  const auto dialer_id = u64_be(conn.dialer);
  info.peer_id = Bytes(dialer_id.begin(), dialer_id.end());
  nodes[conn.listener].router->handle_peer_connected(now(), info);
  pump(idle_lane_of(conn.dialer), conn.dialer);
  pump(idle_lane_of(conn.listener), conn.listener);
}

void Engine::close_connection(ConnIndex c) {
  Connection& conn = connections[c];
  if (!conn.open) return;
  // Deferred frames the last window would have run as events are handled before the close.
  run_deferred_until(conn.dialer, node_events_before_ns);
  run_deferred_until(conn.listener, node_events_before_ns);
  conn.open = false;
  const NodeIndex ends[2] = {conn.dialer, conn.listener};
  const std::uint32_t handles[2] = {conn.dialer_handle, conn.listener_handle};
  --nodes[conn.dialer].outbound;
  --nodes[conn.listener].inbound;
  for (int side = 0; side < 2; ++side) {
    NodeState& node = nodes[ends[side]];
    node.links[handles[side]] = Link{};
    if (conn.established && node.online) {
      node.router->handle_peer_disconnected(now(), relay::PeerHandle{handles[side]});
    }
  }
  for (const NodeIndex n : ends) {
    if (!nodes[n].online) continue;
    pump(idle_lane_of(n), n);
    schedule_discover(n);
  }
}

}  // namespace waku::sim
