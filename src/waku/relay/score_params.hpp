// Peer-score parameters and thresholds (gossipsub v1.1 §Peer Scoring), with Waku's defaults.
//
// Plain data that configures PeerScore (P1–P7, decay, retention) and the router's score
// thresholds. `validate()` checks the spec's sign and range constraints so that a bad config is a
// Result error at start-up instead of nonsense scores later; PeerScore assumes validated params.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "waku/base/result.hpp"
#include "waku/base/time.hpp"

namespace waku::relay {

// Per-topic parameters (P1–P4). Names follow go-libp2p-pubsub's TopicScoreParams.
struct TopicScoreParams {
  double topic_weight = 1.0;  // t_i: multiplies the whole topic score; >= 0
  // P1: time in mesh, min(mesh_time / quantum, cap), only while in the mesh. Weight >= 0.
  double time_in_mesh_weight = 0.01;
  Duration time_in_mesh_quantum = 1s;
  double time_in_mesh_cap = 10.0;
  // P2: first message deliveries of valid messages, counter capped at `cap`. Weight >= 0.
  double first_message_deliveries_weight = 1.0;
  double first_message_deliveries_decay = 0.5;
  double first_message_deliveries_cap = 10.0;
  // P3: mesh message delivery rate (disabled in Waku: weight 0). While in the mesh and after
  // `activation`, (threshold - counter)^2 if the counter of first and near-first deliveries (copies
  // received during validation or within `window` after it) is below `threshold`. Weight <= 0.
  double mesh_message_deliveries_weight = 0.0;
  double mesh_message_deliveries_decay = 0.0;
  double mesh_message_deliveries_cap = 0.0;
  double mesh_message_deliveries_threshold = 0.0;
  Duration mesh_message_deliveries_window = 5ms;
  Duration mesh_message_deliveries_activation = 60s;
  // P3b: mesh failure penalty (disabled in Waku): sticky; at prune, += the active P3 deficit^2.
  // Weight <= 0.
  double mesh_failure_penalty_weight = 0.0;
  double mesh_failure_penalty_decay = 0.0;
  // P4: invalid messages, counter^2 (uncapped), counter += 1 per rejected message. Weight <= 0.
  double invalid_message_deliveries_weight = -100.0;
  double invalid_message_deliveries_decay = 0.5;

  [[nodiscard]] Result<void> validate() const;
};

struct PeerScoreParams {
  // Parameters for named topics; `default_topic` applies to every other topic (Waku scores every
  // shard alike). A topic with neither is not scored (P1–P4 are 0 for it).
  std::map<std::string, TopicScoreParams, std::less<>> topics;
  std::optional<TopicScoreParams> default_topic;
  // Upper bound on the sum of topic scores (go TopicScoreCap); 0 = no cap.
  double topic_score_cap = 0.0;
  // P5: application-specific score (PeerScore::set_application_score) times this weight.
  double app_specific_weight = 0.0;
  // P6: IP colocation; for a peer whose IP has n > threshold connected peers, (n - threshold)^2.
  double ip_colocation_factor_weight = -50.0;
  double ip_colocation_factor_threshold = 5.0;
  // P7: behaviour penalty; max(0, counter - threshold)^2, counter decays. Weight <= 0.
  double behaviour_penalty_weight = -10.0;
  double behaviour_penalty_threshold = 0.0;
  double behaviour_penalty_decay = 0.986;
  // Decay and retention: every `decay_interval` the counters of P2, P3, P3b, P4 and P7 are
  // multiplied by their decay and snapped to 0 below `decay_to_zero`; the counters of a
  // disconnected peer are kept (without decay) for `retain_score`.
  Duration decay_interval = 12s;
  double decay_to_zero = 0.01;
  Duration retain_score = 600s;

  // nwaku waku/waku_relay/protocol.nim: P1 0.01/1s/10, P2 1.0/0.5/10, P3/P3b 0, P4 -100/0.5,
  // IP colocation -50 (threshold 5), behaviour -10 (decay 0.986), decay 12 s, retain 10 min.
  static PeerScoreParams waku_defaults();

  [[nodiscard]] const TopicScoreParams* params_for(std::string_view topic) const;
  [[nodiscard]] Result<void> validate() const;
};

// Thresholds (gossipsub v1.1 §Score Thresholds); nwaku and go-waku use the same values.
struct PeerScoreThresholds {
  double gossip_threshold = -100.0;
  double publish_threshold = -1000.0;
  double graylist_threshold = -10000.0;
  double accept_px_threshold = 100.0;
  double opportunistic_graft_threshold = 0.0;

  // gossip < 0, publish <= gossip, graylist < publish, accept_px >= 0, opportunistic_graft >= 0.
  [[nodiscard]] Result<void> validate() const;
};

}  // namespace waku::relay
