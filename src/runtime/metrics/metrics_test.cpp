#include <gtest/gtest.h>

#include "runtime/metrics/metrics_server.hpp"
#include "runtime/metrics/node_metrics.hpp"
#include "runtime/metrics/registry.hpp"
#include "runtime/rest/test_http_client.hpp"

namespace waku::runtime::metrics {
namespace {

TEST(Registry, RendersThePrometheusTextFormat) {
  Registry registry;
  auto& messages =
      registry.counter_family("waku_node_messages", "number of messages received", {"type"});
  auto& peers = registry.gauge("libp2p_peers", "total connected peers");
  auto& bytes = registry.counter_family("waku_relay_network_bytes", "traffic",
                                        {"topic", "type", "direction"});
  auto& duration = registry.histogram("waku_archive_insert_duration_seconds",
                                      "message insertion duration", {0.1, 1.0});
  auto& weird = registry.gauge_family("test_escape", "help with \\ and\nnewline", {"v"});

  messages.labels({"relay"}).inc();
  messages.labels({"relay"}).inc(2);
  peers.set(3);
  bytes.labels({"/waku/2/rs/16/32", "gross", "in"}).inc(1500);
  bytes.labels({"/waku/2/rs/16/32", "net", "in"}).inc(1024);
  duration.observe(0.05);
  duration.observe(0.5);
  duration.observe(7);
  weird.labels({"a\"b\\c\nd"}).set(0.25);

  EXPECT_EQ(registry.render(),
            "# HELP waku_node_messages_total number of messages received\n"
            "# TYPE waku_node_messages_total counter\n"
            "waku_node_messages_total{type=\"relay\"} 3\n"
            "# HELP libp2p_peers total connected peers\n"
            "# TYPE libp2p_peers gauge\n"
            "libp2p_peers 3\n"
            "# HELP waku_relay_network_bytes_total traffic\n"
            "# TYPE waku_relay_network_bytes_total counter\n"
            "waku_relay_network_bytes_total{topic=\"/waku/2/rs/16/32\",type=\"gross\","
            "direction=\"in\"} 1500\n"
            "waku_relay_network_bytes_total{topic=\"/waku/2/rs/16/32\",type=\"net\","
            "direction=\"in\"} 1024\n"
            "# HELP waku_archive_insert_duration_seconds message insertion duration\n"
            "# TYPE waku_archive_insert_duration_seconds histogram\n"
            "waku_archive_insert_duration_seconds_bucket{le=\"0.1\"} 1\n"
            "waku_archive_insert_duration_seconds_bucket{le=\"1\"} 2\n"
            "waku_archive_insert_duration_seconds_bucket{le=\"+Inf\"} 3\n"
            "waku_archive_insert_duration_seconds_sum 7.55\n"
            "waku_archive_insert_duration_seconds_count 3\n"
            "# HELP test_escape help with \\\\ and\\nnewline\n"
            "# TYPE test_escape gauge\n"
            "test_escape{v=\"a\\\"b\\\\c\\nd\"} 0.25\n");
}

TEST(Registry, ValuesAndCollectors) {
  EXPECT_EQ(format_value(0), "0");
  EXPECT_EQ(format_value(-2), "-2");
  EXPECT_EQ(format_value(1e20), "1e+20");
  EXPECT_EQ(format_value(0.1), "0.1");
  EXPECT_EQ(format_value(1.0 / 0.0), "+Inf");

  Registry registry;
  auto& counter = registry.counter("c", "h");
  counter.inc(-1);  // ignored: counters only go up
  EXPECT_EQ(counter.value(), 0);
  int calls = 0;
  registry.add_collector([&] {
    ++calls;
    counter.set(41 + calls);
  });
  EXPECT_EQ(registry.render(), "# HELP c_total h\n# TYPE c_total counter\nc_total 42\n");
  EXPECT_EQ(calls, 1);
}

TEST(Registry, LabelSetsAreCapped) {
  Registry registry;
  auto& family = registry.counter_family("per_topic", "h", {"topic"}, 3);
  for (int i = 0; i < 100; ++i) family.labels({std::to_string(i)}).inc();
  EXPECT_EQ(family.size(), 3U);
  EXPECT_EQ(family.labels({"overflow"}).value(), 98);
  family.remove({"0"});
  EXPECT_EQ(family.size(), 2U);
}

TEST(NodeMetrics, NwakuNamesAreExposed) {
  Registry registry;
  NodeMetrics metrics(registry, "v0.1.0");
  metrics.node_messages.labels({"relay"}).inc();
  metrics.mesh_peers.labels({"/waku/2/rs/0/0"}).set(6);
  const auto text = registry.render();
  for (const char* line :
       {"waku_version{version=\"v0.1.0\"} 1\n", "waku_node_messages_total{type=\"relay\"} 1\n",
        "libp2p_gossipsub_peers_per_topic_mesh{topic=\"/waku/2/rs/0/0\"} 6\n",
        "# TYPE libp2p_gossipsub_duplicate_total counter\n",
        "# TYPE waku_msg_validator_signed_outcome_total counter\n",
        "# TYPE waku_relay_dropped_total counter\n", "# TYPE waku_connected_peers gauge\n",
        "libp2p_peers 0\n"}) {
    EXPECT_NE(text.find(line), std::string::npos) << line;
  }
}

TEST(MetricsServer, ServesGetMetrics) {
  boost::asio::io_context io;
  Registry registry;
  registry.gauge("libp2p_peers", "total connected peers").set(2);
  auto server = MetricsServer::start(io, "127.0.0.1", 0, registry);
  ASSERT_TRUE(server.has_value()) << server.error().message();
  const auto port = (*server)->port();
  auto reply = testing::request(io, port, "GET", "/metrics");
  EXPECT_EQ(reply.status, 200U);
  EXPECT_EQ(reply.content_type, kContentType);
  EXPECT_EQ(
      reply.body,
      "# HELP libp2p_peers total connected peers\n# TYPE libp2p_peers gauge\nlibp2p_peers 2\n");
  EXPECT_EQ(testing::request(io, port, "GET", "/").status, 404U);
  EXPECT_EQ(testing::request(io, port, "POST", "/metrics", "x").status, 405U);
}

}  // namespace
}  // namespace waku::runtime::metrics
