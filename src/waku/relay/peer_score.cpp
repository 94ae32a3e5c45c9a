// PeerScore implementation. Semantics follow gossipsub v1.1 §Peer Scoring and, where the spec is
// silent, go-libp2p-pubsub's score.go (delivery records, duplicate handling) and nim-libp2p, which
// nwaku runs (retention of every disconnected peer's counters).
#include "waku/relay/peer_score.hpp"

#include <algorithm>
#include <array>
#include <deque>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "waku/base/assert.hpp"
#include "waku/base/flat_map.hpp"
#include "waku/base/inline_name_cache.hpp"

namespace waku::relay {
namespace {

using PeerKey = PeerScore::PeerKey;
using TopicIndex = std::uint32_t;
constexpr TopicIndex kNoTopic = std::numeric_limits<TopicIndex>::max();

// Map nodes of finished delivery records are kept for reuse, so that steady-state traffic (one
// record per distinct message) does not allocate.
constexpr std::size_t kRecordNodePoolMax = 64;

struct TopicStats {
  TopicIndex topic{kNoTopic};
  bool in_mesh{false};
  Instant graft_time{};
  double first_message_deliveries{0.0};    // P2
  double mesh_message_deliveries{0.0};     // P3
  double mesh_failure_penalty{0.0};        // P3b
  double invalid_message_deliveries{0.0};  // P4
};

struct PeerStats {
  // A node subscribes to a handful of topics, so a vector searched linearly beats any map.
  std::vector<TopicStats> topics;
  std::string ip;
  std::string peer_id;
  double application_score{0.0};  // P5
  double behaviour_penalty{0.0};  // P7
};

struct RetainedPeer {
  PeerStats stats;
  Instant expire{};
};

enum class DeliveryStatus : std::uint8_t { kValidating, kValid, kInvalid };

// Peers other than the first sender that sent a copy of a message. Usually none (validation is
// quick) or about D, so a few inline slots avoid allocating; bounded by kMaxDuplicateSenders.
class SenderSet {
 public:
  [[nodiscard]] bool contains(PeerKey peer) const {
    const auto inline_end = inline_.begin() + std::min<std::size_t>(size_, kInline);
    if (std::find(inline_.begin(), inline_end, peer) != inline_end) return true;
    return std::find(overflow_.begin(), overflow_.end(), peer) != overflow_.end();
  }
  // Returns false if the peer was already present or the set is full.
  bool insert(PeerKey peer) {
    if (contains(peer) || size_ >= PeerScore::kMaxDuplicateSenders) return false;
    if (size_ < kInline) {
      inline_[size_] = peer;
    } else {
      overflow_.push_back(peer);
    }
    ++size_;
    return true;
  }
  template <typename F>
  void for_each(F&& f) const {
    for (std::size_t i = 0; i < std::min<std::size_t>(size_, kInline); ++i) f(inline_[i]);
    for (const PeerKey peer : overflow_) f(peer);
  }
  void clear() {
    size_ = 0;
    overflow_.clear();  // keeps capacity for reuse
  }

 private:
  static constexpr std::size_t kInline = 6;
  std::array<PeerKey, kInline> inline_{};
  std::size_t size_{0};
  std::vector<PeerKey> overflow_;
};

struct DeliveryRecord {
  DeliveryStatus status{DeliveryStatus::kValidating};
  TopicIndex topic{kNoTopic};
  PeerKey first_sender{0};
  Instant first_seen{};
  Instant validated{};
  SenderSet senders;
  // Intrusive list in first_seen order (oldest first), for expiry and for dropping the oldest
  // record at the bound. Links only; no behaviour depends on the pointer values.
  DeliveryRecord* older{nullptr};
  DeliveryRecord* newer{nullptr};
  const MessageId* id{nullptr};  // the map key of this record
};

struct TopicSlot {
  std::string name;
  TopicScoreParams params;
};

// decay^steps by squaring: exact (== decay) for one step, O(log steps) for a long gap.
double decay_factor(double decay, std::int64_t steps) {
  double result = 1.0;
  double base = decay;
  while (steps > 0) {
    if ((steps & 1) != 0) result *= base;
    base *= base;
    steps >>= 1;
  }
  return result;
}

}  // namespace

struct PeerScore::State {
  std::shared_ptr<const PeerScoreParams> shared_params;
  const PeerScoreParams& params;
  bool p3_enabled{false};

  std::vector<TopicSlot> topics;
  std::map<std::string, TopicIndex, std::less<>> topic_index;
  // What topic_for answered lately, unscored topics (kNoTopic) included: topics are never removed
  // and the parameters never change, so an answer stays right.
  InlineNameCache<TopicIndex> recent_topics;

  FlatMap<PeerKey, PeerStats> peers;  // probed on every delivery: flat, not node-based
  std::map<std::string, std::uint32_t, std::less<>> peers_per_ip;

  std::unordered_map<std::string, RetainedPeer> retained;
  std::deque<std::pair<Instant, std::string>> retained_expiry;  // in expiry order; may be stale

  using RecordMap = std::unordered_map<MessageId, DeliveryRecord, MessageIdHash>;
  RecordMap records;
  std::vector<RecordMap::node_type> record_pool;
  DeliveryRecord* oldest{nullptr};
  DeliveryRecord* newest{nullptr};

  std::optional<Instant> last_decay;

  explicit State(std::shared_ptr<const PeerScoreParams> p)
      : shared_params(std::move(p)), params(*shared_params) {
    const auto uses_p3 = [](const TopicScoreParams& t) {
      return t.mesh_message_deliveries_weight != 0.0 || t.mesh_failure_penalty_weight != 0.0;
    };
    for (const auto& [name, topic] : params.topics) p3_enabled = p3_enabled || uses_p3(topic);
    if (params.default_topic) p3_enabled = p3_enabled || uses_p3(*params.default_topic);
  }

  // --- topics ---

  TopicIndex topic_for(std::string_view name) {
    if (const TopicIndex* recent = recent_topics.find(name)) return *recent;
    const TopicIndex index = find_or_add_topic(name);
    recent_topics.remember(name, index);
    return index;
  }

  TopicIndex find_or_add_topic(std::string_view name) {
    if (const auto it = topic_index.find(name); it != topic_index.end()) return it->second;
    const TopicScoreParams* topic_params = params.params_for(name);
    if (topic_params == nullptr || topics.size() >= kMaxScoredTopics) return kNoTopic;
    const auto index = static_cast<TopicIndex>(topics.size());
    topics.push_back(TopicSlot{std::string(name), *topic_params});
    topic_index.emplace(std::string(name), index);
    return index;
  }

  static TopicStats* find_topic(PeerStats& stats, TopicIndex topic) {
    for (auto& t : stats.topics) {
      if (t.topic == topic) return &t;
    }
    return nullptr;
  }
  static TopicStats& topic_stats(PeerStats& stats, TopicIndex topic) {
    if (TopicStats* found = find_topic(stats, topic)) return *found;
    stats.topics.push_back(TopicStats{.topic = topic});
    return stats.topics.back();
  }

  PeerStats* find_peer(PeerKey peer) {
    const auto it = peers.find(peer);
    return it == peers.end() ? nullptr : &it->second;
  }

  // --- counters ---

  void mark_first_delivery(PeerKey peer, TopicIndex topic) {
    PeerStats* stats = find_peer(peer);
    if (stats == nullptr) return;
    const TopicScoreParams& p = topics[topic].params;
    TopicStats& t = topic_stats(*stats, topic);
    t.first_message_deliveries =
        std::min(t.first_message_deliveries + 1.0, p.first_message_deliveries_cap);
    if (p3_enabled && t.in_mesh) {
      t.mesh_message_deliveries =
          std::min(t.mesh_message_deliveries + 1.0, p.mesh_message_deliveries_cap);
    }
  }

  // A near-first copy from `peer`: P3 credit if it is in the mesh of the topic.
  void mark_duplicate_delivery(PeerKey peer, TopicIndex topic) {
    PeerStats* stats = find_peer(peer);
    if (stats == nullptr) return;
    TopicStats* t = find_topic(*stats, topic);
    if (t == nullptr || !t->in_mesh) return;
    t->mesh_message_deliveries = std::min(t->mesh_message_deliveries + 1.0,
                                          topics[topic].params.mesh_message_deliveries_cap);
  }

  void mark_invalid_delivery(PeerKey peer, TopicIndex topic) {
    if (topic == kNoTopic) return;
    PeerStats* stats = find_peer(peer);
    if (stats == nullptr) return;
    topic_stats(*stats, topic).invalid_message_deliveries += 1.0;
  }

  // Leaving the mesh: a still-active delivery deficit becomes the sticky P3b penalty.
  void leave_mesh(Instant now, TopicStats& t) {
    if (!t.in_mesh) return;
    const TopicScoreParams& p = topics[t.topic].params;
    if (now - t.graft_time > p.mesh_message_deliveries_activation &&
        t.mesh_message_deliveries < p.mesh_message_deliveries_threshold) {
      const double deficit = p.mesh_message_deliveries_threshold - t.mesh_message_deliveries;
      t.mesh_failure_penalty += deficit * deficit;
    }
    t.in_mesh = false;
  }

  // --- delivery records ---

  DeliveryRecord* find_record(const MessageId& id) {
    // Without P3 the table is empty nearly always: do not hash the id and read its bucket.
    if (records.empty()) return nullptr;
    const auto it = records.find(id);
    return it == records.end() ? nullptr : &it->second;
  }

  DeliveryRecord& new_record(const MessageId& id) {
    if (records.size() >= kMaxDeliveryRecords && oldest != nullptr) erase_record(*oldest);
    DeliveryRecord* record = nullptr;
    if (!record_pool.empty()) {
      auto node = std::move(record_pool.back());
      record_pool.pop_back();
      node.key() = id;
      auto inserted = records.insert(std::move(node));
      WAKU_ASSERT(inserted.inserted);
      record = &inserted.position->second;
      record->id = &inserted.position->first;
    } else {
      auto [it, inserted] = records.try_emplace(id);
      WAKU_ASSERT(inserted);
      record = &it->second;
      record->id = &it->first;
    }
    record->older = newest;
    record->newer = nullptr;
    if (newest != nullptr) newest->newer = record;
    newest = record;
    if (oldest == nullptr) oldest = record;
    return *record;
  }

  void erase_record(DeliveryRecord& record) {
    if (record.older != nullptr) record.older->newer = record.newer;
    if (record.newer != nullptr) record.newer->older = record.older;
    if (oldest == &record) oldest = record.newer;
    if (newest == &record) newest = record.older;
    const MessageId id = *record.id;  // the key must not be read while its node is extracted
    auto node = records.extract(id);
    WAKU_ASSERT(!node.empty());
    if (record_pool.size() < kRecordNodePoolMax) {
      node.mapped().senders.clear();
      record_pool.push_back(std::move(node));
    }
  }

  // --- decay and expiry ---

  void decay(std::int64_t steps) {
    struct Factors {
      double first, mesh, failure, invalid;
    };
    std::vector<Factors> factors;
    factors.reserve(topics.size());
    for (const auto& slot : topics) {
      const auto& p = slot.params;
      factors.push_back(Factors{decay_factor(p.first_message_deliveries_decay, steps),
                                decay_factor(p.mesh_message_deliveries_decay, steps),
                                decay_factor(p.mesh_failure_penalty_decay, steps),
                                decay_factor(p.invalid_message_deliveries_decay, steps)});
    }
    const double behaviour = decay_factor(params.behaviour_penalty_decay, steps);
    const double to_zero = params.decay_to_zero;
    // Counters only shrink, so snapping once after `steps` multiplications is the same as
    // snapping after each one.
    const auto apply = [to_zero](double& counter, double factor) {
      counter *= factor;
      if (counter < to_zero) counter = 0.0;
    };
    // Each peer decays independently.
    for (auto& [key, stats] : peers) {
      for (auto& t : stats.topics) {
        const Factors& f = factors[t.topic];
        apply(t.first_message_deliveries, f.first);
        apply(t.mesh_message_deliveries, f.mesh);
        apply(t.mesh_failure_penalty, f.failure);
        apply(t.invalid_message_deliveries, f.invalid);
      }
      apply(stats.behaviour_penalty, behaviour);
    }
  }

  void expire_retained(Instant now) {
    while (!retained_expiry.empty() && retained_expiry.front().first <= now) {
      drop_oldest_retained();
    }
  }

  // Pops the oldest expiry entry; erases the retained peer if the entry is still its current one
  // (a peer that came back and left again has a later entry).
  void drop_oldest_retained() {
    auto& [expire, peer_id] = retained_expiry.front();
    if (const auto it = retained.find(peer_id);
        it != retained.end() && it->second.expire == expire) {
      retained.erase(it);
    }
    retained_expiry.pop_front();
  }

  [[nodiscard]] double score(Instant now, const PeerStats& stats) const {
    double topic_score_sum = 0.0;
    for (const TopicStats& t : stats.topics) {
      const TopicScoreParams& p = topics[t.topic].params;
      double topic_score = 0.0;
      if (t.in_mesh) {
        const Duration mesh_time = std::max(now - t.graft_time, Duration::zero());
        if (p.time_in_mesh_weight != 0.0 && p.time_in_mesh_quantum > Duration::zero()) {
          const double quanta = static_cast<double>(mesh_time.count()) /
                                static_cast<double>(p.time_in_mesh_quantum.count());
          topic_score += std::min(quanta, p.time_in_mesh_cap) * p.time_in_mesh_weight;  // P1
        }
        if (mesh_time > p.mesh_message_deliveries_activation &&
            t.mesh_message_deliveries < p.mesh_message_deliveries_threshold) {
          const double deficit = p.mesh_message_deliveries_threshold - t.mesh_message_deliveries;
          topic_score += deficit * deficit * p.mesh_message_deliveries_weight;  // P3
        }
      }
      topic_score += t.first_message_deliveries * p.first_message_deliveries_weight;  // P2
      topic_score += t.mesh_failure_penalty * p.mesh_failure_penalty_weight;          // P3b
      topic_score += t.invalid_message_deliveries * t.invalid_message_deliveries *
                     p.invalid_message_deliveries_weight;  // P4
      topic_score_sum += topic_score * p.topic_weight;
    }
    if (params.topic_score_cap > 0.0) {
      topic_score_sum = std::min(topic_score_sum, params.topic_score_cap);
    }

    double result = topic_score_sum + stats.application_score * params.app_specific_weight;  // P5

    if (!stats.ip.empty() && params.ip_colocation_factor_weight != 0.0) {  // P6
      if (const auto it = peers_per_ip.find(stats.ip); it != peers_per_ip.end()) {
        const double peers_on_ip = static_cast<double>(it->second);
        if (peers_on_ip > params.ip_colocation_factor_threshold) {
          const double surplus = peers_on_ip - params.ip_colocation_factor_threshold;
          result += surplus * surplus * params.ip_colocation_factor_weight;
        }
      }
    }

    if (stats.behaviour_penalty > params.behaviour_penalty_threshold) {  // P7
      const double excess = stats.behaviour_penalty - params.behaviour_penalty_threshold;
      result += excess * excess * params.behaviour_penalty_weight;
    }
    return result;
  }
};

PeerScore::PeerScore(PeerScoreParams params)
    : PeerScore(std::make_shared<const PeerScoreParams>(std::move(params))) {}

PeerScore::PeerScore(std::shared_ptr<const PeerScoreParams> params)
    : state_(std::make_unique<State>(std::move(params))) {}
PeerScore::PeerScore(PeerScore&&) noexcept = default;
PeerScore& PeerScore::operator=(PeerScore&&) noexcept = default;
PeerScore::~PeerScore() = default;

void PeerScore::add_peer(Instant now, PeerKey peer, ByteView peer_id, std::string_view ip) {
  State& s = *state_;
  if (s.peers.contains(peer)) return;
  PeerStats stats;
  if (!peer_id.empty()) {
    std::string key(as_chars(peer_id));
    if (auto it = s.retained.find(key); it != s.retained.end()) {
      // Checked here too (not only in refresh) so the outcome does not depend on heartbeat timing.
      if (it->second.expire > now) stats = std::move(it->second.stats);
      s.retained.erase(it);  // its expiry entry is now stale and is skipped when popped
    }
    stats.peer_id = std::move(key);
  }
  stats.ip = std::string(ip);
  if (!stats.ip.empty()) {
    auto it = s.peers_per_ip.find(stats.ip);
    if (it == s.peers_per_ip.end()) it = s.peers_per_ip.emplace(stats.ip, 0).first;
    ++it->second;
  }
  s.peers.emplace(peer, std::move(stats));
}

void PeerScore::remove_peer(Instant now, PeerKey peer) {
  State& s = *state_;
  const auto it = s.peers.find(peer);
  if (it == s.peers.end()) return;
  PeerStats& stats = it->second;
  if (!stats.ip.empty()) {
    if (const auto ip = s.peers_per_ip.find(stats.ip); ip != s.peers_per_ip.end()) {
      if (--ip->second == 0) s.peers_per_ip.erase(ip);
    }
  }
  if (!stats.peer_id.empty() && s.params.retain_score > Duration::zero()) {
    // As go and nim: first-delivery credit is not kept (it would let a peer bank positive score),
    // and leaving the mesh by disconnecting costs the same P3b as being pruned.
    for (auto& t : stats.topics) {
      t.first_message_deliveries = 0.0;
      s.leave_mesh(now, t);
    }
    while (s.retained.size() >= kMaxRetainedPeers && !s.retained_expiry.empty()) {
      s.drop_oldest_retained();
    }
    const Instant expire = now + s.params.retain_score;
    std::string key = stats.peer_id;
    s.retained_expiry.emplace_back(expire, key);
    s.retained.insert_or_assign(std::move(key), RetainedPeer{std::move(stats), expire});
  }
  s.peers.erase(it);
}

void PeerScore::graft(Instant now, PeerKey peer, std::string_view topic) {
  State& s = *state_;
  PeerStats* stats = s.find_peer(peer);
  if (stats == nullptr) return;
  const TopicIndex index = s.topic_for(topic);
  if (index == kNoTopic) return;
  TopicStats& t = State::topic_stats(*stats, index);
  if (t.in_mesh) return;
  t.in_mesh = true;
  t.graft_time = now;
}

void PeerScore::prune(Instant now, PeerKey peer, std::string_view topic) {
  State& s = *state_;
  PeerStats* stats = s.find_peer(peer);
  if (stats == nullptr) return;
  const TopicIndex index = s.topic_for(topic);
  if (index == kNoTopic) return;
  if (TopicStats* t = State::find_topic(*stats, index)) s.leave_mesh(now, *t);
}

void PeerScore::validate_message(Instant now, PeerKey from, const MessageId& id,
                                 std::string_view topic) {
  State& s = *state_;
  if (s.find_record(id) != nullptr) {
    duplicate_message(now, from, id, topic);
    return;
  }
  const TopicIndex index = s.topic_for(topic);
  if (index == kNoTopic) return;  // nothing to score on this topic
  DeliveryRecord& record = s.new_record(id);
  record.status = DeliveryStatus::kValidating;
  record.topic = index;
  record.first_sender = from;
  record.first_seen = now;
  record.validated = now;
}

void PeerScore::duplicate_message(Instant now, PeerKey from, const MessageId& id,
                                  std::string_view /*topic*/) {
  State& s = *state_;
  DeliveryRecord* record = s.find_record(id);
  if (record == nullptr || record->first_sender == from) return;
  switch (record->status) {
    case DeliveryStatus::kValidating:
      // Shares the verdict: P3 credit on accept, P4 on reject.
      record->senders.insert(from);
      return;
    case DeliveryStatus::kValid: {
      // Only kept when P3 is scored. Each peer counts once, and only near the validation time
      // (go measures the window from validation, so copies that arrived while validating count).
      if (!record->senders.insert(from)) return;
      const TopicScoreParams& p = s.topics[record->topic].params;
      if (now - record->validated <= p.mesh_message_deliveries_window) {
        s.mark_duplicate_delivery(from, record->topic);
      }
      return;
    }
    case DeliveryStatus::kInvalid:
      // Every further copy of an invalid message is penalised, as in go.
      s.mark_invalid_delivery(from, record->topic);
      return;
  }
}

void PeerScore::deliver_message(Instant now, const MessageId& id, std::string_view /*topic*/) {
  State& s = *state_;
  DeliveryRecord* record = s.find_record(id);
  if (record == nullptr || record->status != DeliveryStatus::kValidating) return;
  s.mark_first_delivery(record->first_sender, record->topic);
  if (!s.p3_enabled) {
    // Later copies of a valid message change nothing unless P3 is scored: forget it now.
    s.erase_record(*record);
    return;
  }
  record->senders.for_each([&](PeerKey peer) { s.mark_duplicate_delivery(peer, record->topic); });
  record->status = DeliveryStatus::kValid;
  record->validated = now;
}

void PeerScore::accept_message(Instant now, PeerKey from, const MessageId& id,
                               std::string_view topic) {
  State& s = *state_;
  if (s.p3_enabled || s.find_record(id) != nullptr) {
    // A record is kept for later copies, or one is left from an earlier reject: the two steps.
    validate_message(now, from, id, topic);
    deliver_message(now, id, topic);
    return;
  }
  const TopicIndex index = s.topic_for(topic);
  if (index != kNoTopic) s.mark_first_delivery(from, index);
}

void PeerScore::reject_message(Instant /*now*/, const MessageId& id, std::string_view /*topic*/) {
  State& s = *state_;
  DeliveryRecord* record = s.find_record(id);
  if (record == nullptr || record->status != DeliveryStatus::kValidating) return;
  s.mark_invalid_delivery(record->first_sender, record->topic);
  record->senders.for_each([&](PeerKey peer) { s.mark_invalid_delivery(peer, record->topic); });
  record->senders.clear();
  record->status = DeliveryStatus::kInvalid;  // kept: later copies are penalised too
}

void PeerScore::ignore_message(Instant /*now*/, const MessageId& id, std::string_view /*topic*/) {
  State& s = *state_;
  DeliveryRecord* record = s.find_record(id);
  if (record == nullptr || record->status != DeliveryStatus::kValidating) return;
  s.erase_record(*record);  // neither the sender nor later copies are scored
}

void PeerScore::reject_from(Instant /*now*/, PeerKey from, std::string_view topic) {
  State& s = *state_;
  s.mark_invalid_delivery(from, s.topic_for(topic));
}

void PeerScore::add_penalty(PeerKey peer, double count) {
  if (PeerStats* stats = state_->find_peer(peer)) stats->behaviour_penalty += count;
}

void PeerScore::set_application_score(PeerKey peer, double value) {
  if (PeerStats* stats = state_->find_peer(peer)) stats->application_score = value;
}

void PeerScore::refresh(Instant now) {
  State& s = *state_;
  if (!s.last_decay) {
    s.last_decay = now;  // decay intervals count from the first refresh
  } else if (s.params.decay_interval > Duration::zero() && now > *s.last_decay) {
    const std::int64_t steps = (now - *s.last_decay) / s.params.decay_interval;
    if (steps > 0) {
      *s.last_decay += steps * s.params.decay_interval;
      s.decay(steps);
    }
  }
  s.expire_retained(now);
  while (s.oldest != nullptr && now - s.oldest->first_seen >= kDeliveryRecordTtl) {
    s.erase_record(*s.oldest);
  }
}

double PeerScore::score(Instant now, PeerKey peer) const {
  const auto it = state_->peers.find(peer);
  if (it == state_->peers.end()) return 0.0;
  return state_->score(now, it->second);
}

std::size_t PeerScore::delivery_record_count() const { return state_->records.size(); }
std::size_t PeerScore::retained_peer_count() const { return state_->retained.size(); }

}  // namespace waku::relay
