// Test support for the real node: in-process nodes on one io_context, and raw TCP clients.
//
// Node tests run several Nodes and hand-driven clients on one io_context in one thread, so nothing
// here blocks: the io_context runs in slices of a millisecond (run_until), and clients use
// non-blocking sockets that the test pumps between slices. RawClient only moves bytes, so a test
// can write anything at all to a node; PeerClient puts a p2p::Connection core on top of it to get
// a fully upgraded libp2p connection (Noise, yamux) with its own identity, whose streams the test
// then drives itself, well-behaved or not. Every wait has a budget, so a node that hangs fails
// the test instead of hanging it.
#pragma once

#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "runtime/node/node.hpp"
#include "waku/crypto/entropy.hpp"
#include "waku/crypto/identity.hpp"
#include "waku/crypto/secp256k1.hpp"
#include "waku/message/topics.hpp"
#include "waku/p2p/connection.hpp"

namespace waku::runtime::node_test {

// Runs `io` in slices of at most 1 ms, calling `pump()` after each slice, until `done()` holds
// or `budget` has passed. Returns done().
template <typename Done, typename Pump>
bool run_until(boost::asio::io_context& io, std::chrono::milliseconds budget, Done&& done,
               Pump&& pump) {
  const auto deadline = std::chrono::steady_clock::now() + budget;
  pump();
  while (!done()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    if (io.stopped()) io.restart();
    io.run_for(std::chrono::milliseconds(1));
    pump();
  }
  return true;
}

template <typename Done>
bool run_until(boost::asio::io_context& io, std::chrono::milliseconds budget, Done&& done) {
  return run_until(io, budget, std::forward<Done>(done), [] {});
}

// A relay node on 127.0.0.1 with an ephemeral port, subscribed to shard 0 of cluster 0.
inline NodeConfig test_node_config() {
  NodeConfig config;
  config.listen_address = "127.0.0.1";
  config.tcp_port = 0;
  config.relay = true;
  config.rest = true;  // the node keeps delivered messages for REST readers (message_cache())
  return config;
}

inline std::string default_test_topic() { return message::RelayShard{0, 0}.pubsub_topic(); }

inline std::unique_ptr<Node> start_test_node(boost::asio::io_context& io, NodeTuning tuning,
                                             NodeConfig config = test_node_config()) {
  auto node = Node::create(io, std::move(config), tuning);
  if (!node) return nullptr;
  if (auto ok = (*node)->start(); !ok) return nullptr;
  return std::move(node).value();
}

// Publishes on `from`, once it knows a peer on `topic`, a new message of make(attempt) every
// 200 ms (a message the router saw is not published again) until `to` delivers one for which
// accept(message) holds, or `budget` passes. `last_error` gets the last publish error.
template <typename Make, typename Accept>
bool publish_until_delivered(boost::asio::io_context& io, Node& from, Node& to,
                             const std::string& topic, Make&& make, Accept&& accept,
                             std::chrono::milliseconds budget, std::string* last_error = nullptr) {
  std::size_t attempts = 0;
  auto last_attempt = std::chrono::steady_clock::time_point{};
  return run_until(io, budget, [&] {
    if (!from.router().topic_peers(topic).empty() &&
        std::chrono::steady_clock::now() - last_attempt > std::chrono::milliseconds(200)) {
      last_attempt = std::chrono::steady_clock::now();
      auto outcome = from.publish(topic, make(attempts++));
      if (!outcome && last_error != nullptr) *last_error = outcome.error().message();
    }
    const auto taken = to.message_cache().take(topic);
    return taken && std::any_of(taken->begin(), taken->end(), accept);
  });
}

inline crypto::IdentityKey fresh_identity() {
  return crypto::IdentityKey::secp256k1(
      crypto::Secp256k1PrivateKey::generate(crypto::system_entropy()));
}

// A non-blocking TCP client to 127.0.0.1:port on the test's io_context (never run by it: the
// test calls pump()). It sees the connection closed on EOF or on any socket error.
class RawClient {
 public:
  RawClient(boost::asio::io_context& io, std::uint16_t port)
      : socket_(io), read_buffer_(std::size_t{64} * 1024) {
    boost::system::error_code error;
    // A connect to a listening socket completes in the kernel, before the node accepts it.
    socket_.connect({boost::asio::ip::make_address("127.0.0.1"), port}, error);
    if (!error) socket_.non_blocking(true, error);
    if (error) closed_ = true;
  }

  void send(ByteView bytes) {
    outbox_.insert(outbox_.end(), bytes.begin(), bytes.end());
    pump();
  }
  // Writes what the socket takes and reads what has arrived; never blocks.
  void pump() {
    boost::system::error_code error;
    while (!closed_ && outbox_head_ < outbox_.size()) {
      const std::size_t written = socket_.write_some(
          boost::asio::buffer(outbox_.data() + outbox_head_, outbox_.size() - outbox_head_), error);
      if (error == boost::asio::error::would_block) break;
      if (error) {
        closed_ = true;
        break;
      }
      outbox_head_ += written;
      bytes_written_ += written;
    }
    if (outbox_head_ == outbox_.size()) {
      outbox_.clear();
      outbox_head_ = 0;
    }
    while (!closed_ && reading_) {
      const std::size_t size = socket_.read_some(boost::asio::buffer(read_buffer_), error);
      if (error == boost::asio::error::would_block) break;
      if (error) {  // eof, connection reset
        closed_ = true;
        break;
      }
      inbox_.insert(inbox_.end(), read_buffer_.begin(),
                    read_buffer_.begin() + static_cast<std::ptrdiff_t>(size));
    }
  }
  Bytes take_received() { return std::exchange(inbox_, {}); }
  // A peer that stops reading (its socket buffers fill up, then the node's).
  void set_reading(bool reading) { reading_ = reading; }
  [[nodiscard]] bool closed() const { return closed_; }
  [[nodiscard]] std::size_t bytes_written() const { return bytes_written_; }
  [[nodiscard]] std::size_t unsent_bytes() const { return outbox_.size() - outbox_head_; }

 private:
  boost::asio::ip::tcp::socket socket_;
  Bytes read_buffer_;
  Bytes inbox_;
  Bytes outbox_;
  std::size_t outbox_head_{0};
  std::size_t bytes_written_{0};
  bool closed_{false};
  bool reading_{true};
};

// A libp2p dialer (its own identity; mss, Noise, yamux) over a RawClient. It records every event
// of its core; the test drives its streams through core().
class PeerClient {
 public:
  PeerClient(boost::asio::io_context& io, std::uint16_t port, std::vector<std::string> protocols)
      : raw_(io, port),
        identity_(fresh_identity()),
        core_(options(std::move(protocols)), identity_, crypto::system_entropy()) {
    flush();
  }
  PeerClient(const PeerClient&) = delete;
  PeerClient& operator=(const PeerClient&) = delete;

  void pump() {
    raw_.pump();
    const Bytes received = raw_.take_received();
    if (discarding_) return;
    if (!received.empty() && !failed_) failed_ = !core_.handle_bytes(received).has_value();
    while (auto event = core_.poll_event()) events_.push_back(std::move(*event));
    flush();
  }
  void flush() {
    Bytes out;
    core_.take_transmit(out);
    if (!out.empty()) raw_.send(out);
  }

  p2p::Connection& core() { return core_; }
  RawClient& raw() { return raw_; }
  [[nodiscard]] crypto::PeerId peer_id() const { return identity_.peer_id(); }
  [[nodiscard]] bool closed() const { return raw_.closed() || failed_; }
  // A peer that reads what the node sends and throws it away: the node's socket drains, but the
  // peer never grants more yamux window (nor answers anything again).
  void set_discarding() { discarding_ = true; }
  [[nodiscard]] const std::vector<p2p::ConnectionEvent>& events() const { return events_; }

  // The first inbound stream the peer opened for `protocol`, once agreed.
  [[nodiscard]] std::optional<p2p::StreamId> inbound_stream(std::string_view protocol) const {
    for (const auto& event : events_) {
      const auto* opened = std::get_if<p2p::StreamOpened>(&event);
      if (opened != nullptr && opened->direction == p2p::StreamDirection::kInbound &&
          opened->protocol == protocol) {
        return opened->stream;
      }
    }
    return std::nullopt;
  }
  [[nodiscard]] bool stream_opened(p2p::StreamId stream) const {
    for (const auto& event : events_) {
      const auto* opened = std::get_if<p2p::StreamOpened>(&event);
      if (opened != nullptr && opened->stream == stream) return true;
    }
    return false;
  }
  [[nodiscard]] std::size_t bytes_received_on(p2p::StreamId stream) const {
    std::size_t total = 0;
    for (const auto& event : events_) {
      const auto* data = std::get_if<p2p::StreamData>(&event);
      if (data != nullptr && data->stream == stream) total += data->data.size();
    }
    return total;
  }

 private:
  static p2p::ConnectionOptions options(std::vector<std::string> protocols) {
    p2p::ConnectionOptions options;
    options.role = p2p::ConnectionRole::kDialer;
    options.protocols = std::move(protocols);
    return options;
  }

  RawClient raw_;
  crypto::IdentityKey identity_;  // before core_, which keeps a pointer to it
  p2p::Connection core_;
  std::vector<p2p::ConnectionEvent> events_;
  bool failed_{false};
  bool discarding_{false};
};

}  // namespace waku::runtime::node_test
