#include "waku/relay/config.hpp"

namespace waku::relay {

namespace {

Unexpected invalid(const char* context) { return unexpected(Errc::kInvalidConfig, context); }

}  // namespace

RouterConfig RouterConfig::fleet() {
  // The GossipsubParams defaults are nwaku's GossipsubParameters (waku/waku_relay/protocol.nim;
  // reference gossipsub.md §1.3 and waku-wire.md §2): D 6/4/8, d_score 6, d_out 3, d_lazy 6,
  // history 6/3, seen 2 min, prune/unsubscribe backoff 60 s / 5 s, flood publish, gossip factor
  // 0.25. Stated again here so a change of the struct defaults cannot silently change the profile.
  RouterConfig config;
  GossipsubParams& g = config.gossip;
  g.d = 6;
  g.d_low = 4;
  g.d_high = 8;
  g.d_score = 6;
  g.d_out = 3;
  g.d_lazy = 6;
  g.heartbeat_interval = 1s;
  g.fanout_ttl = 60s;
  g.history_length = 6;
  g.history_gossip = 3;
  g.seen_ttl = 120s;
  g.prune_backoff = 60s;
  g.unsubscribe_backoff = 5s;
  g.flood_publish = true;
  g.gossip_factor = 0.25;
  return config;
}

RouterConfig RouterConfig::client() {
  // go-waku relay/config.go (waku-wire.md §2): D=4 (since commit 4f232c40), d_low 4, d_high 8,
  // d_lazy 4, history 6/3, seen 2 min, backoffs 60 s / 5 s, flood publish, gossip factor 0.25.
  // go-waku leaves d_score to the go-libp2p default, 4 (gossipsub.md §1.3). The reference table
  // lists d_out 3 for go-waku, but with D=4 that breaks the v1.1 rule d_out <= D/2 (go-libp2p's
  // own validation rejects it), so we use go-libp2p's default d_out 2, which satisfies both
  // d_out < d_low and d_out <= D/2.
  RouterConfig config = fleet();
  GossipsubParams& g = config.gossip;
  g.d = 4;
  g.d_low = 4;
  g.d_high = 8;
  g.d_score = 4;
  g.d_out = 2;
  g.d_lazy = 4;
  return config;
}

Result<RouterConfig> RouterConfig::profile(std::string_view name) {
  if (name == "fleet") return fleet();
  if (name == "client") return client();
  return invalid("relay profile: expected \"fleet\" or \"client\"");
}

Result<void> RouterConfig::validate() const {
  const GossipsubParams& g = gossip;
  // Mesh degrees (gossipsub v1.0 Parameters, v1.1 "Outbound Mesh Quotas").
  if (g.d == 0) return invalid("gossip.d: must be positive");
  if (g.d_low > g.d) return invalid("gossip.d_low: must be <= d");
  if (g.d_high < g.d) return invalid("gossip.d_high: must be >= d");
  if (g.d_out >= g.d_low) return invalid("gossip.d_out: must be < d_low");
  if (g.d_out > g.d / 2) return invalid("gossip.d_out: must be <= d/2");
  if (g.d_score > g.d_high) return invalid("gossip.d_score: must be <= d_high");
  // History and timing.
  if (g.history_length == 0) return invalid("gossip.history_length: must be positive");
  if (g.history_gossip > g.history_length) {
    return invalid("gossip.history_gossip: must be <= history_length");
  }
  if (g.heartbeat_interval <= Duration::zero()) {
    return invalid("gossip.heartbeat_interval: must be positive");
  }
  if (g.heartbeat_initial_delay < Duration::zero()) {
    return invalid("gossip.heartbeat_initial_delay: must not be negative");
  }
  if (g.fanout_ttl <= Duration::zero()) return invalid("gossip.fanout_ttl: must be positive");
  if (g.seen_ttl <= Duration::zero()) return invalid("gossip.seen_ttl: must be positive");
  if (g.prune_backoff <= Duration::zero()) return invalid("gossip.prune_backoff: must be positive");
  if (g.unsubscribe_backoff <= Duration::zero()) {
    return invalid("gossip.unsubscribe_backoff: must be positive");
  }
  if (g.backoff_slack < Duration::zero()) {
    return invalid("gossip.backoff_slack: must not be negative");
  }
  if (g.iwant_followup_time <= Duration::zero()) {
    return invalid("gossip.iwant_followup_time: must be positive");
  }
  if (g.graft_flood_threshold < Duration::zero()) {
    return invalid("gossip.graft_flood_threshold: must not be negative");
  }
  if (!(g.gossip_factor >= 0.0 && g.gossip_factor <= 1.0)) {
    return invalid("gossip.gossip_factor: must be in [0, 1]");
  }
  // Counts and limits: zero would disable a defence or make the router useless.
  if (g.gossip_retransmission == 0) return invalid("gossip.gossip_retransmission: must be > 0");
  if (g.max_ihave_length == 0) return invalid("gossip.max_ihave_length: must be > 0");
  if (g.max_ihave_messages == 0) return invalid("gossip.max_ihave_messages: must be > 0");
  if (g.opportunistic_graft_ticks == 0) {
    return invalid("gossip.opportunistic_graft_ticks: must be > 0");
  }
  if (g.idontwant_max_ids_per_heartbeat == 0) {
    return invalid("gossip.idontwant_max_ids_per_heartbeat: must be > 0");
  }
  if (g.idontwant_ttl_heartbeats == 0) {
    return invalid("gossip.idontwant_ttl_heartbeats: must be > 0");
  }
  if (g.max_message_size_bytes == 0) return invalid("gossip.max_message_size_bytes: must be > 0");
  // One message of the maximum size must fit in one RPC, with room for its framing and topic.
  if (g.max_transmit_size_bytes <= g.max_message_size_bytes) {
    return invalid("gossip.max_transmit_size_bytes: must exceed max_message_size_bytes");
  }
  if (g.max_topics_per_peer == 0) return invalid("gossip.max_topics_per_peer: must be > 0");
  if (g.max_topics_total == 0) return invalid("gossip.max_topics_total: must be > 0");
  if (g.max_ids_per_control == 0) return invalid("gossip.max_ids_per_control: must be > 0");
  if (g.max_pending_validations == 0) {
    return invalid("gossip.max_pending_validations: must be > 0");
  }
  if (g.peer_queue_max_messages == 0) {
    return invalid("gossip.peer_queue_max_messages: must be > 0");
  }
  if (g.peer_queue_max_gossip == 0) return invalid("gossip.peer_queue_max_gossip: must be > 0");
  if (g.peer_queue_max_control == 0) return invalid("gossip.peer_queue_max_control: must be > 0");
  WAKU_TRY_VOID(score.validate());
  WAKU_TRY_VOID(thresholds.validate());
  return ok();
}

}  // namespace waku::relay
