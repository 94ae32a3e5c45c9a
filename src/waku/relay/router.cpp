#include "waku/relay/router.hpp"

#include <algorithm>
#include <utility>

#include "waku/base/assert.hpp"
#include "waku/base/prefetch.hpp"
#include "waku/relay/router_state.hpp"
#include "waku/relay/rpc_recycler.hpp"

namespace waku::relay {

std::optional<ProtocolVersion> protocol_version_from_id(std::string_view protocol_id) {
  if (protocol_id == kWakuRelayCodec) return ProtocolVersion::kWakuRelay2;
  if (protocol_id == "/meshsub/1.2.0") return ProtocolVersion::kMeshsub12;
  if (protocol_id == "/meshsub/1.1.0") return ProtocolVersion::kMeshsub11;
  if (protocol_id == "/meshsub/1.0.0") return ProtocolVersion::kMeshsub10;
  return std::nullopt;
}

// --- Router::State helpers used everywhere ---

TopicIndex Router::State::intern(std::string_view name) {
  if (const auto found = find_topic(name)) return *found;
  TopicIndex index = 0;
  if (!free_topics.empty()) {
    index = free_topics.back();
    free_topics.pop_back();
  } else {
    index = static_cast<TopicIndex>(topics.size());
    topics.emplace_back();
  }
  TopicState& ts = topics[index];
  ts = TopicState{};
  ts.live = true;
  ts.name = std::string(name);
  configure_topic(ts);
  topic_index.emplace(ts.name, index);
  ++live_topics;
  return index;
}

void Router::State::send_prune(Instant now, PeerKey key, PeerState& peer, TopicIndex t,
                               Duration backoff, Px px) {
  ++stats.prune_sent;
  if (peer.slow_disconnect) return;
  Prune prune;
  prune.topic = topics[t].name;
  if (supports_px_and_backoff(peer.protocol)) {
    const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(backoff).count();
    prune.backoff_seconds = static_cast<std::uint64_t>(seconds > 0 ? seconds : 1);
    if (px == Px::kInclude && g.do_px) prune.peers = px_records(now, key, t);
  }
  after_control_push(key, peer, peer.queue.push_prune(std::move(prune)));
}

std::vector<PxPeer> Router::State::px_records(Instant now, PeerKey exclude, TopicIndex t) {
  std::vector<PeerKey> candidates;
  for (const PeerKey key : topics[t].peers) {
    if (key == exclude) continue;
    const PeerState* p = find_peer(key);
    if (p == nullptr || p->peer_id.empty() || peer_score(now, key) < 0) continue;
    candidates.push_back(key);
  }
  std::vector<PxPeer> records;
  for (const PeerKey key : rng.sample(candidates, g.prune_peers)) {
    records.push_back(PxPeer{peers.at(key).peer_id, {}});
  }
  return records;
}

// --- Router ---

Result<Router> Router::create(RouterConfig config, Rng rng) {
  return create(std::make_shared<const RouterConfig>(std::move(config)), rng);
}

Result<Router> Router::create(std::shared_ptr<const RouterConfig> config, Rng rng) {
  WAKU_ASSERT(config != nullptr);
  WAKU_TRY_VOID(config->validate());
  return Router(std::make_unique<State>(std::move(config), rng));
}

Router::Router(std::unique_ptr<State> state) : state_(std::move(state)) {}
Router::Router(Router&&) noexcept = default;
Router& Router::operator=(Router&&) noexcept = default;
Router::~Router() = default;

void Router::handle_peer_connected(Instant now, const PeerConnected& connected) {
  State& s = *state_;
  s.touch(now);
  const PeerKey key = connected.peer.value();
  if (s.peers.contains(key)) return;  // the host reported the same connection twice
  const PeerQueue::Limits limits{s.g.peer_queue_max_messages, s.g.peer_queue_max_gossip,
                                 s.g.peer_queue_max_control};
  auto [it, inserted] = s.peers.try_emplace(key, limits, s.fingerprint);
  State::PeerState& peer = it->second;
  peer.handle = connected.peer;
  peer.peer_id = connected.peer_id;
  peer.direction = connected.direction;
  peer.protocol = connected.protocol;
  peer.direct = connected.peering == PeeringKind::kDirect;
  if (peer.direct) sorted_insert(s.direct_peers, key);
  s.score.add_peer(now, key, connected.peer_id, connected.ip);
  peer.cached_score = s.peer_score(now, key);
  // The hello: all our subscriptions in the first RPC.
  for (const auto& ts : s.topics) {
    if (ts.live && ts.subscribed) s.send_subscription(key, peer, ts.name, true);
  }
}

void Router::handle_peer_disconnected(Instant now, PeerHandle handle) {
  State& s = *state_;
  s.touch(now);
  const PeerKey key = handle.value();
  const auto it = s.peers.find(key);
  if (it == s.peers.end()) return;
  State::PeerState& peer = it->second;
  for (TopicIndex t = 0; t < s.topics.size(); ++t) {
    auto& ts = s.topics[t];
    if (!ts.live) continue;
    s.remove_from_mesh(now, key, peer, t);
    sorted_erase(ts.fanout, key);
    sorted_erase(ts.peers, key);
  }
  sorted_erase(s.direct_peers, key);
  s.score.remove_peer(now, key);
  s.peers.erase(it);  // stale entries in `ready` are skipped by poll_transmit
}

void Router::handle_rpc(Instant now, PeerHandle from, Rpc rpc) {
  handle_rpc_in_place(now, from, rpc);
  rpc_recycler().recycle(std::move(rpc));  // its vectors serve the next RPC built on this thread
}

void Router::handle_rpc_in_place(Instant now, PeerHandle from, Rpc& rpc) {
  state_->touch(now);
  state_->handle_rpc(now, from.value(), rpc);
  rpc_recycler().clear(rpc);
}

void Router::handle_idontwant(Instant now, PeerHandle from, const MessageId& id) {
  State& s = *state_;
  s.touch(now);
  State::PeerState* peer = s.rpc_sender(from.value());
  if (peer == nullptr) return;
  ++s.stats.idontwant_received;
  s.handle_idontwant_ids(*peer, std::span<const MessageId>(&id, 1));
}

Router::State::PeerState* Router::State::rpc_sender(PeerKey key) {
  ++stats.rpcs_received;
  PeerState* peer = find_peer(key);
  if (peer == nullptr) return nullptr;
  if (peer->cached_score < config.thresholds.graylist_threshold) {
    ++stats.rpcs_ignored_graylisted;
    maybe_disconnect_graylisted(*peer);
    return nullptr;
  }
  return peer;
}

void Router::State::handle_rpc(Instant now, PeerKey key, Rpc& rpc) {
  PeerState* peer = rpc_sender(key);
  if (peer == nullptr) return;
  // Most RPCs carry one or two of these; the empty ones are skipped here, before their handlers
  // read limits from the configuration (a cache miss per handler at 10,000 simulated routers).
  if (!rpc.subscriptions.empty()) handle_subscriptions(now, key, *peer, rpc.subscriptions);
  for (RelayMessagePtr& message : rpc.publish) {
    if (message) handle_message(now, key, std::move(message));
  }
  const Control& control = rpc.control;
  if (!control.idontwant.empty()) handle_idontwant(*peer, control.idontwant);
  if (!control.ihave.empty()) handle_ihave(now, key, *peer, control.ihave);
  if (!control.iwant.empty()) handle_iwant(key, *peer, control.iwant);
  if (!control.graft.empty()) handle_graft(now, key, *peer, control.graft);
  if (!control.prune.empty()) handle_prune(now, key, *peer, control.prune);
}

void Router::handle_rpc_malformed(Instant now, PeerHandle from) {
  State& s = *state_;
  s.touch(now);
  ++s.stats.rpcs_malformed;
  if (s.peers.contains(from.value())) s.penalise(now, from.value(), 1.0);
}

void Router::handle_send_window(Instant now, PeerHandle handle, SendWindow window) {
  State& s = *state_;
  s.touch(now);
  State::PeerState* peer = s.find_peer(handle.value());
  if (peer == nullptr) return;
  peer->blocked = window == SendWindow::kBlocked;
  s.mark_ready(handle.value(), *peer);
}

void Router::handle_validation_result(Instant now, ValidationTicket ticket, Verdict verdict) {
  State& s = *state_;
  s.touch(now);
  const auto it = s.pending.find(ticket.value());
  if (it == s.pending.end()) return;  // unknown or already answered
  State::Pending pending = std::move(it->second);
  s.pending.erase(it);
  s.pending_by_id.erase(pending.message->id);
  --s.topics[pending.topic].refs;
  s.finish_validation(now, pending.from, pending.message, pending.topic, verdict,
                      &pending.copies_from);
}

void Router::handle_timeout(Instant now) {
  State& s = *state_;
  s.touch(now);
  if (now < *s.next_heartbeat) return;
  s.heartbeat(now);
  // A late host gets one heartbeat, not a burst; the schedule keeps its phase.
  const Duration interval = s.g.heartbeat_interval;
  const auto missed = (now - *s.next_heartbeat) / interval;
  *s.next_heartbeat += interval * (missed + 1);
}

Result<void> Router::subscribe(Instant now, std::string_view topic) {
  State& s = *state_;
  s.touch(now);
  if (topic.empty()) return unexpected(Errc::kInvalidTopic, "subscribe: empty topic");
  const TopicIndex t = s.intern(topic);
  if (s.topics[t].subscribed) return ok();
  s.topics[t].subscribed = true;
  for (auto& [key, peer] : s.peers) s.send_subscription(key, peer, s.topics[t].name, true);
  s.join(now, t);
  return ok();
}

Result<void> Router::unsubscribe(Instant now, std::string_view topic) {
  State& s = *state_;
  s.touch(now);
  const auto t = s.find_topic(topic);
  if (!t || !s.topics[*t].subscribed) {
    return unexpected(Errc::kNotSubscribed, "unsubscribe: not subscribed");
  }
  s.topics[*t].subscribed = false;
  for (auto& [key, peer] : s.peers) s.send_subscription(key, peer, s.topics[*t].name, false);
  const std::vector<PeerKey> mesh = s.topics[*t].mesh;
  for (const PeerKey key : mesh) {
    s.prune_peer(now, key, s.peers.at(key), *t, s.g.unsubscribe_backoff, State::Px::kInclude);
  }
  return ok();
}

Result<PublishOutcome> Router::publish(Instant now, RelayMessagePtr message) {
  State& s = *state_;
  s.touch(now);
  if (!message) return unexpected(Errc::kInvalidArgument, "publish: no message");
  const RelayMessage& m = *message;
  if (m.topic.empty()) return unexpected(Errc::kInvalidTopic, "publish: empty topic");
  if (m.data.size() > s.g.max_message_size_bytes) {
    return unexpected(Errc::kTooLarge, "publish: message larger than max_message_size_bytes");
  }
  if (s.seen.contains(m.id)) return unexpected(Errc::kDuplicate, "publish: already seen");
  if (m.has_author_fields || !m.decoded) {
    return unexpected(Errc::kInvalidMessage, "publish: not a StrictNoSign WakuMessage");
  }
  const TopicIndex t = s.intern(m.topic);
  if (s.run_validators(now, t, m) != Verdict::kAccept) {
    return unexpected(Errc::kInvalidMessage, "publish: a validator refused the message");
  }
  std::vector<PeerKey> targets;
  State::TopicState& ts = s.topics[t];
  const double publish_threshold = s.config.thresholds.publish_threshold;
  if (s.g.flood_publish) {
    for (const PeerKey key : ts.peers) {
      if (s.peers.at(key).direct || s.peer_score(now, key) >= publish_threshold) {
        targets.push_back(key);
      }
    }
  } else {
    if (ts.subscribed) {
      targets = ts.mesh;
    } else {
      if (!ts.has_fanout || ts.fanout.empty()) {
        std::vector<PeerKey> candidates;
        for (const PeerKey key : ts.peers) {
          if (!s.peers.at(key).direct && s.peer_score(now, key) >= publish_threshold) {
            candidates.push_back(key);
          }
        }
        ts.fanout = s.rng.sample(candidates, s.g.d);
        std::sort(ts.fanout.begin(), ts.fanout.end());
      }
      ts.has_fanout = true;
      ts.fanout_last_publish = now;
      targets = ts.fanout;
    }
    for (const PeerKey key : s.direct_peers) {
      if (sorted_contains(ts.peers, key)) sorted_insert(targets, key);
    }
  }
  // With nobody to send to, nothing is recorded: the message is not marked seen, cached or
  // delivered, so the application can publish the same bytes again once peers arrive (as
  // js-libp2p and nim-libp2p do; a seen mark would make the retry a duplicate).
  if (targets.empty()) return PublishOutcome{m.id, 0};
  s.seen.insert(now, m.id);
  if (s.mcache.put(message, t)) ++s.topics[t].refs;
  ++s.stats.messages_published;
  for (const PeerKey key : targets) {
    s.send_message(key, s.peers.at(key), message, MessageOrigin::kOwn);
  }
  const PublishOutcome outcome{m.id, targets.size()};
  if (ts.subscribed) {
    ++s.stats.messages_delivered;
    s.events.emplace_back(MessageDelivered{std::move(message), std::nullopt});
  }
  return outcome;
}

void Router::add_validator(std::string topic, std::unique_ptr<Validator> validator) {
  State& s = *state_;
  WAKU_ASSERT(validator != nullptr);
  s.validators.emplace_back(std::move(topic), std::move(validator));
  for (auto& ts : s.topics) {
    if (ts.live) s.configure_topic(ts);
  }
}

void Router::enable_async_validation(std::string topic) {
  State& s = *state_;
  if (topic.empty()) {
    s.async_all = true;
  } else {
    s.async_topics.push_back(std::move(topic));
  }
  for (auto& ts : s.topics) {
    if (ts.live) s.configure_topic(ts);
  }
}

void Router::set_application_score(PeerHandle peer, double value) {
  State& s = *state_;
  if (s.peers.contains(peer.value())) s.score.set_application_score(peer.value(), value);
  // Takes effect in the cached score at the next heartbeat (the setter has no `now`).
}

std::optional<Transmit> Router::poll_transmit() {
  Rpc rpc = rpc_recycler().take_rpc();
  if (const auto peer = poll_transmit_into(rpc)) return Transmit{*peer, std::move(rpc)};
  rpc_recycler().recycle(std::move(rpc));
  return std::nullopt;
}

std::optional<PeerHandle> Router::poll_transmit_into(Rpc& rpc, RpcSizeBreakdown* sizes) {
  State& s = *state_;
  while (!s.ready.empty()) {
    const PeerKey key = s.ready.front();
    s.ready.pop_front();
    State::PeerState* peer = s.find_peer(key);
    if (peer == nullptr) continue;
    peer->in_ready = false;
    if (peer->blocked || peer->queue.empty()) continue;
    const PeerQueue::Discarded discarded =
        peer->queue.pop_rpc(s.g.max_transmit_size_bytes, rpc, sizes);
    s.stats.queue_dropped_messages += discarded.oversized_messages;
    s.stats.queue_dropped_gossip += discarded.oversized_gossip;
    s.mark_ready(key, *peer);  // more left: round-robin behind the other peers
    if (rpc.empty()) continue;
    return peer->handle;
  }
  return std::nullopt;
}

std::optional<RouterEvent> Router::poll_event() {
  State& s = *state_;
  if (s.events.empty()) return std::nullopt;
  RouterEvent event = std::move(s.events.front());
  s.events.pop_front();
  return event;
}

std::optional<Instant> Router::poll_timeout() const { return state_->next_heartbeat; }

const RouterConfig& Router::config() const { return state_->config; }
const RouterStats& Router::stats() const { return state_->stats; }

bool Router::is_subscribed(std::string_view topic) const {
  const auto t = state_->find_topic(topic);
  return t && state_->topics[*t].subscribed;
}

std::vector<PeerHandle> Router::mesh_peers(std::string_view topic) const {
  std::vector<PeerHandle> out;
  if (const auto t = state_->find_topic(topic)) {
    for (const PeerKey key : state_->topics[*t].mesh) out.emplace_back(key);
  }
  return out;
}

std::size_t Router::mesh_size(std::string_view topic) const {
  const auto t = state_->find_topic(topic);
  return t ? state_->topics[*t].mesh.size() : 0;
}

std::vector<PeerHandle> Router::fanout_peers(std::string_view topic) const {
  std::vector<PeerHandle> out;
  if (const auto t = state_->find_topic(topic)) {
    if (state_->topics[*t].has_fanout) {
      for (const PeerKey key : state_->topics[*t].fanout) out.emplace_back(key);
    }
  }
  return out;
}

std::vector<PeerHandle> Router::topic_peers(std::string_view topic) const {
  std::vector<PeerHandle> out;
  if (const auto t = state_->find_topic(topic)) {
    for (const PeerKey key : state_->topics[*t].peers) out.emplace_back(key);
  }
  return out;
}

std::size_t Router::peer_count() const { return state_->peers.size(); }

double Router::score(Instant now, PeerHandle peer) const {
  return state_->score.score(now, peer.value());
}

bool Router::in_backoff(Instant now, PeerHandle peer, std::string_view topic) const {
  const auto t = state_->find_topic(topic);
  return t && state_->in_backoff(now, *t, peer.value());
}

Router::Sizes Router::sizes() const {
  const State& s = *state_;
  Sizes out;
  out.topics = s.live_topics;
  out.seen_ids = s.seen.size();
  out.mcache_messages = s.mcache.size();
  out.pending_validations = s.pending.size();
  for (const auto& [id, waiting] : s.promises) out.promises += waiting.size();
  for (const auto& ts : s.topics) out.backoff_entries += ts.backoff.size();
  for (const auto& [key, peer] : s.peers) {
    out.peer_topic_entries += peer.topics.size();
    out.idontwant_ids += peer.dont_send.size();
    out.queued_control += peer.queue.control_entries();
    out.queued_gossip += peer.queue.gossip_entries();
    out.queued_messages += peer.queue.message_count();
  }
  return out;
}

std::uint64_t Router::heartbeats() const { return state_->heartbeat_ticks; }

void Router::prefetch_state() const { prefetch_object(*state_); }

void Router::prefetch_receive(const Rpc& rpc) const {
  state_->peers.prefetch_keys();
  // The first topic's entry, which every receipt checks (a router has a topic or two).
  if (!state_->topics.empty()) prefetch(state_->topics.data());
  for (const RelayMessagePtr& message : rpc.publish) {
    if (message) state_->seen.prefetch(message->id);
  }
}

}  // namespace waku::relay
