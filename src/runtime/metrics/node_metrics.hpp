// NodeMetrics: the metrics of a relay node under the names nwaku exports, so that nwaku's
// Grafana dashboards (metrics/waku-fleet-dashboard.json, nwaku-compose's nwaku-monitoring.json)
// work unchanged (waku-operators.md §3).
//
// Waku-level names come from nwaku (waku_*), libp2p-level ones from nim-libp2p (libp2p_*).
// Counters are exposed with the _total suffix, as nim-metrics does. One deliberate difference:
// nim-libp2p labels libp2p_pubsub_received_messages with the sending peer id as well as the
// topic; peer ids are unbounded, so we keep only the topic. The node updates these from its event
// loop, directly or through a Registry collector run at scrape time.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "runtime/metrics/registry.hpp"

namespace waku::runtime::metrics {

struct NodeMetrics {
  NodeMetrics(Registry& registry, std::string_view version);

  // --- peers and connections ---
  Gauge& libp2p_peers;             // libp2p_peers: connected peers
  Family<Gauge>& connected_peers;  // waku_connected_peers{direction,protocol}
  Family<Counter>& peers_dials;    // waku_peers_dials_total{outcome}: successful|failed
  Family<Counter>& peers_errors;   // waku_peers_errors_total{type}
  Counter& successful_dials;       // libp2p_successful_dials_total
  Counter& failed_dials;           // libp2p_failed_dials_total
  Family<Counter>& network_bytes;  // libp2p_network_bytes_total{direction}: in|out

  // --- relay messages ---
  Family<Counter>& node_messages;  // waku_node_messages_total{type}: "relay"
  Family<Counter>& node_errors;    // waku_node_errors_total{type}
  // waku_relay_network_bytes_total{topic,type,direction}: type gross (whole RPC share) or net
  // (message payload), direction in|out.
  Family<Counter>& relay_network_bytes;
  Family<Counter>& received_messages;   // libp2p_pubsub_received_messages_total{topic}
  Family<Counter>& published_messages;  // libp2p_pubsub_messages_published_total{topic}
  // waku_relay_dropped_total{reason}: what the relay dropped instead of sending or processing.
  // slow_peer_message / slow_peer_gossip / slow_peer_idontwant: copies (or IDONTWANT ids) for a
  // peer that does not read fast enough (its bounded queue dropped the oldest);
  // validation_throttled: received messages beyond the validation queue; unknown_topic: messages on
  // topics the router does not track. Not in nwaku, whose nim-libp2p disconnects a slow peer
  // instead (libp2p_pubsub_disconnects_over_*).
  Family<Counter>& relay_dropped;

  // --- validation ---
  Counter& validation_success;      // libp2p_pubsub_validation_success_total
  Counter& validation_failure;      // libp2p_pubsub_validation_failure_total
  Counter& validation_ignore;       // libp2p_pubsub_validation_ignore_total
  Family<Counter>& signed_outcome;  // waku_msg_validator_signed_outcome_total{result}

  // --- gossipsub ---
  Counter& gossipsub_duplicate;    // libp2p_gossipsub_duplicate_total
  Counter& gossipsub_received;     // libp2p_gossipsub_received_total (deduplicated)
  Family<Gauge>& mesh_peers;       // libp2p_gossipsub_peers_per_topic_mesh{topic}
  Family<Gauge>& fanout_peers;     // libp2p_gossipsub_peers_per_topic_fanout{topic}
  Family<Gauge>& gossipsub_peers;  // libp2p_gossipsub_peers_per_topic_gossipsub{topic}
  Gauge& pubsub_peers;             // libp2p_pubsub_peers
  Gauge& pubsub_topics;            // libp2p_pubsub_topics
  // The topics the three families above have children for: a topic the node left is removed.
  std::vector<std::string> topics_with_gauges;

  // waku_version{version} = 1
  Family<Gauge>& version;
};

}  // namespace waku::runtime::metrics
