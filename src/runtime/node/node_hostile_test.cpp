// Hostile input against the real node: garbage and truncated frames at each layer (multistream,
// Noise, yamux, relay RPC), stalled handshakes and stream floods. Each case checks that the
// hostile connection is closed (or its streams reset) and that a well-behaved peer connected to
// the same node still relays messages both ways afterwards.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "runtime/node/log.hpp"
#include "runtime/node/node.hpp"
#include "runtime/node/test_support.hpp"
#include "waku/base/varint.hpp"
#include "waku/codec/gossipsub_codec.hpp"
#include "waku/codec/length_prefixed.hpp"
#include "waku/p2p/multistream.hpp"
#include "waku/p2p/noise.hpp"
#include "waku/p2p/yamux.hpp"
#include "waku/relay/router.hpp"
#include "waku/store/rpc.hpp"

namespace waku::runtime {
namespace {

using namespace std::chrono_literals;
using node_test::PeerClient;
using node_test::RawClient;

// What the node sent us on the yamux session, frame by frame.
class YamuxLog {
 public:
  void feed(ByteView bytes) {
    buffer_.insert(buffer_.end(), bytes.begin(), bytes.end());
    std::size_t at = 0;
    while (buffer_.size() - at >= p2p::yamux::kHeaderBytes) {
      const std::uint8_t* h = buffer_.data() + at;
      const auto type = static_cast<p2p::yamux::FrameType>(h[1]);
      const auto flags = static_cast<std::uint16_t>((h[2] << 8U) | h[3]);
      const std::uint32_t id = load(h + 4);
      const std::uint32_t length = load(h + 8);
      const std::size_t payload = type == p2p::yamux::FrameType::kData ? length : 0;
      if (buffer_.size() - at < p2p::yamux::kHeaderBytes + payload) break;
      at += p2p::yamux::kHeaderBytes + payload;
      if (type == p2p::yamux::FrameType::kGoAway) go_away_ = length;
      if (type == p2p::yamux::FrameType::kPing) ++pings_;
      if (id == 0) continue;
      if ((flags & p2p::yamux::kFlagAck) != 0) acked_.insert(id);
      if ((flags & p2p::yamux::kFlagRst) != 0) reset_.insert(id);
    }
    buffer_.erase(buffer_.begin(), buffer_.begin() + static_cast<std::ptrdiff_t>(at));
  }
  [[nodiscard]] const std::set<std::uint32_t>& acked() const { return acked_; }
  [[nodiscard]] const std::set<std::uint32_t>& reset() const { return reset_; }
  [[nodiscard]] std::optional<std::uint32_t> go_away() const { return go_away_; }
  [[nodiscard]] std::size_t pings() const { return pings_; }

 private:
  static std::uint32_t load(const std::uint8_t* p) {
    return (std::uint32_t{p[0]} << 24U) | (std::uint32_t{p[1]} << 16U) |
           (std::uint32_t{p[2]} << 8U) | std::uint32_t{p[3]};
  }
  Bytes buffer_;
  std::set<std::uint32_t> acked_;
  std::set<std::uint32_t> reset_;
  std::optional<std::uint32_t> go_away_;
  std::size_t pings_{0};
};

// A dialer whose upgrade layers are driven one by one, so that a test can stop at any layer or
// corrupt it: multistream-select for /noise, the Noise XX handshake, multistream-select for
// /yamux/1.0.0 inside the channel, then raw yamux frames of the test's making.
class LayeredClient {
 public:
  enum class Plan : std::uint8_t {
    kSelectNoiseOnly,  // stop once /noise is agreed; the test writes the Noise bytes itself
    kStopAfterMsg1,    // write Noise message 1, then nothing
    kCorruptMsg3,      // flip a bit of Noise message 3 (its tag no longer verifies)
    kUpgrade,          // Noise, then yamux
  };

  LayeredClient(boost::asio::io_context& io, std::uint16_t port, Plan plan)
      : raw_(io, port), identity_(node_test::fresh_identity()), plan_(plan) {
    mss_.emplace(p2p::MultistreamNegotiator::dialer({std::string{p2p::kNoiseProtocol}}));
    raw_.send(mss_->take_transmit());
  }

  void pump() {
    raw_.pump();
    Bytes in = raw_.take_received();
    if (in.empty() || failed_) return;
    if (stage_ == Stage::kSecurity) {
      failed_ = !mss_->handle_bytes(in).has_value();
      raw_.send(mss_->take_transmit());
      if (failed_ || !mss_->selected()) return;
      in = mss_->take_remaining();
      mss_.reset();
      stage_ = Stage::kHandshake;
      if (plan_ == Plan::kSelectNoiseOnly) return;
      handshake_.emplace(p2p::NoiseHandshake::initiator(identity_, crypto::system_entropy()));
      raw_.send(handshake_->take_transmit());
      if (plan_ == Plan::kStopAfterMsg1) return;
    }
    if (stage_ == Stage::kHandshake) {
      if (!handshake_ || plan_ == Plan::kStopAfterMsg1) return;
      if (!in.empty()) failed_ = !handshake_->handle_bytes(in).has_value();
      Bytes out = handshake_->take_transmit();
      if (plan_ == Plan::kCorruptMsg3 && !out.empty()) out.back() ^= 0x01U;
      raw_.send(out);
      if (failed_ || !handshake_->is_complete()) return;
      session_.emplace(std::move(*handshake_).into_session());
      handshake_.reset();
      stage_ = Stage::kMuxer;
      mss_.emplace(p2p::MultistreamNegotiator::dialer({std::string{p2p::kYamuxProtocol}}));
      send_plaintext(mss_->take_transmit());
      handle_plaintext(session_->take_plaintext());
      return;
    }
    if (session_) {
      failed_ = !session_->handle_bytes(in).has_value();
      handle_plaintext(session_->take_plaintext());
    }
  }

  void send_plaintext(ByteView plaintext) {
    Bytes out;
    ASSERT_TRUE(session_->encrypt(plaintext, out));
    raw_.send(out);
  }

  [[nodiscard]] bool noise_selected() const { return stage_ != Stage::kSecurity; }
  [[nodiscard]] bool yamux_ready() const { return stage_ == Stage::kYamux; }
  [[nodiscard]] bool closed() const { return raw_.closed(); }
  RawClient& raw() { return raw_; }
  p2p::NoiseSession& session() { return *session_; }
  [[nodiscard]] const YamuxLog& yamux() const { return yamux_; }

 private:
  enum class Stage : std::uint8_t { kSecurity, kHandshake, kMuxer, kYamux };

  void handle_plaintext(Bytes plaintext) {
    if (plaintext.empty()) return;
    if (stage_ == Stage::kMuxer) {
      failed_ = !mss_->handle_bytes(plaintext).has_value();
      send_plaintext(mss_->take_transmit());
      if (failed_ || !mss_->selected()) return;
      plaintext = mss_->take_remaining();
      mss_.reset();
      stage_ = Stage::kYamux;
    }
    yamux_.feed(plaintext);
  }

  RawClient raw_;
  crypto::IdentityKey identity_;
  Plan plan_;
  Stage stage_{Stage::kSecurity};
  bool failed_{false};
  std::optional<p2p::MultistreamNegotiator> mss_;
  std::optional<p2p::NoiseHandshake> handshake_;
  std::optional<p2p::NoiseSession> session_;
  YamuxLog yamux_;
};

Bytes yamux_header(p2p::yamux::FrameType type, std::uint16_t flags, std::uint32_t stream,
                   std::uint32_t length) {
  Bytes out;
  p2p::yamux::append_header(out, type, flags, stream, length);
  return out;
}

void append(Bytes& out, ByteView bytes) { out.insert(out.end(), bytes.begin(), bytes.end()); }

class NodeHostileTest : public ::testing::Test {
 protected:
  static constexpr auto kShortHandshake = 250ms;

  void SetUp() override { set_log_level(LogLevel::kError); }

  static NodeTuning tuning(std::chrono::milliseconds handshake_timeout) {
    NodeTuning tuning;
    tuning.handshake_timeout = handshake_timeout;
    tuning.keepalive_interval = 60s;  // no pings unless a test asks for them
    return tuning;
  }

  // The victim and a well-behaved peer connected to it, relaying in both directions.
  void start_nodes(NodeTuning tuning) {
    victim_ = node_test::start_test_node(io_, tuning);
    good_ = node_test::start_test_node(io_, tuning);
    ASSERT_TRUE(victim_ && good_);
    ASSERT_TRUE(good_->add_peer(victim_->listen_addresses().front()));
    ASSERT_TRUE(
        run([&] { return good_->peers().size() == 1 && victim_->peers().size() == 1; }, 3s));
    ASSERT_TRUE(relays(*good_, *victim_, "warm-up")) << debug();
  }

  // What the nodes count, for a failed warm-up.
  std::string debug() {
    std::string out = "last publish error: " + last_publish_error_ + "\n";
    for (Node* node : {victim_.get(), good_.get()}) {
      const auto& c = node->counters();
      out += fmt::format(
          "rpc_in={} malformed={} bytes_in={} bytes_out={} msgs_in={} out={} conns={} peers={} "
          "router_peers={} topic_peers={} mesh={}\n",
          c.relay_rpc_frames_in, c.relay_rpc_frames_malformed, c.relay_bytes_in, c.relay_bytes_out,
          c.messages_in_by_topic.size(), c.messages_out_by_topic.size(), node->connection_count(),
          node->peers().size(), node->router().peer_count(),
          node->router().topic_peers(node_test::default_test_topic()).size(),
          node->router().mesh_peers(node_test::default_test_topic()).size());
    }
    return out;
  }

  template <typename Done>
  bool run(Done done, std::chrono::milliseconds budget) {
    return node_test::run_until(io_, budget, done, [&] {
      for (auto& pump : pumps_) pump();
    });
  }

  // Publishes on `from` once it knows a peer subscribed to the topic (each attempt a new
  // message: a message the router saw is not published again) and waits for `to` to deliver it.
  bool relays(Node& from, Node& to, const std::string& text) {
    std::vector<Bytes> sent;
    return node_test::publish_until_delivered(
        io_, from, to, node_test::default_test_topic(),
        [&](std::size_t attempt) {
          message::WakuMessage message;
          message.payload = to_bytes(text + " #" + std::to_string(attempt));
          message.content_topic = "/hostile/1/probe/proto";
          message.timestamp = std::chrono::duration_cast<std::chrono::nanoseconds>(
                                  std::chrono::system_clock::now().time_since_epoch())
                                  .count();
          sent.push_back(message.payload.to_bytes());
          return message;
        },
        [&](const message::WakuMessage& received) {
          return std::find(sent.begin(), sent.end(), received.payload) != sent.end();
        },
        3s, &last_publish_error_);
  }

  // The well-behaved peer still relays through the victim, both ways, and is still its only
  // connection (the hostile one is gone).
  void expect_good_peer_served(const std::string& tag) {
    EXPECT_TRUE(relays(*good_, *victim_, "good to victim after " + tag));
    EXPECT_TRUE(relays(*victim_, *good_, "victim to good after " + tag));
    EXPECT_EQ(good_->peers().size(), 1U);
  }

  // Both ends see the hostile connection closed: the client's socket, and the victim's count.
  template <typename Client>
  void expect_closed(Client& client, std::chrono::milliseconds budget) {
    EXPECT_TRUE(run([&] { return client.closed() && victim_->connection_count() == 1; }, budget))
        << "client closed: " << client.closed()
        << ", victim connections: " << victim_->connection_count();
  }

  template <typename Client>
  void watch(Client& client) {
    pumps_.emplace_back([&client] { client.pump(); });
  }

  boost::asio::io_context io_;
  std::unique_ptr<Node> victim_;
  std::unique_ptr<Node> good_;
  std::vector<std::function<void()>> pumps_;
  std::string last_publish_error_;
};

// --- multistream-select on raw TCP ---

TEST_F(NodeHostileTest, GarbageInsteadOfMultistreamHeaderIsClosed) {
  start_nodes(tuning(10s));  // closing must come from the error, not from the handshake timer
  RawClient client(io_, victim_->tcp_port());
  watch(client);
  // An HTTP request: 'G' (71) reads as a message length, and 71 bytes later no newline ends it.
  std::string garbage = "GET / HTTP/1.1\r\nHost: victim\r\n";
  while (garbage.size() < 200) garbage += "X-Padding: aaaaaaaaaaaaaaaa\r\n";
  client.send(to_bytes(garbage));
  expect_closed(client, 2s);
  expect_good_peer_served("garbage multistream");
}

TEST_F(NodeHostileTest, GarbageAfterValidMultistreamHeaderIsClosed) {
  start_nodes(tuning(10s));
  RawClient client(io_, victim_->tcp_port());
  watch(client);
  Bytes bytes;
  p2p::append_multistream_message(bytes, p2p::kMultistreamProtocol);
  // A message of 16 bytes whose last byte is not a newline.
  const Bytes garbage{16,   0xde, 0xad, 0xbe, 0xef, 0xde, 0xad, 0xbe, 0xef,
                      0xde, 0xad, 0xbe, 0xef, 0xde, 0xad, 0xbe, 0xef};
  append(bytes, garbage);
  client.send(bytes);
  expect_closed(client, 2s);
  expect_good_peer_served("garbage after multistream header");
}

TEST_F(NodeHostileTest, OverlongMultistreamLineIsClosedBeforeItArrives) {
  start_nodes(tuning(10s));
  RawClient client(io_, victim_->tcp_port());
  watch(client);
  // A length above kMaxProtocolIdBytes: refused on the prefix alone, the 64 KiB never come.
  Bytes bytes;
  append_uvarint(bytes, std::uint64_t{64} * 1024);
  bytes.resize(bytes.size() + 100, 'a');
  client.send(bytes);
  expect_closed(client, 2s);
  expect_good_peer_served("over-long multistream line");
}

TEST_F(NodeHostileTest, TruncatedMultistreamHeaderThenSilenceIsClosedByHandshakeTimeout) {
  start_nodes(tuning(kShortHandshake));
  RawClient client(io_, victim_->tcp_port());
  watch(client);
  Bytes header;
  p2p::append_multistream_message(header, p2p::kMultistreamProtocol);
  header.resize(header.size() / 2);
  const auto sent_at = std::chrono::steady_clock::now();
  client.send(header);
  ASSERT_TRUE(run([&] { return victim_->connection_count() == 2; }, 1s));
  expect_closed(client, 3s);
  EXPECT_GE(std::chrono::steady_clock::now() - sent_at, kShortHandshake);
  expect_good_peer_served("truncated multistream header");
}

TEST_F(NodeHostileTest, SilentConnectionIsClosedByHandshakeTimeout) {
  start_nodes(tuning(kShortHandshake));
  RawClient client(io_, victim_->tcp_port());
  watch(client);
  ASSERT_TRUE(run([&] { return victim_->connection_count() == 2; }, 1s));
  expect_closed(client, 3s);
  expect_good_peer_served("silent connection");
}

// --- Noise ---

TEST_F(NodeHostileTest, GarbageNoiseFrameAfterNoiseSelectionIsClosed) {
  start_nodes(tuning(10s));
  LayeredClient client(io_, victim_->tcp_port(), LayeredClient::Plan::kSelectNoiseOnly);
  watch(client);
  ASSERT_TRUE(run([&] { return client.noise_selected(); }, 2s));
  // Message 1 of XX is the initiator's 32-byte ephemeral key: 5 bytes cannot be one.
  client.raw().send(Bytes{0x00, 0x05, 0x01, 0x02, 0x03, 0x04, 0x05});
  expect_closed(client, 2s);
  expect_good_peer_served("garbage Noise message 1");
}

TEST_F(NodeHostileTest, CorruptNoiseMessage3IsClosed) {
  start_nodes(tuning(10s));
  LayeredClient client(io_, victim_->tcp_port(), LayeredClient::Plan::kCorruptMsg3);
  watch(client);
  expect_closed(client, 2s);
  expect_good_peer_served("corrupt Noise message 3");
}

TEST_F(NodeHostileTest, TruncatedNoiseFrameThenSilenceIsClosedByHandshakeTimeout) {
  start_nodes(tuning(kShortHandshake));
  LayeredClient client(io_, victim_->tcp_port(), LayeredClient::Plan::kSelectNoiseOnly);
  watch(client);
  ASSERT_TRUE(run([&] { return client.noise_selected(); }, 2s));
  client.raw().send(Bytes{0x00, 0x20, 0x01, 0x02, 0x03});  // 3 of 32 announced bytes
  expect_closed(client, 3s);
  expect_good_peer_served("truncated Noise frame");
}

TEST_F(NodeHostileTest, StalledNoiseHandshakeIsClosedByHandshakeTimeout) {
  start_nodes(tuning(kShortHandshake));
  LayeredClient client(io_, victim_->tcp_port(), LayeredClient::Plan::kStopAfterMsg1);
  watch(client);
  ASSERT_TRUE(run([&] { return client.noise_selected(); }, 2s));
  const auto msg1_at = std::chrono::steady_clock::now();
  expect_closed(client, 3s);
  EXPECT_GE(std::chrono::steady_clock::now() - msg1_at, kShortHandshake - 50ms);
  expect_good_peer_served("stalled Noise handshake");
}

TEST_F(NodeHostileTest, GarbageNoiseTransportFrameIsClosed) {
  start_nodes(tuning(10s));
  LayeredClient client(io_, victim_->tcp_port(), LayeredClient::Plan::kUpgrade);
  watch(client);
  ASSERT_TRUE(run([&] { return client.yamux_ready(); }, 2s));
  // A frame of the right shape whose tag cannot verify.
  Bytes frame{0x00, 0x20};
  frame.resize(2 + 32, 0x5a);
  client.raw().send(frame);
  expect_closed(client, 2s);
  expect_good_peer_served("garbage Noise transport frame");
}

// --- yamux ---

class NodeHostileYamuxTest : public NodeHostileTest {
 protected:
  void upgrade() {
    start_nodes(tuning(kShortHandshake));
    client_.emplace(io_, victim_->tcp_port(), LayeredClient::Plan::kUpgrade);
    watch(*client_);
    ASSERT_TRUE(run([&] { return client_->yamux_ready(); }, 2s));
    ASSERT_EQ(victim_->peers().size(), 2U);
  }
  std::optional<LayeredClient> client_;
};

TEST_F(NodeHostileYamuxTest, BadVersionByteIsClosed) {
  upgrade();
  Bytes frame = yamux_header(p2p::yamux::FrameType::kWindowUpdate, p2p::yamux::kFlagSyn, 1, 0);
  frame[0] = 1;
  client_->send_plaintext(frame);
  expect_closed(*client_, 2s);
  expect_good_peer_served("yamux bad version");
}

TEST_F(NodeHostileYamuxTest, UnknownFrameTypeIsClosed) {
  upgrade();
  Bytes frame = yamux_header(p2p::yamux::FrameType::kWindowUpdate, p2p::yamux::kFlagSyn, 1, 0);
  frame[1] = 9;
  client_->send_plaintext(frame);
  expect_closed(*client_, 2s);
  expect_good_peer_served("yamux unknown frame type");
}

TEST_F(NodeHostileYamuxTest, DataBeyondTheReceiveWindowIsClosed) {
  upgrade();
  Bytes frames = yamux_header(p2p::yamux::FrameType::kWindowUpdate, p2p::yamux::kFlagSyn, 1, 0);
  // The window is checked on the header: the announced payload never needs to arrive.
  append(frames, yamux_header(p2p::yamux::FrameType::kData, 0, 1, p2p::yamux::kInitialWindow + 1));
  client_->send_plaintext(frames);
  expect_closed(*client_, 2s);
  expect_good_peer_served("yamux window exceeded");
}

TEST_F(NodeHostileYamuxTest, DataFrameAboveTheFrameLimitIsClosed) {
  upgrade();
  // On an unknown stream, where data is otherwise read and dropped.
  client_->send_plaintext(
      yamux_header(p2p::yamux::FrameType::kData, 0, 7, std::uint32_t{0xffffffff}));
  expect_closed(*client_, 2s);
  expect_good_peer_served("yamux oversized frame");
}

TEST_F(NodeHostileYamuxTest, TruncatedFrameStallsOnlyItsOwnConnection) {
  upgrade();
  // Half a header: the session waits for the rest; nobody else does.
  const Bytes frame =
      yamux_header(p2p::yamux::FrameType::kWindowUpdate, p2p::yamux::kFlagSyn, 1, 0);
  client_->send_plaintext(ByteView(frame).first(6));
  expect_good_peer_served("truncated yamux frame");
  EXPECT_FALSE(client_->closed());
}

constexpr std::size_t kFloodStreams = 5000;

// SYNs for `count` new streams from `first_id` on (dialer ids are odd), optionally each with a
// multistream proposal of `protocol` right behind it.
Bytes stream_flood(std::uint32_t first_id, std::size_t count, std::string_view protocol) {
  Bytes proposal;
  if (!protocol.empty()) {
    p2p::append_multistream_message(proposal, p2p::kMultistreamProtocol);
    p2p::append_multistream_message(proposal, protocol);
  }
  Bytes frames;
  for (std::size_t i = 0; i < count; ++i) {
    const auto id = static_cast<std::uint32_t>(first_id + 2 * i);
    append(frames, yamux_header(p2p::yamux::FrameType::kWindowUpdate, p2p::yamux::kFlagSyn, id, 0));
    if (!proposal.empty()) {
      append(frames, yamux_header(p2p::yamux::FrameType::kData, 0, id,
                                  static_cast<std::uint32_t>(proposal.size())));
      append(frames, proposal);
    }
  }
  return frames;
}

std::size_t reset_among(const YamuxLog& log, std::uint32_t first_id, std::size_t count) {
  std::size_t reset = 0;
  for (std::size_t i = 0; i < count; ++i) {
    reset += log.reset().contains(static_cast<std::uint32_t>(first_id + 2 * i)) ? 1 : 0;
  }
  return reset;
}

// Streams among `count` from `first_id` that the victim answered: reset, or acknowledged.
std::size_t answered_among(const YamuxLog& log, std::uint32_t first_id, std::size_t count) {
  std::size_t answered = 0;
  for (std::size_t i = 0; i < count; ++i) {
    const auto id = static_cast<std::uint32_t>(first_id + 2 * i);
    answered += log.reset().contains(id) || log.acked().contains(id) ? 1 : 0;
  }
  return answered;
}

TEST_F(NodeHostileYamuxTest, FloodOfUnnegotiatedStreamsIsReset) {
  upgrade();
  std::uint32_t first_id = 1;
  std::size_t sent = 0;
  // Two waves: streams left over from the first must not make room for more in the second.
  for (int wave = 0; wave < 2 && !client_->closed(); ++wave) {
    client_->send_plaintext(stream_flood(first_id, kFloodStreams, {}));
    sent += kFloodStreams;
    EXPECT_TRUE(run(
        [&] {
          return client_->closed() ||
                 answered_among(client_->yamux(), first_id, kFloodStreams) == kFloodStreams;
        },
        3s));
    first_id += 2 * kFloodStreams;
  }
  if (client_->closed()) {
    EXPECT_TRUE(run([&] { return victim_->connection_count() == 1; }, 1s));
  } else {
    // The streams the victim keeps are bounded by its limits, however many were asked for: here
    // the streams in negotiation at once (the victim's own identify and relay streams count too).
    const std::size_t kept = sent - reset_among(client_->yamux(), 1, sent);
    EXPECT_LE(kept, p2p::ConnectionOptions{}.max_negotiating_streams);
    EXPECT_EQ(victim_->connection_count(), 2U);
  }
  expect_good_peer_served("stream flood");
}

TEST_F(NodeHostileYamuxTest, FloodOfNegotiatedStreamsIsBoundedByTheStreamLimit) {
  upgrade();
  const std::size_t limit = p2p::MuxerLimits{}.max_inbound_streams;
  // Each stream asks for ping, which the node serves: the streams leave negotiation at once and
  // only the muxer's stream limit holds them back.
  client_->send_plaintext(stream_flood(1, kFloodStreams, "/ipfs/ping/1.0.0"));
  EXPECT_TRUE(run(
      [&] {
        return client_->closed() ||
               answered_among(client_->yamux(), 1, kFloodStreams) == kFloodStreams;
      },
      3s));
  if (client_->closed()) {
    EXPECT_TRUE(run([&] { return victim_->connection_count() == 1; }, 1s));
  } else {
    const std::size_t kept = kFloodStreams - reset_among(client_->yamux(), 1, kFloodStreams);
    EXPECT_LE(kept, limit);
    EXPECT_GT(kept, 0U);  // the limit, not a blanket refusal
  }
  expect_good_peer_served("negotiated stream flood");
}

std::size_t resident_bytes() {
  std::FILE* file = std::fopen("/proc/self/statm", "r");
  if (file == nullptr) return 0;
  unsigned long size = 0;
  unsigned long resident = 0;
  const int read = std::fscanf(file, "%lu %lu", &size, &resident);
  std::fclose(file);
  return read == 2 ? resident * 4096 : 0;
}

// Every yamux ping (SYN) is answered with a 12-byte ping (ACK). A peer that sends pings and never
// reads makes the node queue its answers; the node must stop reading from it or close it once the
// queue is large, instead of taking everything it sends.
class NodeHostilePingFloodTest : public NodeHostileYamuxTest {
 protected:
  static constexpr std::size_t kTotal = std::size_t{64} << 20;

  // Sends pings without reading until the node stops taking them (or closes us, or all kTotal
  // bytes are written). Returns the bytes of pings queued at the client.
  std::size_t flood_without_reading() {
    client_->raw().set_reading(false);
    Bytes pings;
    for (std::size_t i = 0; i < (std::size_t{1} << 20) / p2p::yamux::kHeaderBytes; ++i) {
      append(pings, yamux_header(p2p::yamux::FrameType::kPing, p2p::yamux::kFlagSyn, 0,
                                 static_cast<std::uint32_t>(i)));
    }
    std::size_t queued = 0;
    std::size_t written = 0;
    auto progress_at = std::chrono::steady_clock::now();
    run(
        [&] {
          if (client_->raw().closed()) return true;
          const auto now = std::chrono::steady_clock::now();
          if (client_->raw().bytes_written() != written) {
            written = client_->raw().bytes_written();
            progress_at = now;
          } else if (now - progress_at > 300ms) {
            return true;  // the node stopped reading from us: what a fixed node does
          }
          if (client_->raw().unsent_bytes() < (std::size_t{4} << 20) && queued < kTotal) {
            client_->send_plaintext(pings);
            queued += pings.size();
          }
          return client_->raw().unsent_bytes() == 0 && queued >= kTotal;
        },
        5s);
    return queued;
  }
};

TEST_F(NodeHostilePingFloodTest, PingFloodFromAPeerThatNeverReadsIsBounded) {
  upgrade();
  const std::size_t rss_before = resident_bytes();
  const auto start = std::chrono::steady_clock::now();
  flood_without_reading();
  const auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - start);
  // Before SocketConnection paused reading on a full outbox, the answers piled up in memory: the
  // node took all 64 MiB and the process grew by ~130 MB.
  EXPECT_TRUE(client_->raw().closed() || client_->raw().bytes_written() < kTotal / 2)
      << "the node took " << (client_->raw().bytes_written() >> 20) << " MiB from a peer that "
      << "reads nothing, in " << elapsed.count() << " ms; resident memory grew by "
      << ((resident_bytes() - rss_before) >> 20) << " MiB";
  expect_good_peer_served("ping flood");
}

// Our node pauses reading rather than closing. Once the peer reads its answers, the node reads
// again: every ping the peer sent is answered. (Until the pause learned to end, a paused
// connection was never read again.)
TEST_F(NodeHostilePingFloodTest, ReadingResumesOnceThePeerReadsAgain) {
  upgrade();
  const std::size_t queued = flood_without_reading();
  ASSERT_FALSE(client_->closed());
  client_->raw().set_reading(true);
  const std::size_t sent_pings = queued / p2p::yamux::kHeaderBytes;
  EXPECT_TRUE(run([&] { return client_->yamux().pings() >= sent_pings; }, 10s))
      << "the node answered " << client_->yamux().pings() << " of " << sent_pings
      << " pings; the client still holds " << client_->raw().unsent_bytes() << " bytes";
  EXPECT_FALSE(client_->closed());
  expect_good_peer_served("ping flood, then reading");
}

// --- relay RPC ---

class NodeHostileRelayTest : public NodeHostileTest {
 protected:
  // A fully upgraded libp2p peer that speaks relay: the victim counts it as a relay peer (it
  // sent us its subscriptions), and we hold an outbound relay stream to it.
  void connect_relay_peer() {
    start_nodes(tuning(kShortHandshake));
    client_ = std::make_unique<PeerClient>(
        io_, victim_->tcp_port(), std::vector<std::string>{std::string{relay::kWakuRelayCodec}});
    watch(*client_);
    ASSERT_TRUE(run([&] { return client_->core().is_established(); }, 2s));
    auto stream = client_->core().open_stream(std::string{relay::kWakuRelayCodec});
    ASSERT_TRUE(stream);
    relay_stream_ = *stream;
    client_->flush();
    ASSERT_TRUE(run(
        [&] {
          const auto in = client_->inbound_stream(relay::kWakuRelayCodec);
          return in && client_->bytes_received_on(*in) > 0 && client_->stream_opened(relay_stream_);
        },
        2s));
  }
  void send_on_relay(ByteView bytes) {
    ASSERT_TRUE(client_->core().write(relay_stream_, bytes));
    client_->flush();
  }

  std::unique_ptr<PeerClient> client_;
  p2p::StreamId relay_stream_{0};
};

TEST_F(NodeHostileRelayTest, OversizedLengthPrefixIsClosed) {
  connect_relay_peer();
  const auto malformed_before = victim_->counters().relay_rpc_frames_malformed;
  Bytes prefix;
  append_uvarint(prefix, codec::RpcLimits{}.max_frame_bytes + 1);
  send_on_relay(prefix);
  expect_closed(*client_, 2s);
  EXPECT_EQ(victim_->counters().relay_rpc_frames_malformed, malformed_before + 1);
  expect_good_peer_served("oversized relay frame");
}

TEST_F(NodeHostileRelayTest, OverlongLengthVarintIsClosed) {
  connect_relay_peer();
  send_on_relay(Bytes(11, 0xff));
  expect_closed(*client_, 2s);
  expect_good_peer_served("over-long relay varint");
}

TEST_F(NodeHostileRelayTest, FramesThatAreNotProtobufAreCountedAndDropped) {
  connect_relay_peer();
  const auto malformed_before = victim_->counters().relay_rpc_frames_malformed;
  Bytes frames;
  // Wire type 7 does not exist.
  codec::append_length_prefixed(frames, Bytes{0x0f, 0x0f, 0x0f, 0x0f});
  // Field 1 (subscriptions) announces 16 bytes and the RPC ends after none.
  codec::append_length_prefixed(frames, Bytes{0x0a, 0x10});
  send_on_relay(frames);
  EXPECT_TRUE(run(
      [&] { return victim_->counters().relay_rpc_frames_malformed >= malformed_before + 2; }, 2s));
  EXPECT_EQ(victim_->counters().relay_rpc_frames_malformed, malformed_before + 2);
  EXPECT_FALSE(client_->closed());  // a bad RPC costs the peer score, not the connection
  expect_good_peer_served("non-protobuf relay frames");
}

TEST_F(NodeHostileRelayTest, TruncatedRpcFrameStallsOnlyItsStream) {
  connect_relay_peer();
  const auto malformed_before = victim_->counters().relay_rpc_frames_malformed;
  Bytes partial;
  append_uvarint(partial, 1000);
  partial.resize(partial.size() + 10, 0x0a);
  send_on_relay(partial);
  expect_good_peer_served("truncated relay frame");
  EXPECT_EQ(victim_->counters().relay_rpc_frames_malformed, malformed_before);
  EXPECT_FALSE(client_->closed());
}

// A relay peer that reads every byte and never grants more yamux window: the victim's socket to it
// drains while the relay stream's window queue fills. The peer must stay blocked (the router
// queues and drops) instead of being reopened each time the socket drains; reopened, the router
// poured its queue into the muxer until a write failed and the connection was closed.
TEST_F(NodeHostileRelayTest, APeerThatNeverGrantsWindowStaysBlockedNotDisconnected) {
  connect_relay_peer();
  const std::string topic = node_test::default_test_topic();
  relay::Rpc subscribe;
  subscribe.subscriptions.push_back(relay::Subscription{true, topic});
  Bytes frame;
  codec::append_rpc_frame(frame, subscribe);
  send_on_relay(frame);
  ASSERT_TRUE(run([&] { return victim_->router().topic_peers(topic).size() == 2; }, 2s));
  client_->set_discarding();
  const auto dropped_before = victim_->router().stats().queue_dropped_messages;
  // ~100 fill the window and the 1 MiB mark, 512 wait in the router, the rest push the oldest out.
  for (int i = 0; i < 1000; ++i) {
    message::WakuMessage message;
    message.payload = Bytes(10 * 1024, static_cast<std::uint8_t>(i));
    message.content_topic = "/hostile/1/window/proto";
    message.timestamp = std::chrono::duration_cast<std::chrono::nanoseconds>(
                            std::chrono::system_clock::now().time_since_epoch())
                            .count() +
                        i;  // every message new
    (void)victim_->publish(topic, message);
    run([] { return false; }, 1ms);  // the socket drains in between, as in a live node
  }
  run([] { return false; }, 200ms);
  ASSERT_FALSE(client_->closed());
  EXPECT_GT(victim_->router().stats().queue_dropped_messages, dropped_before);
  // Now the victim writes something else to the peer (the answer to a new stream's multistream
  // header): its socket drains again, with the relay stream's window queue still full.
  const std::size_t unsent = victim_->relay_unsent_bytes();
  EXPECT_LE(unsent, std::size_t{2} << 20);
  ASSERT_TRUE(client_->core().open_stream("/ipfs/ping/1.0.0"));
  client_->flush();
  run([] { return false; }, 200ms);
  EXPECT_FALSE(client_->closed()) << "the victim closed a peer whose window was full";
  EXPECT_EQ(victim_->connection_count(), 2U);
  EXPECT_EQ(victim_->relay_unsent_bytes(), unsent) << "the victim wrote more for a blocked peer";
  expect_good_peer_served("a peer that never grants window");
}

// Messages on topics the victim does not relay, each on a topic string of the peer's choosing:
// the router drops them, and the node's counters by topic must not grow an entry for each.
TEST_F(NodeHostileRelayTest, MessagesOnUnknownTopicsDoNotGrowTheCountersByTopic) {
  connect_relay_peer();
  const auto frames_before = victim_->counters().relay_rpc_frames_in;
  constexpr std::size_t kTopics = 500;
  Bytes frames;
  for (std::size_t i = 0; i < kTopics; ++i) {
    message::WakuMessage message;
    message.payload = to_bytes("probe " + std::to_string(i));
    message.content_topic = "/hostile/1/probe/proto";
    relay::Rpc rpc;
    rpc.publish.push_back(
        codec::make_relay_message("/hostile/topic/" + std::to_string(i), message));
    codec::append_rpc_frame(frames, rpc);
  }
  send_on_relay(frames);
  EXPECT_TRUE(
      run([&] { return victim_->counters().relay_rpc_frames_in >= frames_before + kTopics; }, 3s));
  EXPECT_LE(victim_->counters().messages_in_by_topic.size(), 1U);  // the topic it relays, at most
  EXPECT_LE(victim_->counters().message_bytes_in_by_topic.size(), 1U);
  expect_good_peer_served("messages on unknown topics");
}

// --- a store peer that never answers ---

// A remote store query (REST peerAddr) to a peer that accepts the stream and then says nothing:
// the caller gets a 504 at the deadline, and the stream is reset rather than left open until the
// connection closes.
TEST_F(NodeHostileTest, AStorePeerThatNeverAnswersHasItsStreamReset) {
  NodeTuning short_deadline = tuning(kShortHandshake);
  short_deadline.remote_store_timeout = 300ms;
  start_nodes(short_deadline);
  PeerClient silent(io_, victim_->tcp_port(), {std::string{store::kStoreProtocol}});
  watch(silent);
  ASSERT_TRUE(run([&] { return silent.core().is_established(); }, 2s));
  ASSERT_TRUE(run([&] { return victim_->connection_count() == 2; }, 2s));

  std::optional<store::StoreQueryResponse> answer;
  store::StoreQueryRequest request;
  request.request_id = "never answered";
  victim_->query_remote_store("/ip4/127.0.0.1/tcp/1/p2p/" + silent.peer_id().to_string(),
                              std::move(request),
                              [&](store::StoreQueryResponse response) { answer = response; });
  ASSERT_TRUE(run([&] { return silent.inbound_stream(store::kStoreProtocol).has_value(); }, 2s));
  const p2p::StreamId stream = *silent.inbound_stream(store::kStoreProtocol);
  const auto reset = [&] {
    return std::any_of(silent.events().begin(), silent.events().end(), [&](const auto& event) {
      const auto* r = std::get_if<p2p::StreamReset>(&event);
      return r != nullptr && r->stream == stream;
    });
  };
  ASSERT_TRUE(run([&] { return answer.has_value() && reset(); }, 2s))
      << "answered: " << answer.has_value() << ", stream reset: " << reset();
  EXPECT_EQ(answer->status_code, static_cast<std::uint32_t>(store::StatusCode::kPeerDialFailure));
  EXPECT_FALSE(silent.closed());  // the stream, not the connection
}

// --- out of file descriptors ---

// Accepting fails while the process has no free descriptor, and the connection stays in the
// backlog: accepting again at once fails again at once, so the listener used to spin at 100 % CPU
// for as long as that lasted. It now waits between attempts, and accepts once descriptors free up.
TEST_F(NodeHostileTest, RunningOutOfFileDescriptorsDoesNotSpinTheListener) {
  start_nodes(tuning(kShortHandshake));
  boost::asio::ip::tcp::socket client(io_);
  client.open(boost::asio::ip::tcp::v4());  // its descriptor, before there are none left

  rlimit old_limit{};
  ASSERT_EQ(getrlimit(RLIMIT_NOFILE, &old_limit), 0);
  int highest = 0;
  for (const auto& entry : std::filesystem::directory_iterator("/proc/self/fd")) {
    highest = std::max(highest, std::stoi(entry.path().filename().string()));
  }
  rlimit low = old_limit;
  low.rlim_cur = static_cast<rlim_t>(highest) + 1;
  ASSERT_EQ(setrlimit(RLIMIT_NOFILE, &low), 0);
  std::vector<int> fillers;  // every free descriptor below the limit
  for (int fd = open("/dev/null", O_RDONLY | O_CLOEXEC); fd >= 0;
       fd = open("/dev/null", O_RDONLY | O_CLOEXEC)) {
    fillers.push_back(fd);
  }
  const auto release = [&] {
    for (const int fd : fillers) close(fd);
    fillers.clear();
    setrlimit(RLIMIT_NOFILE, &old_limit);
  };

  const auto opened = victim_->counters().connections_opened;
  boost::system::error_code error;
  client.connect({boost::asio::ip::make_address("127.0.0.1"), victim_->tcp_port()}, error);
  run([] { return false; }, 500ms);
  const auto failed_accepts = victim_->counters().accept_errors;
  release();
  ASSERT_FALSE(error) << error.message();
  EXPECT_GE(failed_accepts, 1U);
  EXPECT_LE(failed_accepts, 10U) << "the listener retried at once";
  EXPECT_TRUE(run([&] { return victim_->counters().connections_opened > opened; }, 2s));
}

}  // namespace
}  // namespace waku::runtime
