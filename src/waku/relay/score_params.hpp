// Peer-score parameters and thresholds (gossipsub v1.1 §Peer Scoring), with Waku's defaults.
#pragma once

#include <map>
#include <optional>
#include <string>

#include "waku/base/result.hpp"
#include "waku/base/time.hpp"

namespace waku::relay {

// Per-topic parameters (P1–P4). Names follow go-libp2p-pubsub's TopicScoreParams.
struct TopicScoreParams {
  double topic_weight = 1.0;
  // P1: time in mesh
  double time_in_mesh_weight = 0.01;
  Duration time_in_mesh_quantum = 1s;
  double time_in_mesh_cap = 10.0;
  // P2: first message deliveries
  double first_message_deliveries_weight = 1.0;
  double first_message_deliveries_decay = 0.5;
  double first_message_deliveries_cap = 10.0;
  // P3: mesh message delivery rate (disabled in Waku: weight 0)
  double mesh_message_deliveries_weight = 0.0;
  double mesh_message_deliveries_decay = 0.0;
  double mesh_message_deliveries_cap = 0.0;
  double mesh_message_deliveries_threshold = 0.0;
  Duration mesh_message_deliveries_window = 5ms;
  Duration mesh_message_deliveries_activation = 60s;
  // P3b: mesh failure penalty (disabled in Waku)
  double mesh_failure_penalty_weight = 0.0;
  double mesh_failure_penalty_decay = 0.0;
  // P4: invalid messages
  double invalid_message_deliveries_weight = -100.0;
  double invalid_message_deliveries_decay = 0.5;

  [[nodiscard]] Result<void> validate() const;
};

struct PeerScoreParams {
  // Parameters for named topics; `default_topic` applies to every other topic (Waku scores every
  // shard alike). A topic with neither is not scored (P1–P4 are 0 for it).
  std::map<std::string, TopicScoreParams, std::less<>> topics;
  std::optional<TopicScoreParams> default_topic;
  double topic_score_cap = 0.0;  // 0 = no cap
  // P5
  double app_specific_weight = 0.0;
  // P6
  double ip_colocation_factor_weight = -50.0;
  double ip_colocation_factor_threshold = 5.0;
  // P7
  double behaviour_penalty_weight = -10.0;
  double behaviour_penalty_threshold = 0.0;
  double behaviour_penalty_decay = 0.986;
  // decay and retention
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
