// run_node: wakunode's main loop. Builds the node from its configuration, starts the REST API and
// the metrics server when enabled, runs the event loop until SIGINT or SIGTERM, and stops cleanly.
#pragma once

#include "runtime/config/node_config.hpp"

namespace waku::runtime {

class Node;
namespace metrics {
struct NodeMetrics;
}

// Copies the node's counters into its metrics, at each scrape (and in tests).
void collect_node_metrics(const Node& node, metrics::NodeMetrics& m);

// Process exit status: 0 after a clean stop, 1 when the node could not start (the reason is
// logged).
int run_node(const NodeConfig& config);

}  // namespace waku::runtime
