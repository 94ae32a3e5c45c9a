// Validation and Waku defaults of the peer-score parameters (gossipsub v1.1 §Peer Scoring,
// §Overview of New Parameters; nwaku waku/waku_relay/protocol.nim).
#include "waku/relay/score_params.hpp"

#include <cmath>

namespace waku::relay {
namespace {

Unexpected invalid(const char* context) { return unexpected(Errc::kInvalidConfig, context); }

// Comparisons are written so that NaN fails every check.
bool is_decay(double value) { return value > 0.0 && value < 1.0; }

}  // namespace

Result<void> TopicScoreParams::validate() const {
  if (!(topic_weight >= 0.0)) return invalid("peer score: topic_weight must be >= 0");

  if (!(time_in_mesh_weight >= 0.0)) {
    return invalid("peer score: time_in_mesh_weight must be >= 0");
  }
  if (time_in_mesh_weight != 0.0) {
    if (time_in_mesh_quantum <= Duration::zero()) {
      return invalid("peer score: time_in_mesh_quantum must be > 0");
    }
    if (!(time_in_mesh_cap > 0.0)) return invalid("peer score: time_in_mesh_cap must be > 0");
  }

  if (!(first_message_deliveries_weight >= 0.0)) {
    return invalid("peer score: first_message_deliveries_weight must be >= 0");
  }
  if (first_message_deliveries_weight != 0.0) {
    if (!is_decay(first_message_deliveries_decay)) {
      return invalid("peer score: first_message_deliveries_decay must be in (0, 1)");
    }
    if (!(first_message_deliveries_cap > 0.0)) {
      return invalid("peer score: first_message_deliveries_cap must be > 0");
    }
  }

  if (!(mesh_message_deliveries_weight <= 0.0)) {
    return invalid("peer score: mesh_message_deliveries_weight must be <= 0");
  }
  if (mesh_message_deliveries_weight != 0.0) {
    if (!is_decay(mesh_message_deliveries_decay)) {
      return invalid("peer score: mesh_message_deliveries_decay must be in (0, 1)");
    }
    if (!(mesh_message_deliveries_cap > 0.0)) {
      return invalid("peer score: mesh_message_deliveries_cap must be > 0");
    }
    if (!(mesh_message_deliveries_threshold > 0.0)) {
      return invalid("peer score: mesh_message_deliveries_threshold must be > 0");
    }
    if (mesh_message_deliveries_window < Duration::zero()) {
      return invalid("peer score: mesh_message_deliveries_window must be >= 0");
    }
    if (mesh_message_deliveries_activation <= Duration::zero()) {
      return invalid("peer score: mesh_message_deliveries_activation must be > 0");
    }
  }

  if (!(mesh_failure_penalty_weight <= 0.0)) {
    return invalid("peer score: mesh_failure_penalty_weight must be <= 0");
  }
  if (mesh_failure_penalty_weight != 0.0 && !is_decay(mesh_failure_penalty_decay)) {
    return invalid("peer score: mesh_failure_penalty_decay must be in (0, 1)");
  }

  if (!(invalid_message_deliveries_weight <= 0.0)) {
    return invalid("peer score: invalid_message_deliveries_weight must be <= 0");
  }
  if (invalid_message_deliveries_weight != 0.0 && !is_decay(invalid_message_deliveries_decay)) {
    return invalid("peer score: invalid_message_deliveries_decay must be in (0, 1)");
  }
  return ok();
}

PeerScoreParams PeerScoreParams::waku_defaults() {
  // Spelled out rather than relying on the member initialisers, so that changing a generic default
  // cannot silently change what a Waku node runs with.
  TopicScoreParams topic;
  topic.topic_weight = 1.0;
  topic.time_in_mesh_weight = 0.01;
  topic.time_in_mesh_quantum = 1s;
  topic.time_in_mesh_cap = 10.0;
  topic.first_message_deliveries_weight = 1.0;
  topic.first_message_deliveries_decay = 0.5;
  topic.first_message_deliveries_cap = 10.0;
  topic.mesh_message_deliveries_weight = 0.0;
  topic.mesh_message_deliveries_decay = 0.0;
  topic.mesh_message_deliveries_cap = 0.0;
  topic.mesh_message_deliveries_threshold = 0.0;
  topic.mesh_failure_penalty_weight = 0.0;
  topic.mesh_failure_penalty_decay = 0.0;
  topic.invalid_message_deliveries_weight = -100.0;
  topic.invalid_message_deliveries_decay = 0.5;

  PeerScoreParams params;
  params.default_topic = topic;  // nwaku applies the same parameters to every subscribed topic
  params.topic_score_cap = 0.0;  // nwaku sets none
  params.app_specific_weight = 0.0;
  params.ip_colocation_factor_weight = -50.0;
  params.ip_colocation_factor_threshold = 5.0;
  params.behaviour_penalty_weight = -10.0;
  params.behaviour_penalty_threshold = 0.0;
  params.behaviour_penalty_decay = 0.986;
  params.decay_interval = 12s;
  params.decay_to_zero = 0.01;
  params.retain_score = 600s;
  return params;
}

const TopicScoreParams* PeerScoreParams::params_for(std::string_view topic) const {
  if (const auto it = topics.find(topic); it != topics.end()) return &it->second;
  return default_topic ? &*default_topic : nullptr;
}

Result<void> PeerScoreParams::validate() const {
  for (const auto& [name, topic] : topics) WAKU_TRY_VOID(topic.validate());
  if (default_topic) WAKU_TRY_VOID(default_topic->validate());

  if (!(topic_score_cap >= 0.0)) return invalid("peer score: topic_score_cap must be >= 0");
  if (!std::isfinite(app_specific_weight)) {
    return invalid("peer score: app_specific_weight must be finite");
  }

  if (!(ip_colocation_factor_weight <= 0.0)) {
    return invalid("peer score: ip_colocation_factor_weight must be <= 0");
  }
  if (ip_colocation_factor_weight != 0.0 && !(ip_colocation_factor_threshold >= 1.0)) {
    return invalid("peer score: ip_colocation_factor_threshold must be >= 1");
  }

  if (!(behaviour_penalty_weight <= 0.0)) {
    return invalid("peer score: behaviour_penalty_weight must be <= 0");
  }
  if (behaviour_penalty_weight != 0.0) {
    if (!is_decay(behaviour_penalty_decay)) {
      return invalid("peer score: behaviour_penalty_decay must be in (0, 1)");
    }
    if (!(behaviour_penalty_threshold >= 0.0)) {
      return invalid("peer score: behaviour_penalty_threshold must be >= 0");
    }
  }

  if (decay_interval <= Duration::zero()) return invalid("peer score: decay_interval must be > 0");
  if (!is_decay(decay_to_zero)) return invalid("peer score: decay_to_zero must be in (0, 1)");
  if (retain_score < Duration::zero()) return invalid("peer score: retain_score must be >= 0");
  return ok();
}

Result<void> PeerScoreThresholds::validate() const {
  if (!(gossip_threshold < 0.0)) return invalid("peer score: gossip_threshold must be < 0");
  if (!(publish_threshold <= gossip_threshold)) {
    return invalid("peer score: publish_threshold must be <= gossip_threshold");
  }
  if (!(graylist_threshold < publish_threshold)) {
    return invalid("peer score: graylist_threshold must be < publish_threshold");
  }
  if (!(accept_px_threshold >= 0.0)) {
    return invalid("peer score: accept_px_threshold must be >= 0");
  }
  if (!(opportunistic_graft_threshold >= 0.0)) {
    return invalid("peer score: opportunistic_graft_threshold must be >= 0");
  }
  return ok();
}

}  // namespace waku::relay
