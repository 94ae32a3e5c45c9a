#include "test_network.hpp"

#include <algorithm>
#include <limits>
#include <utility>

#include "waku/base/assert.hpp"
#include "waku/codec/gossipsub_codec.hpp"
#include "waku/codec/waku_message_codec.hpp"

namespace waku::relay_test {

namespace {

// Kinds mixed into the trace digest.
constexpr std::uint64_t kTraceDelivery = 1;
constexpr std::uint64_t kTraceTransmit = 2;
constexpr std::uint64_t kTraceDisconnect = 3;
constexpr std::uint64_t kNoPeer = std::numeric_limits<std::uint64_t>::max();
// The network's own generator is derived with an index no node will ever have.
constexpr std::uint64_t kNetworkRngIndex = std::numeric_limits<std::uint64_t>::max();
// A router that keeps asking to be woken at the same instant is broken; stop instead of spinning.
constexpr std::uint64_t kMaxEventsPerInstant = 10'000'000;

codec::RpcLimits limits_for(const relay::RouterConfig& config) {
  codec::RpcLimits limits;
  limits.max_frame_bytes = config.gossip.max_transmit_size_bytes;
  limits.max_message_size_bytes = config.gossip.max_message_size_bytes;
  limits.max_ids_per_control = config.gossip.max_ids_per_control;
  return limits;
}

}  // namespace

message::WakuMessage make_waku_message(Bytes payload, UnixNanos timestamp) {
  message::WakuMessage message;
  message.payload = std::move(payload);
  message.content_topic = "/test/1/relay/proto";
  message.version = 0;
  message.timestamp = timestamp.value;
  return message;
}

std::string short_id(const relay::MessageId& id) { return to_hex(ByteView(id.bytes).first(4)); }

bool TestNetwork::EventLater::operator()(const Event& a, const Event& b) const {
  if (a.time != b.time) return a.time > b.time;
  return a.sequence > b.sequence;
}

TestNetwork::TestNetwork(NetworkOptions options)
    : options_(std::move(options)), rng_(Rng::derive(options_.seed, kNetworkRngIndex)) {
  options_.config.unix_time_at_origin = UnixNanos{kUnixTimeAtOriginNs};
  for (std::size_t i = 0; i < options_.nodes; ++i) add_node();
  if (!options_.connect_randomly || options_.nodes < 2) return;
  for (NodeIndex dialer = 0; dialer < options_.nodes; ++dialer) {
    std::vector<NodeIndex> others;
    for (NodeIndex other = 0; other < options_.nodes; ++other) {
      if (other != dialer) others.push_back(other);
    }
    for (const NodeIndex listener : rng_.sample(others, options_.dials_per_node)) {
      connect(dialer, listener);
    }
  }
}

TestNetwork::~TestNetwork() = default;

TestNetwork::Node& TestNetwork::node_at(NodeIndex node) {
  WAKU_ASSERT_MSG(node < nodes_.size(), "no such node");
  return nodes_[node];
}

const TestNetwork::Node& TestNetwork::node_at(NodeIndex node) const {
  WAKU_ASSERT_MSG(node < nodes_.size(), "no such node");
  return nodes_[node];
}

TestNetwork::Link& TestNetwork::link(NodeIndex from, NodeIndex to) { return links_[{from, to}]; }

NodeIndex TestNetwork::add_node(std::optional<relay::RouterConfig> config) {
  relay::RouterConfig node_config = config.value_or(options_.config);
  node_config.unix_time_at_origin = UnixNanos{kUnixTimeAtOriginNs};
  const NodeIndex index = nodes_.size();
  auto router = relay::Router::create(std::move(node_config), Rng::derive(options_.seed, index));
  WAKU_ASSERT_MSG(router.has_value(), "test router config rejected");
  nodes_.emplace_back();
  nodes_.back().router.emplace(std::move(router.value()));
  pump(index);
  return index;
}

void TestNetwork::connect(NodeIndex dialer, NodeIndex listener) {
  WAKU_ASSERT_MSG(dialer != listener, "a node cannot connect to itself");
  if (!alive(dialer) || !alive(listener) || connected(dialer, listener)) return;
  // Latency is a property of the pair: kept across reconnections, the same in both directions.
  if (!links_.contains({dialer, listener})) {
    const auto latency =
        Duration(rng_.uniform_between(options_.latency_min.count(), options_.latency_max.count()));
    link(dialer, listener).latency = latency;
    link(listener, dialer).latency = latency;
  }
  const auto attach = [&](NodeIndex self, NodeIndex peer, relay::Direction direction) {
    Node& node = node_at(self);
    const relay::PeerHandle handle(node.next_handle++);
    node.peer_of[handle] = peer;
    node.handle_for[peer] = handle;
    relay::PeerConnected event;
    event.peer = handle;
    event.peer_id = to_bytes("node-" + std::to_string(peer));
    event.direction = direction;
    event.protocol = relay::ProtocolVersion::kWakuRelay2;
    node.router->handle_peer_connected(now_, event);
  };
  attach(dialer, listener, relay::Direction::kOutbound);
  attach(listener, dialer, relay::Direction::kInbound);
  pump(dialer);
  pump(listener);
}

void TestNetwork::disconnect(NodeIndex a, NodeIndex b) {
  if (!connected(a, b)) return;
  for (const auto& [self, peer] : {std::pair{a, b}, std::pair{b, a}}) {
    Node& node = node_at(self);
    const relay::PeerHandle handle = node.handle_for.at(peer);
    node.handle_for.erase(peer);
    node.peer_of.erase(handle);
    node.router->handle_peer_disconnected(now_, handle);
  }
  pump(a);
  pump(b);
}

void TestNetwork::remove_node(NodeIndex node) {
  for (const NodeIndex peer : neighbours(node)) disconnect(node, peer);
  node_at(node).alive = false;
  node_at(node).wake_at.reset();
}

void TestNetwork::set_drop_publishes(NodeIndex from, NodeIndex to, bool drop) {
  link(from, to).drop_publishes = drop;
}

void TestNetwork::set_blocked(NodeIndex from, NodeIndex to, bool blocked) {
  link(from, to).blocked = blocked;
}

void TestNetwork::set_publish_filter(PublishFilter filter) { publish_filter_ = std::move(filter); }

void TestNetwork::subscribe(NodeIndex node, std::string_view topic) {
  const auto result = router(node).subscribe(now_, topic);
  WAKU_ASSERT_MSG(result.has_value(), "subscribe failed");
  pump(node);
}

void TestNetwork::subscribe_all(std::string_view topic) {
  for (NodeIndex node = 0; node < nodes_.size(); ++node) {
    if (alive(node)) subscribe(node, topic);
  }
}

void TestNetwork::unsubscribe(NodeIndex node, std::string_view topic) {
  const auto result = router(node).unsubscribe(now_, topic);
  WAKU_ASSERT_MSG(result.has_value(), "unsubscribe failed");
  pump(node);
}

UnixNanos TestNetwork::unix_now() const {
  return UnixNanos{kUnixTimeAtOriginNs + now_.nanoseconds()};
}

Result<relay::MessageId> TestNetwork::publish(NodeIndex node, std::string_view topic,
                                              Bytes payload) {
  return publish_message(node, topic, make_waku_message(std::move(payload), unix_now()));
}

Result<relay::MessageId> TestNetwork::publish_message(NodeIndex node, std::string_view topic,
                                                      const message::WakuMessage& message) {
  auto relay_message = codec::make_relay_message(std::string(topic),
                                                 SharedBytes(codec::encode_waku_message(message)));
  const relay::MessageId id = relay_message->id;
  auto outcome = router(node).publish(now_, std::move(relay_message));
  pump(node);
  if (!outcome.has_value()) return unexpected(outcome.error());
  return id;
}

void TestNetwork::inject(NodeIndex from, NodeIndex to, const relay::Rpc& rpc) {
  WAKU_ASSERT_MSG(connected(from, to), "inject needs a connection");
  send(from, to, rpc);
}

void TestNetwork::enable_async_validation(NodeIndex node, std::string topic, AsyncVerdict verdict,
                                          Duration delay) {
  Node& target = node_at(node);
  target.async_verdict = std::move(verdict);
  target.async_delay = delay;
  target.router->enable_async_validation(std::move(topic));
}

void TestNetwork::add_validator(NodeIndex node, std::string topic,
                                std::unique_ptr<relay::Validator> validator) {
  router(node).add_validator(std::move(topic), std::move(validator));
}

std::size_t TestNetwork::size() const { return nodes_.size(); }

bool TestNetwork::alive(NodeIndex node) const { return node_at(node).alive; }

relay::Router& TestNetwork::router(NodeIndex node) { return *node_at(node).router; }

const relay::Router& TestNetwork::router(NodeIndex node) const { return *node_at(node).router; }

std::vector<NodeIndex> TestNetwork::neighbours(NodeIndex node) const {
  std::vector<NodeIndex> result;
  for (const auto& [peer, handle] : node_at(node).handle_for) result.push_back(peer);
  return result;  // std::map keys: already sorted
}

bool TestNetwork::connected(NodeIndex a, NodeIndex b) const {
  return node_at(a).handle_for.contains(b);
}

std::optional<relay::PeerHandle> TestNetwork::handle_of(NodeIndex node, NodeIndex peer) const {
  const auto& handles = node_at(node).handle_for;
  const auto found = handles.find(peer);
  if (found == handles.end()) return std::nullopt;
  return found->second;
}

std::vector<NodeIndex> TestNetwork::mesh(NodeIndex node, std::string_view topic) const {
  std::vector<NodeIndex> result;
  const Node& self = node_at(node);
  for (const relay::PeerHandle handle : self.router->mesh_peers(topic)) {
    const auto found = self.peer_of.find(handle);
    WAKU_ASSERT_MSG(found != self.peer_of.end(), "mesh holds a peer the host never connected");
    result.push_back(found->second);
  }
  std::sort(result.begin(), result.end());
  return result;
}

const std::vector<DeliveryRecord>& TestNetwork::deliveries(NodeIndex node,
                                                           const relay::MessageId& id) const {
  static const std::vector<DeliveryRecord> kNone;
  const auto& delivered = node_at(node).delivered;
  const auto found = delivered.find(id);
  return found == delivered.end() ? kNone : found->second;
}

std::size_t TestNetwork::delivery_count(NodeIndex node, const relay::MessageId& id) const {
  return deliveries(node, id).size();
}

std::uint64_t TestNetwork::total(std::uint64_t relay::RouterStats::*counter) const {
  std::uint64_t sum = 0;
  for (const Node& node : nodes_) {
    if (node.alive) sum += node.router->stats().*counter;
  }
  return sum;
}

void TestNetwork::push(Event event) {
  event.sequence = sequence_++;
  queue_.push_back(std::move(event));
  std::push_heap(queue_.begin(), queue_.end(), EventLater{});
}

void TestNetwork::pump(NodeIndex index) {
  Node& node = node_at(index);
  if (!node.alive) return;
  relay::Router& router = *node.router;
  std::vector<NodeIndex> to_disconnect;
  while (auto transmit = router.poll_transmit()) {
    const auto peer = node.peer_of.find(transmit->peer);
    WAKU_ASSERT_MSG(peer != node.peer_of.end(), "transmit to a peer the host never connected");
    send(index, peer->second, std::move(transmit->rpc));
  }
  while (auto event = router.poll_event()) {
    if (auto* delivered = std::get_if<relay::MessageDelivered>(&*event)) {
      std::optional<NodeIndex> from;
      if (delivered->from) from = node.peer_of.at(*delivered->from);
      node.delivered[delivered->message->id].push_back(DeliveryRecord{now_, from});
      mix(static_cast<std::uint64_t>(now_.nanoseconds()));
      mix(index);
      mix(kTraceDelivery);
      mix_bytes(delivered->message->id.bytes);
      mix(from.value_or(kNoPeer));
    } else if (auto* request = std::get_if<relay::ValidationRequested>(&*event)) {
      WAKU_ASSERT_MSG(node.async_verdict != nullptr, "validation requested but not enabled");
      Event answer;
      answer.time = now_ + node.async_delay;
      answer.kind = EventKind::kValidation;
      answer.node = index;
      answer.ticket = request->ticket;
      answer.verdict = node.async_verdict(*request->message);
      push(std::move(answer));
    } else if (auto* drop = std::get_if<relay::DisconnectPeer>(&*event)) {
      const auto peer = node.peer_of.find(drop->peer);
      if (peer == node.peer_of.end()) continue;
      disconnects_.push_back(DisconnectRecord{now_, index, peer->second, drop->reason,
                                              router.score(now_, drop->peer)});
      mix(static_cast<std::uint64_t>(now_.nanoseconds()));
      mix(index);
      mix(kTraceDisconnect);
      mix(peer->second);
      to_disconnect.push_back(peer->second);
    }
  }
  // Disconnecting is an input: apply it only after the outputs are drained.
  for (const NodeIndex peer : to_disconnect) disconnect(index, peer);
  if (const auto wake = router.poll_timeout()) {
    const Instant at = std::max(*wake, now_);
    if (node.wake_at != at) {
      node.wake_at = at;
      Event event;
      event.time = at;
      event.kind = EventKind::kWake;
      event.node = index;
      push(std::move(event));
    }
  } else {
    node.wake_at.reset();
  }
}

void TestNetwork::send(NodeIndex from, NodeIndex to, relay::Rpc rpc) {
  if (!alive(to)) return;
  const Link& path = link(from, to);
  if (path.blocked) return;
  if (path.drop_publishes) rpc.publish.clear();
  if (publish_filter_) {
    std::erase_if(rpc.publish, [&](const relay::RelayMessagePtr& message) {
      return publish_filter_(from, to, *message);
    });
  }
  if (rpc.empty()) return;
  for (const relay::Graft& graft : rpc.control.graft) {
    grafts_.push_back(ControlRecord{now_, from, to, graft.topic, std::nullopt});
  }
  for (const relay::Prune& prune : rpc.control.prune) {
    prunes_.push_back(ControlRecord{now_, from, to, prune.topic, prune.backoff_seconds});
  }
  Event event;
  event.time = now_ + path.latency;
  event.kind = EventKind::kDeliver;
  event.node = to;
  event.from = from;
  event.frame = codec::encode_rpc(rpc);
  event.via = node_at(to).handle_for.at(from);
  ++frames_sent_;
  bytes_sent_ += event.frame.size();
  mix(static_cast<std::uint64_t>(now_.nanoseconds()));
  mix(from);
  mix(kTraceTransmit);
  mix(to);
  mix(event.frame.size());
  for (const relay::RelayMessagePtr& message : rpc.publish) mix_bytes(message->id.bytes);
  push(std::move(event));
}

void TestNetwork::dispatch(Event& event) {
  Node& node = node_at(event.node);
  if (!node.alive) return;
  switch (event.kind) {
    case EventKind::kDeliver: {
      const relay::PeerHandle via = event.via;
      const auto peer = node.peer_of.find(via);
      if (peer == node.peer_of.end() || peer->second != event.from) return;
      auto rpc = codec::decode_rpc(event.frame, limits_for(node.router->config()));
      if (rpc.has_value()) {
        node.router->handle_rpc(now_, via, std::move(rpc.value()));
      } else {
        ++malformed_frames_;
        node.router->handle_rpc_malformed(now_, via);
      }
      break;
    }
    case EventKind::kWake:
      if (node.wake_at != event.time) return;  // superseded by a later poll_timeout
      node.wake_at.reset();
      node.router->handle_timeout(now_);
      break;
    case EventKind::kValidation:
      node.router->handle_validation_result(now_, event.ticket, event.verdict);
      break;
  }
  pump(event.node);
}

void TestNetwork::run_until(Instant until) {
  std::uint64_t events_at_instant = 0;
  while (!queue_.empty() && queue_.front().time <= until) {
    std::pop_heap(queue_.begin(), queue_.end(), EventLater{});
    Event event = std::move(queue_.back());
    queue_.pop_back();
    events_at_instant = event.time == now_ ? events_at_instant + 1 : 0;
    WAKU_ASSERT_MSG(events_at_instant < kMaxEventsPerInstant, "network does not advance in time");
    now_ = event.time;
    dispatch(event);
  }
  if (until > now_) now_ = until;
}

void TestNetwork::mix(std::uint64_t value) {
  // FNV-1a over the value's 8 bytes, little-endian, so the digest does not depend on the host.
  for (const std::uint8_t byte : u64_le(value)) {
    digest_ ^= byte;
    digest_ *= 0x100000001b3ULL;
  }
}

void TestNetwork::mix_bytes(ByteView bytes) {
  for (const std::uint8_t byte : bytes) {
    digest_ ^= byte;
    digest_ *= 0x100000001b3ULL;
  }
}

}  // namespace waku::relay_test
