#include "runtime/metrics/node_metrics.hpp"

namespace waku::runtime::metrics {

NodeMetrics::NodeMetrics(Registry& r, std::string_view version_text)
    : libp2p_peers(r.gauge("libp2p_peers", "total connected peers")),
      connected_peers(r.gauge_family("waku_connected_peers",
                                     "Number of physical connections per direction and protocol",
                                     {"direction", "protocol"})),
      peers_dials(r.counter_family("waku_peers_dials", "Number of peer dials", {"outcome"})),
      peers_errors(
          r.counter_family("waku_peers_errors", "Number of peer manager errors", {"type"})),
      successful_dials(r.counter("libp2p_successful_dials", "dialed successful peers")),
      failed_dials(r.counter("libp2p_failed_dials", "failed dials")),
      network_bytes(r.counter_family("libp2p_network_bytes", "total traffic", {"direction"})),
      node_messages(
          r.counter_family("waku_node_messages", "number of messages received", {"type"})),
      node_errors(r.counter_family("waku_node_errors", "number of wakunode errors", {"type"})),
      relay_network_bytes(r.counter_family("waku_relay_network_bytes",
                                           "total traffic per topic, distinct gross/net and "
                                           "direction",
                                           {"topic", "type", "direction"})),
      received_messages(r.counter_family("libp2p_pubsub_received_messages",
                                         "number of messages received", {"topic"})),
      published_messages(
          r.counter_family("libp2p_pubsub_messages_published", "published messages", {"topic"})),
      relay_dropped(r.counter_family("waku_relay_dropped",
                                     "messages the relay dropped instead of sending or processing",
                                     {"reason"})),
      validation_success(
          r.counter("libp2p_pubsub_validation_success", "pubsub successfully validated messages")),
      validation_failure(
          r.counter("libp2p_pubsub_validation_failure", "pubsub failed validated messages")),
      validation_ignore(
          r.counter("libp2p_pubsub_validation_ignore", "pubsub ignore validated messages")),
      signed_outcome(r.counter_family("waku_msg_validator_signed_outcome",
                                      "number of messages for each validation outcome",
                                      {"result"})),
      gossipsub_duplicate(r.counter("libp2p_gossipsub_duplicate", "number of duplicates received")),
      gossipsub_received(
          r.counter("libp2p_gossipsub_received", "number of messages received (deduplicated)")),
      mesh_peers(r.gauge_family("libp2p_gossipsub_peers_per_topic_mesh",
                                "gossipsub peers per topic in mesh", {"topic"})),
      fanout_peers(r.gauge_family("libp2p_gossipsub_peers_per_topic_fanout",
                                  "gossipsub peers per topic in fanout", {"topic"})),
      gossipsub_peers(r.gauge_family("libp2p_gossipsub_peers_per_topic_gossipsub",
                                     "gossipsub peers per topic in gossipsub", {"topic"})),
      pubsub_peers(r.gauge("libp2p_pubsub_peers", "pubsub peer instances")),
      pubsub_topics(r.gauge("libp2p_pubsub_topics", "pubsub subscribed topics")),
      version(r.gauge_family("waku_version", "Waku version info (in git describe format)",
                             {"version"})) {
  version.labels({version_text}).set(1);
}

}  // namespace waku::runtime::metrics
