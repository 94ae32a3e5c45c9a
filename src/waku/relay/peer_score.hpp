// PeerScore: gossipsub v1.1 peer scoring (P1–P7 with decay and retention) for one router.
//
// Sans-I/O like the router: time arrives as `now`. Scores of disconnected peers are retained for
// `retain_score`, keyed by libp2p peer id, so a peer cannot reset a bad score by reconnecting.
// Spec: libp2p/specs pubsub/gossipsub/gossipsub-v1.1.md §Peer Scoring; reference gossipsub.md §1.6.
//
// Hot path: the router reports every received copy of every message here, so per-message work is a
// hash lookup; no allocation happens in steady state, and when no topic weights P3/P3b (Waku's
// defaults) a delivery record lives only while its message is being validated (and, after a
// reject, for ~2 min so that later copies are penalised too). Scores are computed on demand in
// O(topics of the peer). Behaviour never depends on unordered-container iteration order.
//
// Retention follows nim-libp2p (nwaku) and go-libp2p-pubsub: on disconnect the P2 counters are
// reset, mesh topics are pruned (P3b), and everything else is kept for `retain_score` under the
// peer id. Retained counters do not decay while the peer is away.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>

#include "waku/base/bytes.hpp"
#include "waku/base/time.hpp"
#include "waku/relay/rpc.hpp"
#include "waku/relay/score_params.hpp"

namespace waku::relay {

class PeerScore {
 public:
  using PeerKey = std::uint32_t;  // the router's PeerHandle value

  // Bounds on state that peers can make us hold.
  static constexpr std::size_t kMaxDeliveryRecords = 100'000;  // oldest dropped beyond this
  static constexpr Duration kDeliveryRecordTtl = 120s;         // go TimeCacheDuration
  static constexpr std::size_t kMaxRetainedPeers = 100'000;    // oldest dropped beyond this
  static constexpr std::size_t kMaxScoredTopics = 1024;  // further topics are not scored (P1–P4)
  static constexpr std::size_t kMaxDuplicateSenders = 256;  // per message, remembered for P3/P4

  // `params` should have passed validate(); invalid values never crash but score nonsense.
  explicit PeerScore(PeerScoreParams params);
  // Shares `params` (a router's configuration, shared by many routers) instead of copying them.
  explicit PeerScore(std::shared_ptr<const PeerScoreParams> params);
  PeerScore(PeerScore&&) noexcept;
  PeerScore& operator=(PeerScore&&) noexcept;
  ~PeerScore();

  // `peer_id` may be empty (then nothing is retained); `ip` empty = not counted for P6.
  // A peer id whose counters are retained gets them back. Adding a known key again is a no-op.
  void add_peer(Instant now, PeerKey peer, ByteView peer_id, std::string_view ip);
  void remove_peer(Instant now, PeerKey peer);

  void graft(Instant now, PeerKey peer, std::string_view topic);
  void prune(Instant now, PeerKey peer, std::string_view topic);

  // Message deliveries, in the order the router observes them:
  // first copy of an id from `from`, before validation starts.
  void validate_message(Instant now, PeerKey from, const MessageId& id, std::string_view topic);
  // another copy of an id already seen (counts for P3 if within the window or still validating).
  void duplicate_message(Instant now, PeerKey from, const MessageId& id, std::string_view topic);
  // the validation verdict for an id: Accept credits P2 (first sender) and P3; Reject adds P4 to
  // the first sender and to peers that sent copies while it was validating; Ignore does neither.
  void deliver_message(Instant now, const MessageId& id, std::string_view topic);
  void reject_message(Instant now, const MessageId& id, std::string_view topic);
  void ignore_message(Instant now, const MessageId& id, std::string_view topic);
  // validate_message and deliver_message together, for a first copy accepted the moment it arrived
  // (synchronous validation: no copy can come in between). Unless P3 is scored, skips the delivery
  // record that the pair would create and drop at once.
  void accept_message(Instant now, PeerKey from, const MessageId& id, std::string_view topic);
  // A rejection that is not tied to a tracked id (e.g. StrictNoSign violation, undecodable data).
  void reject_from(Instant now, PeerKey from, std::string_view topic);

  void add_penalty(PeerKey peer, double count);            // P7
  void set_application_score(PeerKey peer, double value);  // P5

  // Call every heartbeat: applies decay once per decay_interval, drops expired retained scores and
  // delivery records.
  void refresh(Instant now);

  // 0 for an unknown peer.
  [[nodiscard]] double score(Instant now, PeerKey peer) const;

  // Introspection for tests and metrics.
  [[nodiscard]] std::size_t delivery_record_count() const;
  [[nodiscard]] std::size_t retained_peer_count() const;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace waku::relay
