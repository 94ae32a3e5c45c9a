// Router::State: the whole state of one Router and the operations on it.
//
// Internal to the router (not part of the public API): shared by router.cpp (inputs, commands,
// outputs), router_receive.cpp (RPC handling: subscriptions, messages and the validation
// pipeline, IHAVE/IWANT/IDONTWANT, GRAFT/PRUNE) and router_heartbeat.cpp (mesh maintenance,
// fanout, gossip emission, expiry). Peer sets are sorted vectors of handles and topics are small
// interned indices, so every choice iterates in a deterministic order before Rng picks.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "waku/base/flat_map.hpp"
#include "waku/base/inline_name_cache.hpp"
#include "waku/relay/mcache.hpp"
#include "waku/relay/peer_queue.hpp"
#include "waku/relay/peer_score.hpp"
#include "waku/relay/router.hpp"
#include "waku/relay/seen_cache.hpp"

namespace waku::relay {

using PeerKey = std::uint32_t;
using TopicIndex = std::uint32_t;

// A peer-supplied PRUNE backoff is honoured up to this (rust-libp2p had CVEs for unbounded ones);
// beyond it the peer only keeps itself out of our mesh for a day.
constexpr Duration kMaxPeerBackoff = std::chrono::hours(24);
// Topic names longer than this from peers are not tracked (Waku topics are ~20 bytes).
constexpr std::size_t kMaxTopicBytes = 512;
// Copies of a message arriving while it is validated asynchronously, remembered to skip their
// senders when forwarding (nim-libp2p `validationSeen`).
constexpr std::size_t kMaxCopiesDuringValidation = 16;

// Sorted-vector set helpers: peer sets stay sorted by handle, so iteration is deterministic.
inline bool sorted_contains(const std::vector<PeerKey>& v, PeerKey key) {
  return std::binary_search(v.begin(), v.end(), key);
}
inline bool sorted_insert(std::vector<PeerKey>& v, PeerKey key) {
  const auto it = std::lower_bound(v.begin(), v.end(), key);
  if (it != v.end() && *it == key) return false;
  v.insert(it, key);
  return true;
}
inline bool sorted_erase(std::vector<PeerKey>& v, PeerKey key) {
  const auto it = std::lower_bound(v.begin(), v.end(), key);
  if (it == v.end() || *it != key) return false;
  v.erase(it);
  return true;
}

inline bool supports_px_and_backoff(ProtocolVersion version) {
  return version != ProtocolVersion::kMeshsub10;
}

struct Router::State {
  // Laid out by use: every receipt reads the first line (score, flags, budgets), a forward the
  // IDONTWANT set's size and the queue; the rest is read at connection and heartbeat time. At
  // 10,000 simulated routers each line touched is a cache miss.
  struct PeerState {
    PeerHandle handle;
    // The peer's score, recomputed every heartbeat and after every penalty this router applies
    // to it. Between those only deliveries (which raise it) change it, so the per-RPC checks
    // (graylist, gossip threshold) read this instead of recomputing the score on every receipt.
    double cached_score{0.0};
    Direction direction{Direction::kOutbound};
    ProtocolVersion protocol{ProtocolVersion::kWakuRelay2};
    bool direct{false};
    bool blocked{false};
    bool in_ready{false};
    bool graylist_disconnect{false};
    bool slow_disconnect{false};
    // Per-heartbeat budgets (gossipsub v1.1 spam protection).
    std::size_t ihave_rpcs{0};
    std::size_t iwant_asked{0};
    std::size_t idontwant_ids{0};
    std::size_t unknown_topic_items{0};
    // IDONTWANT: ids not to send, stamped with their arrival heartbeat for expiry.
    ExpiringIdSet dont_send;
    PeerQueue queue;
    std::vector<TopicIndex> topics;  // sorted
    Bytes peer_id;

    PeerState(PeerQueue::Limits limits, IdFingerprint fingerprint)
        : dont_send(fingerprint), queue(limits) {}
  };

  struct TopicState {
    std::string name;
    bool live{false};
    bool subscribed{false};
    bool async_validation{false};
    bool has_fanout{false};
    Instant fanout_last_publish{};
    std::vector<PeerKey> peers;          // subscribed peers, sorted
    std::vector<PeerKey> mesh;           // sorted
    std::vector<PeerKey> fanout;         // sorted
    std::map<PeerKey, Instant> backoff;  // peer -> end of its backoff
    std::vector<Validator*> validators;  // this topic's and the global ones, in order added
    std::size_t refs{0};                 // mcache entries + pending validations naming this index
  };

  struct Pending {
    RelayMessagePtr message;
    PeerKey from{0};
    TopicIndex topic{0};
    std::vector<PeerKey> copies_from;  // bounded by kMaxCopiesDuringValidation
  };

  struct Promise {
    Instant deadline;
    MessageId id;
    PeerKey peer{0};
  };

  State(std::shared_ptr<const RouterConfig> c, Rng r)
      : shared_config(std::move(c)),
        config(*shared_config),
        g(config.gossip),
        rng(r),
        score(std::shared_ptr<const PeerScoreParams>(shared_config, &shared_config->score)),
        fingerprint(rng.next_u64()),
        seen(config.gossip.seen_ttl, rng.next_u64()),
        mcache(config.gossip.history_length, config.gossip.history_gossip, fingerprint) {}

  // Shared by every router built from the same configuration (the simulator's thousands): the
  // limits read on every receipt then stay in cache instead of costing a miss per router.
  std::shared_ptr<const RouterConfig> shared_config;
  const RouterConfig& config;
  const GossipsubParams& g;
  Rng rng;
  PeerScore score;
  IdFingerprint fingerprint;  // keyed per router, for the peers' IDONTWANT sets
  SeenCache seen;
  MessageCache mcache;

  // Looked up for every received RPC: a sorted vector (see FlatMap) rather than a std::map.
  FlatMap<PeerKey, PeerState> peers;
  std::vector<PeerKey> direct_peers;  // sorted
  std::vector<TopicState> topics;
  std::vector<TopicIndex> free_topics;
  std::map<std::string, TopicIndex, std::less<>> topic_index;
  // What topic_index answered lately (see InlineNameCache); cleared when a topic is released.
  mutable InlineNameCache<TopicIndex> recent_topics;
  std::size_t live_topics{0};

  std::vector<std::pair<std::string, std::unique_ptr<Validator>>> validators;
  std::vector<std::string> async_topics;
  bool async_all{false};
  std::map<std::uint64_t, Pending> pending;
  MessageIdMap<std::uint64_t> pending_by_id;
  std::uint64_t next_ticket{1};

  // IWANT promises: id -> (peer, deadline); expiry in deadline order (deadlines are now + a
  // constant, so insertion order is deadline order).
  MessageIdMap<std::vector<std::pair<PeerKey, Instant>>> promises;
  FifoQueue<Promise> promise_order;

  FifoQueue<RouterEvent> events;
  FifoQueue<PeerKey> ready;
  RouterStats stats;
  std::optional<Instant> next_heartbeat;
  std::uint64_t heartbeat_ticks{0};

  // Reused buffers, so a heartbeat does not allocate per topic.
  std::vector<PeerKey> scratch_peers;
  std::vector<PeerKey> scratch_candidates;  // emit_gossip's
  std::vector<MessageId> scratch_ids;
  std::vector<std::uint64_t> scratch_fingerprints;  // handle_ihave's

  // --- helpers ---

  void touch(Instant now) {
    if (!next_heartbeat) next_heartbeat = now + g.heartbeat_initial_delay;
  }

  PeerState* find_peer(PeerKey key) {
    const auto it = peers.find(key);
    return it == peers.end() ? nullptr : &it->second;
  }

  std::optional<TopicIndex> find_topic(std::string_view name) const {
    if (const TopicIndex* recent = recent_topics.find(name)) return *recent;
    const auto it = topic_index.find(name);
    if (it == topic_index.end()) return std::nullopt;
    recent_topics.remember(name, it->second);
    return it->second;
  }

  void configure_topic(TopicState& ts) {
    ts.validators.clear();
    for (const auto& [topic, validator] : validators) {
      if (topic.empty() || topic == ts.name) ts.validators.push_back(validator.get());
    }
    ts.async_validation = async_all || std::find(async_topics.begin(), async_topics.end(),
                                                 ts.name) != async_topics.end();
  }

  TopicIndex intern(std::string_view name);

  // Frees topic slots nothing refers to any more, so peers subscribing to ever new topics cannot
  // grow the table beyond max_topics_total. Backoffs do not keep a topic alive: they only matter
  // for grafting, which needs our subscription, and otherwise a peer could pin topic slots for a
  // day by sending PRUNEs with long backoffs.
  void release_idle_topics();

  double peer_score(Instant now, PeerKey key) const { return score.score(now, key); }

  // After a penalty: the cached score must not lag behind it.
  void rescore(Instant now, PeerKey key) {
    if (PeerState* p = find_peer(key)) p->cached_score = peer_score(now, key);
  }
  void penalise(Instant now, PeerKey key, double count) {
    score.add_penalty(key, count);
    rescore(now, key);
  }

  // --- output ---

  void mark_ready(PeerKey key, PeerState& peer) {
    if (peer.in_ready || peer.blocked || peer.queue.empty()) return;
    peer.in_ready = true;
    ready.push_back(key);
  }

  void after_control_push(PeerKey key, PeerState& peer, PeerQueue::PushResult result) {
    if (result.control_overflow && !peer.slow_disconnect) {
      peer.slow_disconnect = true;
      events.emplace_back(DisconnectPeer{peer.handle, DisconnectReason::kSlowPeer});
    }
    mark_ready(key, peer);
  }

  void send_subscription(PeerKey key, PeerState& peer, const std::string& topic, bool subscribe) {
    if (peer.slow_disconnect) return;  // going away: stop growing its queue
    after_control_push(key, peer, peer.queue.push_subscription(Subscription{subscribe, topic}));
  }

  void send_graft(PeerKey key, PeerState& peer, TopicIndex t) {
    ++stats.graft_sent;
    if (peer.slow_disconnect) return;
    after_control_push(key, peer, peer.queue.push_graft(Graft{topics[t].name}));
  }

  enum class Px : std::uint8_t { kNone, kInclude };

  void send_prune(Instant now, PeerKey key, PeerState& peer, TopicIndex t, Duration backoff, Px px);

  // PX: peers of the topic with a non-negative score and a known peer id, at random.
  std::vector<PxPeer> px_records(Instant now, PeerKey exclude, TopicIndex t);

  void send_message(PeerKey key, PeerState& peer, const RelayMessagePtr& message,
                    MessageOrigin origin) {
    ++stats.messages_forwarded;
    const auto result = peer.queue.push_message(message, origin);
    stats.queue_dropped_messages += result.dropped;
    mark_ready(key, peer);
  }

  void send_ihave(PeerKey key, PeerState& peer, IHave ihave) {
    ++stats.ihave_sent;
    const auto result = peer.queue.push_ihave(std::move(ihave));
    stats.queue_dropped_gossip += result.dropped;
    mark_ready(key, peer);
  }

  void send_iwant(PeerKey key, PeerState& peer, IWant iwant) {
    ++stats.iwant_sent;
    const auto result = peer.queue.push_iwant(std::move(iwant));
    stats.queue_dropped_gossip += result.dropped;
    mark_ready(key, peer);
  }

  bool accepts_idontwant(const PeerState& peer) const {
    return peer.protocol == ProtocolVersion::kMeshsub12 ||
           (peer.protocol == ProtocolVersion::kWakuRelay2 && config.idontwant_on_waku_relay_codec);
  }

  // --- mesh membership ---

  void add_to_mesh(Instant now, PeerKey key, const PeerState& peer, TopicIndex t) {
    TopicState& ts = topics[t];
    if (!sorted_insert(ts.mesh, key)) return;
    score.graft(now, key, ts.name);
    events.emplace_back(PeerGrafted{peer.handle, ts.name});
  }

  void graft(Instant now, PeerKey key, PeerState& peer, TopicIndex t) {
    add_to_mesh(now, key, peer, t);
    send_graft(key, peer, t);
  }

  bool remove_from_mesh(Instant now, PeerKey key, const PeerState& peer, TopicIndex t) {
    TopicState& ts = topics[t];
    if (!sorted_erase(ts.mesh, key)) return false;
    score.prune(now, key, ts.name);
    events.emplace_back(PeerPruned{peer.handle, ts.name});
    return true;
  }

  // Backoff only ever grows (go-libp2p addBackoff).
  void set_backoff(TopicIndex t, PeerKey key, Instant until) {
    auto [it, inserted] = topics[t].backoff.try_emplace(key, until);
    if (!inserted && it->second < until) it->second = until;
  }

  // Strict backoff: a GRAFT from the peer now violates it.
  bool in_backoff(Instant now, TopicIndex t, PeerKey key) const {
    const auto& backoff = topics[t].backoff;
    const auto it = backoff.find(key);
    return it != backoff.end() && now < it->second;
  }
  // We wait the backoff plus slack before grafting the peer ourselves (v1.1 "plus some slack").
  bool graft_blocked(Instant now, TopicIndex t, PeerKey key) const {
    const auto& backoff = topics[t].backoff;
    const auto it = backoff.find(key);
    return it != backoff.end() && now < it->second + g.backoff_slack;
  }

  // Our PRUNE for a mesh peer: leave the mesh, tell it, and back off locally.
  void prune_peer(Instant now, PeerKey key, PeerState& peer, TopicIndex t, Duration backoff,
                  Px px) {
    remove_from_mesh(now, key, peer, t);
    send_prune(now, key, peer, t, backoff, px);
    set_backoff(t, key, now + backoff);
  }

  // --- commands ---

  void join(Instant now, TopicIndex t);

  Verdict run_validators(Instant now, TopicIndex t, const RelayMessage& message) {
    const ValidationContext context{
        now, UnixNanos{config.unix_time_at_origin.value + (now - Instant::origin()).count()}};
    for (Validator* validator : topics[t].validators) {
      const Verdict verdict = validator->validate(context, message);
      if (verdict != Verdict::kAccept) return verdict;
    }
    return Verdict::kAccept;
  }

  // --- receiving ---

  // Counts an RPC from `key`: its peer state, or nullptr if the RPC is to be ignored (unknown or
  // graylisted peer).
  PeerState* rpc_sender(PeerKey key);

  // Everything in one RPC from `key`; takes the messages out of `rpc.publish`.
  void handle_rpc(Instant now, PeerKey key, Rpc& rpc);

  void handle_subscriptions(Instant now, PeerKey key, PeerState& peer,
                            const std::vector<Subscription>& subscriptions);

  void handle_message(Instant now, PeerKey key, RelayMessagePtr message);

  void start_async(Instant now, PeerKey key, RelayMessagePtr message, TopicIndex t);

  void finish_validation(Instant now, std::optional<PeerKey> from, const RelayMessagePtr& message,
                         TopicIndex t, Verdict verdict, const std::vector<PeerKey>* copies);

  bool excluded(PeerKey key, std::optional<PeerKey> from, const std::vector<PeerKey>* copies);

  // Forwarding goes to the mesh and the direct peers of the topic, never back to the sender,
  // skipping peers that sent IDONTWANT for the id. The message is shared, never copied.
  void forward(TopicIndex t, const RelayMessagePtr& message, std::optional<PeerKey> from,
               const std::vector<PeerKey>* copies);

  void handle_ihave(Instant now, PeerKey key, PeerState& peer, const std::vector<IHave>& ihaves);

  void handle_iwant(PeerKey key, PeerState& peer, const std::vector<IWant>& iwants);

  void handle_idontwant(PeerState& peer, const std::vector<IDontWant>& entries);
  // One entry's ids; false once the peer's budget for this heartbeat is spent.
  bool handle_idontwant_ids(PeerState& peer, std::span<const MessageId> ids);

  // An IDONTWANT id need not be remembered once the message is seen and no longer validating: it
  // was forwarded (or dropped) then, and the seen set keeps it from being forwarded again. Most
  // IDONTWANTs come from mesh peers that got the message at about the time we did, after our own
  // first copy; remembering them cost an insert and an expiry in a per-peer set, and made every
  // later forward probe that set.
  bool already_forwarded(const MessageId& id) const {
    return seen.contains(id) && (pending_by_id.empty() || !pending_by_id.contains(id));
  }

  void handle_graft(Instant now, PeerKey key, PeerState& peer, const std::vector<Graft>& grafts);

  void handle_prune(Instant now, PeerKey key, PeerState& peer, const std::vector<Prune>& prunes);

  void maybe_disconnect_graylisted(PeerState& peer) {
    if (peer.graylist_disconnect) return;
    peer.graylist_disconnect = true;
    events.emplace_back(DisconnectPeer{peer.handle, DisconnectReason::kGraylisted});
  }

  // --- heartbeat ---

  double hb_score(PeerKey key) const {
    const auto it = peers.find(key);
    return it == peers.end() ? 0.0 : it->second.cached_score;
  }

  // Candidates for grafting into topic t: subscribed, not in `exclude`, not direct, not backed
  // off, passing `accept`. Sorted by handle, so rng.sample gives a deterministic choice.
  template <typename Accept>
  std::vector<PeerKey> graft_candidates(Instant now, TopicIndex t,
                                        const std::vector<PeerKey>& exclude, Accept&& accept);

  void graft_sample(Instant now, TopicIndex t, const std::vector<PeerKey>& candidates,
                    std::size_t count);

  std::size_t count_outbound(const std::vector<PeerKey>& keys) const;

  void maintain_mesh(Instant now, TopicIndex t);

  // IHAVE with the recent ids of topic t to max(d_lazy, gossip_factor x eligible) random peers
  // outside `exclude` (the mesh or fanout) scoring at least gossip_threshold.
  void emit_gossip(TopicIndex t, const std::vector<PeerKey>& exclude);

  void heartbeat(Instant now);
};

}  // namespace waku::relay
