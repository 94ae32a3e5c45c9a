#include "runtime/node/run_node.hpp"

#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>

#include "runtime/metrics/metrics_server.hpp"
#include "runtime/metrics/node_metrics.hpp"
#include "runtime/node/allocator.hpp"
#include "runtime/node/log.hpp"
#include "runtime/node/node.hpp"
#include "runtime/node/store_rest.hpp"
#include "runtime/rest/rest_server.hpp"

namespace waku::runtime {

namespace {

double as_double(std::uint64_t value) { return static_cast<double>(value); }

}  // namespace

// The node keeps plain integers on its hot path, and the registry sees a consistent snapshot
// (everything runs on the event loop).
void collect_node_metrics(const Node& node, metrics::NodeMetrics& m) {
  const auto& c = node.counters();
  const auto& r = node.router().stats();
  const auto peers = node.peers();
  m.libp2p_peers.set(as_double(peers.size()));
  std::size_t inbound = 0;
  for (const auto& peer : peers) inbound += peer.direction == "Inbound" ? 1 : 0;
  m.connected_peers.labels({"Inbound", "relay"}).set(as_double(inbound));
  m.connected_peers.labels({"Outbound", "relay"}).set(as_double(peers.size() - inbound));
  m.successful_dials.set(as_double(c.connections_established));
  m.failed_dials.set(as_double(c.connections_failed));
  m.peers_errors.labels({"cluster_mismatch"}).set(as_double(c.peers_refused_cluster));
  m.peers_errors.labels({"connection_limit"}).set(as_double(c.peers_refused_limit));
  m.network_bytes.labels({"in"}).set(as_double(c.relay_bytes_in));
  m.network_bytes.labels({"out"}).set(as_double(c.relay_bytes_out));
  m.node_messages.labels({"relay"}).set(as_double(r.messages_delivered));
  m.node_errors.labels({"relay_malformed_rpc"}).set(as_double(c.relay_rpc_frames_malformed));
  for (const auto& [topic, count] : c.messages_in_by_topic) {
    m.received_messages.labels({topic}).set(as_double(count));
  }
  for (const auto& [topic, bytes] : c.message_bytes_in_by_topic) {
    m.relay_network_bytes.labels({topic, "net", "in"}).set(as_double(bytes));
  }
  for (const auto& [topic, count] : c.messages_out_by_topic) {
    m.published_messages.labels({topic}).set(as_double(count));
  }
  m.relay_dropped.labels({"slow_peer_message"}).set(as_double(r.queue_dropped_messages));
  m.relay_dropped.labels({"slow_peer_gossip"}).set(as_double(r.queue_dropped_gossip));
  m.relay_dropped.labels({"slow_peer_idontwant"}).set(as_double(r.queue_dropped_idontwant));
  m.relay_dropped.labels({"validation_throttled"}).set(as_double(r.validations_throttled));
  m.relay_dropped.labels({"unknown_topic"}).set(as_double(r.unknown_topic_dropped));
  m.validation_success.set(as_double(r.messages_accepted));
  m.validation_failure.set(as_double(r.messages_rejected));
  m.validation_ignore.set(as_double(r.messages_ignored));
  if (const auto* signed_counters = node.protected_shard_counters()) {
    m.signed_outcome.labels({"valid"}).set(as_double(signed_counters->accepted));
    m.signed_outcome.labels({"invalid"}).set(as_double(signed_counters->rejected));
  }
  m.gossipsub_duplicate.set(as_double(r.messages_duplicate));
  m.gossipsub_received.set(as_double(r.messages_first_seen));
  m.pubsub_peers.set(as_double(node.router().peer_count()));
  const auto& topics = node.subscribed_topics();
  m.pubsub_topics.set(as_double(topics.size()));
  for (const auto& left : m.topics_with_gauges) {
    if (std::find(topics.begin(), topics.end(), left) != topics.end()) continue;
    m.mesh_peers.remove({left});
    m.fanout_peers.remove({left});
    m.gossipsub_peers.remove({left});
  }
  m.topics_with_gauges = topics;
  for (const auto& topic : topics) {
    m.mesh_peers.labels({topic}).set(as_double(node.router().mesh_size(topic)));
    m.fanout_peers.labels({topic}).set(as_double(node.router().fanout_peers(topic).size()));
    m.gossipsub_peers.labels({topic}).set(as_double(node.router().topic_peers(topic).size()));
  }
}

int run_node(const NodeConfig& config) {
  if (auto level = parse_log_level(config.log_level)) {
    set_log_level(*level);
  }
  configure_allocator();
  boost::asio::io_context io;
  auto node = Node::create(io, config);
  if (!node) {
    log(LogLevel::kError, "cannot create the node: {}", node.error().message());
    return 1;
  }
  if (auto started = (*node)->start(); !started) {
    log(LogLevel::kError, "cannot start the node: {}", started.error().message());
    return 1;
  }
  (*node)->message_cache().set_capacity(config.rest_relay_cache_capacity);
  std::unique_ptr<RestServer> rest;
  if (config.rest) {
    RestOptions options;
    options.admin = config.rest_admin;
    // A message of --max-msg-size posted as JSON: its payload in base64 (4/3) and room for the
    // other fields.
    options.limits.body_limit_bytes =
        std::max(options.limits.body_limit_bytes,
                 config.max_msg_size_bytes / 3 * 4 + std::size_t{64} * 1024);
    options.extra_routes.push_back(store_rest_route(**node, config.storenode));
    auto started = RestServer::start(io, config.rest_address, config.rest_port, **node,
                                     (*node)->message_cache(), std::move(options));
    if (!started) {
      log(LogLevel::kError, "cannot start the REST server: {}", started.error().message());
      return 1;
    }
    rest = std::move(started).value();
    log(LogLevel::kInfo, "REST API on http://{}:{}", config.rest_address, rest->port());
  }
  metrics::Registry registry;
  std::unique_ptr<metrics::NodeMetrics> node_metrics;
  std::unique_ptr<metrics::MetricsServer> metrics_server;
  if (config.metrics_server) {
    node_metrics = std::make_unique<metrics::NodeMetrics>(registry, WAKU_VERSION);
    registry.add_collector([&] { collect_node_metrics(**node, *node_metrics); });
    auto started = metrics::MetricsServer::start(io, config.metrics_server_address,
                                                 config.metrics_server_port, registry);
    if (!started) {
      log(LogLevel::kError, "cannot start the metrics server: {}", started.error().message());
      return 1;
    }
    metrics_server = std::move(started).value();
    log(LogLevel::kInfo, "metrics on http://{}:{}/metrics", config.metrics_server_address,
        config.metrics_server_port);
  }
  const AllocatorTrimmer trimmer(io, kAllocatorTrimPeriod);
  boost::asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code& error, int signal) {
    if (error) return;
    log(LogLevel::kInfo, "signal {}: stopping", signal);
    if (rest) rest->stop();
    if (metrics_server) metrics_server->stop();
    (*node)->stop();
    io.stop();
  });
  io.run();
  return 0;
}

}  // namespace waku::runtime
