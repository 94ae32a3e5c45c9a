// The node with well-behaved peers, in one process: what an operator configures (--max-msg-size,
// --staticnode) does what nwaku's does. Hostile peers are node_hostile_test's.
#include <gtest/gtest.h>

#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <string>
#include <utility>
#include <vector>

#include "runtime/metrics/node_metrics.hpp"
#include "runtime/node/log.hpp"
#include "runtime/node/node.hpp"
#include "runtime/node/run_node.hpp"
#include "runtime/node/test_support.hpp"
#include "waku/crypto/identity.hpp"
#include "waku/crypto/secp256k1.hpp"

namespace waku::runtime {
namespace {

using namespace std::chrono_literals;

class NodeRelayTest : public ::testing::Test {
 protected:
  void SetUp() override { set_log_level(LogLevel::kError); }

  static NodeTuning tuning() {
    NodeTuning tuning;
    tuning.handshake_timeout = 2s;
    tuning.keepalive_interval = 60s;
    tuning.redial_backoff_min = 200ms;
    tuning.redial_backoff_max = 200ms;
    return tuning;
  }

  template <typename Done>
  bool run(Done done, std::chrono::milliseconds budget) {
    return node_test::run_until(io_, budget, done);
  }
  void run_for(std::chrono::milliseconds duration) {
    (void)run([] { return false; }, duration);
  }

  static message::WakuMessage message_of(std::size_t payload_bytes, std::uint8_t fill) {
    message::WakuMessage message;
    message.payload = Bytes(payload_bytes, fill);
    message.content_topic = "/relay-test/1/large/proto";
    message.timestamp = std::chrono::duration_cast<std::chrono::nanoseconds>(
                            std::chrono::system_clock::now().time_since_epoch())
                            .count();
    return message;
  }

  // Publishes messages of `payload_bytes` on `from` until `to` delivers one of them whole.
  bool relays(Node& from, Node& to, std::size_t payload_bytes) {
    return node_test::publish_until_delivered(
        io_, from, to, node_test::default_test_topic(),
        [&](std::size_t attempt) {
          return message_of(payload_bytes, static_cast<std::uint8_t>(attempt + 1));
        },
        [&](const message::WakuMessage& received) {
          const ByteView payload = received.payload.view();
          return payload.size() == payload_bytes &&
                 std::all_of(payload.begin(), payload.end(),
                             [&](std::uint8_t b) { return b == payload.front(); });
        },
        5s);
  }

  boost::asio::io_context io_;
};

// nwaku's --max-msg-size: the Status fleets run 1024KiB. Until the relay's frame and decoder
// limits followed it, such a node did not start (the transmit limit stayed at 150 KiB + 64 KiB).
TEST_F(NodeRelayTest, MessagesUpToMaxMsgSizeAreRelayed) {
  NodeConfig config = node_test::test_node_config();
  config.max_msg_size_bytes = std::size_t{1024} * 1024;
  auto a = node_test::start_test_node(io_, tuning(), config);
  auto b = node_test::start_test_node(io_, tuning(), config);
  ASSERT_TRUE(a && b) << "a node with --max-msg-size=1024KiB did not start";
  ASSERT_TRUE(a->add_peer(b->listen_addresses().front()));
  ASSERT_TRUE(run([&] { return a->peers().size() == 1 && b->peers().size() == 1; }, 3s));
  EXPECT_TRUE(relays(*a, *b, 1'000'000));
  EXPECT_TRUE(relays(*b, *a, 1'000'000));

  const auto too_large =
      a->publish(node_test::default_test_topic(), message_of(config.max_msg_size_bytes, 0x01));
  ASSERT_FALSE(too_large.has_value());
  EXPECT_EQ(too_large.error().code, Errc::kTooLarge);
}

TEST_F(NodeRelayTest, TheDefaultMaxMsgSizeRefusesLargerMessages) {
  auto a = node_test::start_test_node(io_, tuning());
  auto b = node_test::start_test_node(io_, tuning());
  ASSERT_TRUE(a && b);
  ASSERT_TRUE(a->add_peer(b->listen_addresses().front()));
  ASSERT_TRUE(run([&] { return a->peers().size() == 1 && b->peers().size() == 1; }, 3s));
  EXPECT_TRUE(relays(*a, *b, 100'000));
  const auto too_large =
      a->publish(node_test::default_test_topic(), message_of(std::size_t{150} * 1024, 0x01));
  ASSERT_FALSE(too_large.has_value());
  EXPECT_EQ(too_large.error().code, Errc::kTooLarge);
}

// Two nodes dialling each other at once must keep one connection. Each side used to keep the one
// that was established first on its side, and when those differed each closed the other's: none
// was left.
TEST_F(NodeRelayTest, NodesDiallingEachOtherAtOnceKeepOneConnection) {
  for (int round = 0; round < 5; ++round) {
    auto a = node_test::start_test_node(io_, tuning());
    auto b = node_test::start_test_node(io_, tuning());
    ASSERT_TRUE(a && b);
    ASSERT_TRUE(a->add_peer(b->listen_addresses().front()));
    ASSERT_TRUE(b->add_peer(a->listen_addresses().front()));
    EXPECT_TRUE(run([&] { return a->peers().size() == 1 && b->peers().size() == 1; }, 3s));
    run_for(300ms);
    EXPECT_EQ(a->connection_count(), 1U) << "round " << round;
    EXPECT_EQ(b->connection_count(), 1U) << "round " << round;
    EXPECT_TRUE(relays(*a, *b, 1000)) << "round " << round;
  }
}

// B is A's static peer, was down, and dials A as it comes back; then A's retry reaches B and one
// of the two connections is closed as a duplicate. When it is A's dial (B's peer id is the
// smaller), the connection B opened stands for the static peer: A must not redial while it lives
// (it did, every backoff period, each time closed again), and must redial when it closes.
TEST_F(NodeRelayTest, AStaticPeerThatDialledFirstIsNotRedialled) {
  // Two fixed identities, B's peer id the smaller, so that A's dial is the one closed.
  std::string key_a = "2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a";
  std::string key_b = "1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b";
  const auto id_of = [](const std::string& hex) {
    return crypto::IdentityKey::secp256k1(crypto::Secp256k1PrivateKey::from_hex(hex).value())
        .peer_id();
  };
  if (id_of(key_a) < id_of(key_b)) std::swap(key_a, key_b);

  NodeConfig config_b = node_test::test_node_config();
  config_b.nodekey_hex = key_b;
  std::string b_address;
  std::uint16_t b_port = 0;
  {
    auto b = node_test::start_test_node(io_, tuning(), config_b);
    ASSERT_TRUE(b);
    b_address = b->listen_addresses().front();
    b_port = b->tcp_port();
    b->stop();
  }
  // B is down: A's dial is refused and retried every 200 ms.
  NodeConfig config_a = node_test::test_node_config();
  config_a.nodekey_hex = key_a;
  config_a.staticnodes = {b_address};
  auto a = node_test::start_test_node(io_, tuning(), config_a);
  ASSERT_TRUE(a);
  run_for(50ms);
  // B comes back on the same port with the same key and dials A before A retries.
  config_b.tcp_port = b_port;
  auto b = node_test::start_test_node(io_, tuning(), config_b);
  ASSERT_TRUE(b);
  ASSERT_TRUE(b->add_peer(a->listen_addresses().front()));
  ASSERT_TRUE(run([&] { return a->peers().size() == 1 && b->peers().size() == 1; }, 3s));

  run_for(600ms);  // A's retry is due: it meets the live connection
  const auto opened = a->counters().connections_opened;
  EXPECT_GE(opened, 2U);  // B's, and A's retry
  run_for(1500ms);
  EXPECT_EQ(a->counters().connections_opened, opened)
      << "A kept dialling its static peer while connected to it";
  EXPECT_EQ(a->peers().size(), 1U);
  EXPECT_EQ(b->peers().size(), 1U);

  // When that connection closes, A redials its static peer.
  b->stop();
  b.reset();
  b = node_test::start_test_node(io_, tuning(), config_b);
  ASSERT_TRUE(b);
  EXPECT_TRUE(run([&] { return a->peers().size() == 1 && b->peers().size() == 1; }, 3s))
      << "A did not redial its static peer after the connection it had kept closed";
}

// A dial that fails before it connects (here: nothing listens on the port) is one failed dial,
// not minus one successful dial: the gauge was opened − failed, which wrapped to 1.8e19.
TEST_F(NodeRelayTest, ADialThatNeverConnectsIsAFailedDialOnly) {
  auto a = node_test::start_test_node(io_, tuning());
  auto b = node_test::start_test_node(io_, tuning());
  ASSERT_TRUE(a && b);
  const std::string absent =
      "/ip4/127.0.0.1/tcp/1/p2p/" + node_test::fresh_identity().peer_id().to_string();
  ASSERT_TRUE(a->add_peer(absent));
  ASSERT_TRUE(run([&] { return a->counters().connections_failed >= 1; }, 3s));

  metrics::Registry registry;
  metrics::NodeMetrics m(registry, "test");
  collect_node_metrics(*a, m);
  EXPECT_EQ(m.successful_dials.value(), 0.0);
  EXPECT_GE(m.failed_dials.value(), 1.0);

  ASSERT_TRUE(a->add_peer(b->listen_addresses().front()));
  ASSERT_TRUE(run([&] { return a->peers().size() == 1; }, 3s));
  collect_node_metrics(*a, m);
  EXPECT_EQ(m.successful_dials.value(), 1.0);
}

}  // namespace
}  // namespace waku::runtime
