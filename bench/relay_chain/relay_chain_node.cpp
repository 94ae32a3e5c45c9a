// relay_chain_node: the publisher (A) or the counter (C) of the relay-chain benchmark, as a C++
// node: the same Node the wakunode binary runs, with the load generator or the counter attached
// in-process (publishing through REST would measure the REST server). The line protocol on stdout
// is the one bench/relay_chain/chain-node.mjs speaks, so run_chain.sh drives both alike.
//
//   relay_chain_node --role publisher --dial MULTIADDR --key-hex HEX [--size 2048]
//                    [--duration 10] [--window 262144] [--cluster-id 16] [--shard 32]
//   relay_chain_node --role counter --dial MULTIADDR --key-hex HEX
#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdio>
#include <vector>

#include "runtime/node/allocator.hpp"
#include "runtime/node/log.hpp"
#include "runtime/node/node.hpp"
#include "waku/message/protected_shard.hpp"

namespace {

using Clock = std::chrono::steady_clock;  // CLOCK_MONOTONIC: comparable across processes
constexpr std::string_view kLoadTopic = "/bench/1/load/proto";
constexpr std::string_view kProbeTopic = "/bench/1/probe/proto";
constexpr std::size_t kHeaderBytes = 20;  // "LOAD" | seq u64 BE | send time u64 BE

std::uint64_t monotonic_ns() {
  return static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now().time_since_epoch())
          .count());
}

std::int64_t unix_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

void put_u64(waku::Bytes& out, std::size_t at, std::uint64_t value) {
  for (std::size_t i = 0; i < 8; ++i) {
    out[at + i] = static_cast<std::uint8_t>(value >> (8 * (7 - i)));
  }
}

std::uint64_t get_u64(waku::ByteView in, std::size_t at) {
  std::uint64_t value = 0;
  for (std::size_t i = 0; i < 8; ++i) value = (value << 8) | in[at + i];
  return value;
}

void line(const std::string& text) {
  std::fputs(text.c_str(), stdout);
  std::fputc('\n', stdout);
  std::fflush(stdout);
}

struct Options {
  std::string role;
  std::string dial;
  std::string key_hex;
  std::size_t size{2048};
  double duration{10};
  std::size_t window{256 * 1024};
  std::uint16_t cluster_id{16};
  std::uint16_t shard{32};
  // Protected shard: the publisher signs every message with this key; B checks them.
  std::string protected_key_hex;
};

class Publisher {
 public:
  Publisher(boost::asio::io_context& io, waku::runtime::Node& node, const Options& options)
      : io_(io), node_(node), options_(options), timer_(io), topic_(topic(options)) {
    if (!options.protected_key_hex.empty()) {
      signing_key_ = waku::crypto::Secp256k1PrivateKey::from_hex(options.protected_key_hex).value();
    }
  }

  void start() {
    auto signals = std::make_shared<boost::asio::signal_set>(io_, SIGUSR2);
    signals->async_wait([this, signals](const boost::system::error_code& error, int) {
      if (!error) go_ = true;
    });
    probe();
  }

  static std::string topic(const Options& options) {
    return fmt::format("/waku/2/rs/{}/{}", options.cluster_id, options.shard);
  }

 private:
  void probe() {
    if (go_) {
      start_ = Clock::now();
      end_ = start_ + std::chrono::duration_cast<Clock::duration>(
                          std::chrono::duration<double>(options_.duration));
      load();
      return;
    }
    waku::message::WakuMessage message;
    const auto text = fmt::format("probe #{}", probes_++);
    message.payload = waku::Bytes(text.begin(), text.end());
    message.content_topic = std::string{kProbeTopic};
    message.version = 0;
    message.timestamp = unix_ns();
    sign(message);
    (void)node_.publish(topic_, std::move(message));
    timer_.expires_after(std::chrono::milliseconds(200));
    timer_.async_wait([this](const boost::system::error_code& error) {
      if (!error) probe();
    });
  }

  void sign(waku::message::WakuMessage& message) const {
    if (!signing_key_) return;
    const auto signature = waku::message::sign_message(*signing_key_, topic_, message);
    message.meta = waku::Bytes(signature.begin(), signature.end());
  }

  void load() {
    while (Clock::now() < end_) {
      if (node_.relay_unsent_bytes() > options_.window) {
        ++waits_;
        break;
      }
      waku::message::WakuMessage message;
      waku::Bytes payload(std::max(options_.size, kHeaderBytes), 0x5a);
      payload[0] = 'L';
      payload[1] = 'O';
      payload[2] = 'A';
      payload[3] = 'D';
      put_u64(payload, 4, seq_);
      put_u64(payload, 12, monotonic_ns());
      message.payload = std::move(payload);
      message.content_topic = std::string{kLoadTopic};
      message.version = 0;
      message.timestamp = unix_ns();
      sign(message);
      if (node_.publish(topic_, std::move(message))) ++seq_;
    }
    if (Clock::now() >= end_ && node_.relay_unsent_bytes() == 0) {
      const double seconds = std::chrono::duration<double>(Clock::now() - start_).count();
      // Copies A's own router dropped towards B (its bounded per-peer queue): chain loss too.
      line(fmt::format(
          R"(LOADDONE {{"sent":{},"seconds":{:.3f},"size":{},"windowWaits":{},"droppedAtA":{}}})",
          seq_, seconds, options_.size, waits_, node_.router().stats().queue_dropped_messages));
      return;
    }
    // Let the event loop write what is queued; come back shortly.
    timer_.expires_after(std::chrono::microseconds(200));
    timer_.async_wait([this](const boost::system::error_code& error) {
      if (!error) load();
    });
  }

  boost::asio::io_context& io_;
  waku::runtime::Node& node_;
  const Options& options_;
  boost::asio::steady_timer timer_;
  std::string topic_;
  std::optional<waku::crypto::Secp256k1PrivateKey> signing_key_;
  bool go_{false};
  std::uint64_t probes_{0};
  std::uint64_t seq_{0};
  std::uint64_t waits_{0};
  Clock::time_point start_;
  Clock::time_point end_;
};

class Counter {
 public:
  Counter(boost::asio::io_context& io, waku::runtime::Node& node) : node_(node), timer_(io) {
    node.set_message_observer([this](const waku::relay::RelayMessage& message) {
      if (!message.decoded) return;
      on_message(*message.decoded);
    });
    tick();
  }

  void finish() {
    std::sort(latencies_ms_.begin(), latencies_ms_.end());
    auto q = [&](double f) -> std::string {
      if (latencies_ms_.empty()) return "null";
      const auto index =
          std::min(latencies_ms_.size() - 1,
                   static_cast<std::size_t>(f * static_cast<double>(latencies_ms_.size())));
      return fmt::format("{:.2f}", latencies_ms_[index]);
    };
    const double seconds = received_ == 0 ? 0 : static_cast<double>(last_ - first_) / 1e9;
    // C's router's own view: distinct messages it saw, and copies it refused, so that loss can
    // be placed (never reached C, or reached C and was not delivered).
    const auto& stats = node_.router().stats();
    line(fmt::format(R"(RESULT {{"received":{},"duplicates":{},"payloadBytes":{},"seconds":{:.3f},)"
                     R"("routerFirstSeen":{},"routerRejected":{},"routerIgnored":{},)"
                     R"("latencyMs":{{"p50":{},"p90":{},"p99":{},"max":{}}}}})",
                     received_, duplicates_, bytes_, seconds, stats.messages_first_seen,
                     stats.messages_rejected, stats.messages_ignored, q(0.5), q(0.9), q(0.99),
                     q(1.0)));
  }

 private:
  void on_message(const waku::message::WakuMessage& message) {
    if (message.content_topic == kProbeTopic) {
      if (!probed_) line("PROBE");
      probed_ = true;
      return;
    }
    if (message.content_topic != kLoadTopic || message.payload.size() < kHeaderBytes) return;
    const auto seq = get_u64(message.payload, 4);
    if (seq >= (std::uint64_t{1} << 32)) return;
    if (seen_.size() <= seq) seen_.resize(seq + 1, false);
    if (seen_[seq]) {
      ++duplicates_;
      return;
    }
    seen_[seq] = true;
    const auto now = monotonic_ns();
    if (received_ == 0) first_ = now;
    last_ = now;
    ++received_;
    bytes_ += message.payload.size();
    if (latencies_ms_.size() < 2'000'000) {
      latencies_ms_.push_back(static_cast<double>(now - get_u64(message.payload, 12)) / 1e6);
    }
  }

  void tick() {
    line(fmt::format("COUNT {}", received_));
    timer_.expires_after(std::chrono::milliseconds(500));
    timer_.async_wait([this](const boost::system::error_code& error) {
      if (!error) tick();
    });
  }

  waku::runtime::Node& node_;
  boost::asio::steady_timer timer_;
  std::vector<bool> seen_;
  std::vector<double> latencies_ms_;
  std::uint64_t received_{0};
  std::uint64_t duplicates_{0};
  std::uint64_t bytes_{0};
  std::uint64_t first_{0};
  std::uint64_t last_{0};
  bool probed_{false};
};

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"relay_chain_node: publisher or counter of the relay-chain benchmark"};
  Options options;
  app.add_option("--role", options.role, "publisher or counter")
      ->required()
      ->check(CLI::IsMember({"publisher", "counter"}));
  app.add_option("--dial", options.dial, "multiaddr of B (with /p2p/)")->required();
  app.add_option("--key-hex", options.key_hex, "secp256k1 private key (hex)")->required();
  app.add_option("--size", options.size, "payload bytes of a load message")->capture_default_str();
  app.add_option("--duration", options.duration, "seconds of load")->capture_default_str();
  app.add_option("--window", options.window, "unsent bytes above which publishing pauses")
      ->capture_default_str();
  app.add_option("--cluster-id", options.cluster_id)->capture_default_str();
  app.add_option("--shard", options.shard)->capture_default_str();
  app.add_option("--protected-key", options.protected_key_hex,
                 "secp256k1 private key (hex) of a protected shard: the publisher signs every "
                 "message with it (the relay under test checks them)");
  CLI11_PARSE(app, argc, argv);

  waku::runtime::set_log_level(waku::runtime::LogLevel::kWarn);
  waku::runtime::NodeConfig config;
  config.cluster_id = options.cluster_id;
  config.shards = {options.shard};
  config.listen_address = "127.0.0.1";
  config.tcp_port = 0;
  config.staticnodes = {options.dial};
  config.nodekey_hex = options.key_hex;
  // The benchmark measures relaying: no per-message size cap below the payload.
  config.max_msg_size_bytes = std::max<std::size_t>(config.max_msg_size_bytes, options.size + 1024);

  // Neither end checks signatures: A is the load generator and C the measuring instrument; the
  // node under test is B (wakunode with --protected-shard), whose checks the benchmark measures.
  if (!options.protected_key_hex.empty() &&
      !waku::crypto::Secp256k1PrivateKey::from_hex(options.protected_key_hex)) {
    fmt::print(stderr, "relay_chain_node: --protected-key: not a secp256k1 private key\n");
    return 2;
  }
  waku::runtime::configure_allocator();  // as wakunode (run_node) does
  boost::asio::io_context io;
  const waku::runtime::AllocatorTrimmer trimmer(io, waku::runtime::kAllocatorTrimPeriod);
  auto node = waku::runtime::Node::create(io, config);
  if (!node) {
    fmt::print(stderr, "relay_chain_node: {}\n", node.error().message());
    return 1;
  }
  if (auto started = (*node)->start(); !started) {
    fmt::print(stderr, "relay_chain_node: {}\n", started.error().message());
    return 1;
  }
  std::unique_ptr<Publisher> publisher;
  std::unique_ptr<Counter> counter;
  if (options.role == "publisher") {
    publisher = std::make_unique<Publisher>(io, **node, options);
    publisher->start();
  } else {
    counter = std::make_unique<Counter>(io, **node);
  }
  boost::asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code& error, int) {
    if (error) return;
    if (counter) counter->finish();
    (*node)->stop();
    io.stop();
  });
  io.run();
  return 0;
}
