// Relay router configuration: gossipsub parameters, peer-score parameters and thresholds, and the
// two named profiles.
//
// Parameter names follow the gossipsub specs (libp2p/specs
// pubsub/gossipsub/gossipsub-v1.{0,1,2}.md) so they can be checked against them; every value is a
// public member and may be overridden. `fleet` is nwaku's set (waku/waku_relay/protocol.nim),
// `client` is go-waku's (relay/config.go, D=4) — see ../shared/reference/waku-wire.md §2 and
// gossipsub.md §1.3. validate() runs when a Router is created; a bad combination is an
// Errc::kInvalidConfig.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "waku/base/result.hpp"
#include "waku/base/time.hpp"
#include "waku/message/waku_message.hpp"
#include "waku/relay/score_params.hpp"

namespace waku::relay {

struct GossipsubParams {
  // --- mesh (v1.0 "Parameters") ---
  std::size_t d = 6;        // desired mesh degree
  std::size_t d_low = 4;    // lower bound: graft below this
  std::size_t d_high = 8;   // upper bound: prune above this (nwaku 8; spec 12)
  std::size_t d_score = 6;  // peers kept by score when pruning (v1.1)
  std::size_t d_out = 3;    // outbound peers kept in the mesh (v1.1): d_out < d_low, d_out <= d/2
  std::size_t d_lazy = 6;   // minimum gossip targets per heartbeat
  Duration heartbeat_interval = 1s;
  Duration heartbeat_initial_delay = 100ms;
  Duration fanout_ttl = 60s;
  std::size_t history_length = 6;  // mcache_len: heartbeats of messages kept for IWANT
  std::size_t history_gossip = 3;  // mcache_gossip: heartbeats of ids advertised in IHAVE
  Duration seen_ttl = 120s;
  // --- v1.1 ---
  Duration prune_backoff = 60s;
  Duration unsubscribe_backoff = 5s;
  Duration backoff_slack = 1s;  // "plus some slack" before re-grafting after a backoff
  bool flood_publish = true;
  double gossip_factor = 0.25;
  std::size_t gossip_retransmission = 3;  // IWANT serves per (peer, message)
  std::size_t max_ihave_length = 5000;    // ids asked from one peer per heartbeat
  std::size_t max_ihave_messages = 10;    // IHAVE RPCs accepted from one peer per heartbeat
  Duration iwant_followup_time = 3s;      // IWANT promise deadline (P7 when broken)
  Duration graft_flood_threshold = 10s;
  std::size_t opportunistic_graft_ticks = 60;
  std::size_t opportunistic_graft_peers = 2;
  bool do_px = false;            // send PX in PRUNE (nwaku: off)
  std::size_t prune_peers = 16;  // PX records per PRUNE
  // --- v1.2 ---
  std::size_t idontwant_message_size_threshold = 1024;  // send IDONTWANT for data >= this
  std::size_t idontwant_max_ids_per_heartbeat = 1000;   // accepted from one peer
  std::size_t idontwant_ttl_heartbeats = 3;
  // --- limits on what peers may make us hold (hostile input) ---
  std::size_t max_message_size_bytes = message::kMaxMessageSizeBytes;  // WakuMessage bytes
  std::size_t max_transmit_size_bytes =
      message::kMaxMessageSizeBytes + std::size_t{64} * 1024;  // one RPC frame
  std::size_t max_topics_per_peer = 1024;                      // subscriptions tracked per peer
  std::size_t max_topics_total = 4096;                         // distinct topics known across peers
  std::size_t max_ids_per_control = 5000;  // ids kept from one IHAVE/IWANT/IDONTWANT entry
  std::size_t max_pending_validations = 1024;
  // Messages and subscriptions on topics we cannot track (not subscribed, or over the topic
  // limits) tolerated from one peer per heartbeat: a few are honest races with our UNSUBSCRIBE;
  // above this each heartbeat costs the peer one P7 behaviour penalty, so floods show in its score.
  std::size_t unknown_topic_allowance_per_heartbeat = 64;
  // Per-peer output queue (see Router, "Output queues and drop policy").
  std::size_t peer_queue_max_messages = 512;  // published/forwarded messages waiting for a peer
  std::size_t peer_queue_max_gossip = 64;     // IHAVE/IWANT entries waiting for a peer
  std::size_t peer_queue_max_control = 2048;  // GRAFT/PRUNE/IDONTWANT/SUB entries before disconnect
};

struct RouterConfig {
  GossipsubParams gossip{};
  PeerScoreParams score = PeerScoreParams::waku_defaults();
  PeerScoreThresholds thresholds{};
  // Wall-clock time at Instant::origin(), so validators can compare message timestamps (Unix ns)
  // with `now` without the core reading a clock. The host sets it once at start.
  UnixNanos unix_time_at_origin{};
  // Send IDONTWANT to peers that negotiated /vac/waku/relay/2.0.0 (not only /meshsub/1.2.0).
  // Decoders skip unknown control fields, so it is harmless to peers that ignore it.
  bool idontwant_on_waku_relay_codec = true;

  // nwaku (fleet) values: D=6, d_low 4, d_high 8, d_score 6, d_out 3, d_lazy 6, history 6/3.
  static RouterConfig fleet();
  // go-waku (Status clients) values: D=4, d_low 4, d_high 8, d_lazy 4 (rest go-libp2p defaults
  // where go-waku does not override; see reference §2).
  static RouterConfig client();
  // "fleet" or "client"; anything else is kInvalidConfig.
  static Result<RouterConfig> profile(std::string_view name);

  [[nodiscard]] Result<void> validate() const;
};

}  // namespace waku::relay
