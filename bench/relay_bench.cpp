// Micro-benchmarks of the relay router's hot path: one new 2 KB message arriving from a mesh peer
// and being forwarded to the rest of an 8-peer mesh (7 forwards, plus the IDONTWANTs a 2 KB
// message triggers), with and without the wire codec around it.
//
// Setup, message construction (sha256 id, decoded WakuMessage) and heartbeats run with the timer
// paused. Virtual time advances 1 ms per message, so the seen cache and mcache hold what a node
// relaying 1000 msg/s would hold; a heartbeat runs (untimed) every 1000 messages.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "waku/base/assert.hpp"
#include "waku/base/rng.hpp"
#include "waku/codec/gossipsub_codec.hpp"
#include "waku/codec/waku_message_codec.hpp"
#include "waku/message/topics.hpp"
#include "waku/relay/config.hpp"
#include "waku/relay/router.hpp"

namespace {

using waku::Bytes;
using waku::Instant;
namespace relay = waku::relay;
namespace codec = waku::codec;

constexpr std::size_t kMeshPeers = 8;
constexpr std::size_t kBatch = 1000;  // messages per virtual second
constexpr std::int64_t kUnixTimeAtOriginNs = 1'700'000'000LL * 1'000'000'000LL;

class ForwardBench {
 public:
  ForwardBench() : topic_(waku::message::RelayShard{1, 0}.pubsub_topic()) {
    auto config = relay::RouterConfig::fleet();
    config.unix_time_at_origin = waku::UnixNanos{kUnixTimeAtOriginNs};
    auto router = relay::Router::create(config, waku::Rng(42));
    WAKU_ASSERT(router.has_value());
    router_.emplace(std::move(router.value()));
    limits_.max_frame_bytes = config.gossip.max_transmit_size_bytes;
    limits_.max_message_size_bytes = config.gossip.max_message_size_bytes;
    limits_.max_ids_per_control = config.gossip.max_ids_per_control;

    WAKU_ASSERT(router_->subscribe(now_, topic_).has_value());
    // Eight peers we dialled (outbound, so the d_high graft-acceptance rule for inbound peers
    // does not apply), each subscribing and grafting us.
    for (std::uint32_t i = 1; i <= kMeshPeers; ++i) {
      relay::PeerConnected connected;
      connected.peer = relay::PeerHandle(i);
      connected.peer_id = waku::to_bytes("bench-peer-" + std::to_string(i));
      connected.direction = relay::Direction::kOutbound;
      router_->handle_peer_connected(now_, connected);
      relay::Rpc rpc;
      rpc.subscriptions.push_back(relay::Subscription{true, topic_});
      rpc.control.graft.push_back(relay::Graft{topic_});
      router_->handle_rpc(now_, connected.peer, std::move(rpc));
      peers_.push_back(connected.peer);
    }
    drain();
    advance(std::chrono::seconds(2));  // a couple of heartbeats: the mesh is settled
  }

  [[nodiscard]] std::size_t mesh_size() const { return router_->mesh_peers(topic_).size(); }
  [[nodiscard]] relay::PeerHandle sender() const { return peers_.front(); }

  // Runs heartbeats due up to now + `duration`.
  void advance(waku::Duration duration) {
    const Instant until = now_ + duration;
    while (true) {
      const auto wake = router_->poll_timeout();
      if (!wake || *wake > until) break;
      now_ = std::max(now_, *wake);
      router_->handle_timeout(now_);
      drain();
    }
    now_ = until;
  }

  // The next batch of new messages (distinct ids), built outside the timed region.
  std::vector<relay::RelayMessagePtr> make_batch() {
    std::vector<relay::RelayMessagePtr> batch;
    batch.reserve(kBatch);
    for (std::size_t i = 0; i < kBatch; ++i) {
      waku::message::WakuMessage message;
      Bytes payload(2048, 0xcd);
      const auto counter = waku::u64_be(next_message_++);
      std::copy(counter.begin(), counter.end(), payload.begin());
      message.payload = std::move(payload);
      message.content_topic = "/bench/1/relay/proto";
      message.version = 0;
      message.timestamp = kUnixTimeAtOriginNs + now_.nanoseconds();
      batch.push_back(codec::make_relay_message(
          topic_, waku::SharedBytes(codec::encode_waku_message(message))));
    }
    return batch;
  }

  // Hands one RPC to the router and drains its outputs; returns the peers the message went to.
  std::size_t forward(relay::RelayMessagePtr message) {
    relay::Rpc rpc;
    rpc.publish.push_back(std::move(message));
    router_->handle_rpc(now_, sender(), std::move(rpc));
    std::size_t forwards = 0;
    while (auto transmit = router_->poll_transmit()) {
      forwards += transmit->rpc.publish.size();
      benchmark::DoNotOptimize(transmit);
    }
    while (auto event = router_->poll_event()) benchmark::DoNotOptimize(event);
    now_ += std::chrono::milliseconds(1);
    return forwards;
  }

  // The real node's path: decode the incoming frame, route, encode every outgoing RPC.
  std::size_t forward_frame(const Bytes& frame) {
    auto rpc = codec::decode_rpc(frame, limits_);
    if (!rpc.has_value()) return 0;
    router_->handle_rpc(now_, sender(), std::move(rpc.value()));
    std::size_t forwards = 0;
    while (auto transmit = router_->poll_transmit()) {
      forwards += transmit->rpc.publish.size();
      auto bytes = codec::encode_rpc(transmit->rpc);
      benchmark::DoNotOptimize(bytes);
    }
    while (auto event = router_->poll_event()) benchmark::DoNotOptimize(event);
    now_ += std::chrono::milliseconds(1);
    return forwards;
  }

  // One forwarded message, checked: which peers got it.
  std::set<relay::PeerHandle> forward_and_collect(relay::RelayMessagePtr message) {
    relay::Rpc rpc;
    rpc.publish.push_back(std::move(message));
    router_->handle_rpc(now_, sender(), std::move(rpc));
    std::set<relay::PeerHandle> reached;
    while (auto transmit = router_->poll_transmit()) {
      if (!transmit->rpc.publish.empty()) reached.insert(transmit->peer);
    }
    drain();
    now_ += std::chrono::milliseconds(1);
    return reached;
  }

 private:
  void drain() {
    while (router_->poll_transmit()) {
    }
    while (router_->poll_event()) {
    }
  }

  std::string topic_;
  Instant now_{};
  std::optional<relay::Router> router_;
  std::vector<relay::PeerHandle> peers_;
  codec::RpcLimits limits_;
  std::uint64_t next_message_{0};
};

// Setup shared by both variants; returns false (and marks the benchmark failed) if the mesh or
// the forwarding is not what the benchmark claims to measure.
bool check_setup(benchmark::State& state, ForwardBench& bench) {
  if (bench.mesh_size() != kMeshPeers) {
    state.SkipWithError("router does not have exactly 8 mesh peers");
    return false;
  }
  auto warmup = bench.make_batch();
  const auto reached = bench.forward_and_collect(warmup.front());
  if (reached.size() != kMeshPeers - 1 || reached.contains(bench.sender())) {
    state.SkipWithError("a new message is not forwarded to the 7 other mesh peers");
    return false;
  }
  return true;
}

// 8 mesh peers; the message arrives from one of them and is forwarded to the other 7.
void BM_RouterForwardNewMessage_8MeshPeers(benchmark::State& state) {
  ForwardBench bench;
  if (!check_setup(state, bench)) return;
  auto batch = bench.make_batch();
  std::size_t next = 0;
  std::size_t forwards = 0;
  for (auto _ : state) {
    if (next == batch.size()) {
      state.PauseTiming();
      bench.advance(std::chrono::milliseconds(0));
      batch = bench.make_batch();
      next = 0;
      state.ResumeTiming();
    }
    forwards += bench.forward(std::move(batch[next++]));
  }
  state.counters["forwards_per_msg"] =
      static_cast<double>(forwards) / static_cast<double>(state.iterations());
}
BENCHMARK(BM_RouterForwardNewMessage_8MeshPeers);

// The same with codec::decode_rpc of the incoming frame and codec::encode_rpc of every outgoing
// RPC (forwards and IDONTWANTs).
void BM_RouterForwardNewMessage_8MeshPeers_WithCodec(benchmark::State& state) {
  ForwardBench bench;
  if (!check_setup(state, bench)) return;
  const auto frames_of = [](const std::vector<relay::RelayMessagePtr>& messages) {
    std::vector<Bytes> frames;
    frames.reserve(messages.size());
    for (const auto& message : messages) {
      relay::Rpc rpc;
      rpc.publish.push_back(message);
      frames.push_back(codec::encode_rpc(rpc));
    }
    return frames;
  };
  auto frames = frames_of(bench.make_batch());
  std::size_t next = 0;
  std::size_t forwards = 0;
  for (auto _ : state) {
    if (next == frames.size()) {
      state.PauseTiming();
      bench.advance(std::chrono::milliseconds(0));
      frames = frames_of(bench.make_batch());
      next = 0;
      state.ResumeTiming();
    }
    forwards += bench.forward_frame(frames[next++]);
  }
  state.counters["forwards_per_msg"] =
      static_cast<double>(forwards) / static_cast<double>(state.iterations());
}
BENCHMARK(BM_RouterForwardNewMessage_8MeshPeers_WithCodec);

}  // namespace
