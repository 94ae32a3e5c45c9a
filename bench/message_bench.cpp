// Micro-benchmarks of per-message work outside the router: the deterministic message hash (store
// key, computed for every archived message) and protected-shard signing and verification (one
// verification per received message on a protected shard).
#include <benchmark/benchmark.h>

#include "waku/base/assert.hpp"
#include "waku/crypto/secp256k1.hpp"
#include "waku/message/message_hash.hpp"
#include "waku/message/protected_shard.hpp"
#include "waku/message/topics.hpp"
#include "waku/message/waku_message.hpp"

namespace {

using waku::Bytes;
using waku::Bytes32;

constexpr std::int64_t kTimestampNs = 1'700'000'000LL * 1'000'000'000LL;

waku::message::WakuMessage message_2kb() {
  waku::message::WakuMessage message;
  message.payload = Bytes(2048, 0xab);
  message.content_topic = "/bench/1/relay/proto";
  message.version = 0;
  message.timestamp = kTimestampNs;
  return message;
}

waku::crypto::Secp256k1PrivateKey bench_key() {
  Bytes32 bytes{};
  bytes.fill(0x11);
  auto key = waku::crypto::Secp256k1PrivateKey::from_bytes(bytes);
  WAKU_ASSERT(key.has_value());
  return key.value();
}

void BM_DeterministicMessageHash_2KB(benchmark::State& state) {
  const auto message = message_2kb();
  const std::string topic = waku::message::RelayShard{1, 0}.pubsub_topic();
  for (auto _ : state) {
    auto hash = waku::message::deterministic_message_hash(topic, message);
    benchmark::DoNotOptimize(hash);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) *
                          static_cast<std::int64_t>(message.payload.size()));
}
BENCHMARK(BM_DeterministicMessageHash_2KB);

void BM_ProtectedShardSign(benchmark::State& state) {
  const auto key = bench_key();
  const auto message = message_2kb();
  const std::string topic = waku::message::RelayShard{1, 0}.pubsub_topic();
  for (auto _ : state) {
    auto signature = waku::message::sign_message(key, topic, message);
    benchmark::DoNotOptimize(signature);
  }
}
BENCHMARK(BM_ProtectedShardSign);

void BM_ProtectedShardVerify(benchmark::State& state) {
  const auto key = bench_key();
  const auto public_key = key.public_key();
  auto message = message_2kb();
  const std::string topic = waku::message::RelayShard{1, 0}.pubsub_topic();
  const auto signature = waku::message::sign_message(key, topic, message);
  message.meta = Bytes(signature.begin(), signature.end());
  const waku::UnixNanos now{kTimestampNs + 1'000'000'000};
  if (waku::message::check_signed_message(public_key, topic, message, now) !=
      waku::message::SignatureCheck::kValid) {
    state.SkipWithError("signed message does not verify");
    return;
  }
  for (auto _ : state) {
    auto check = waku::message::check_signed_message(public_key, topic, message, now);
    benchmark::DoNotOptimize(check);
  }
}
BENCHMARK(BM_ProtectedShardVerify);

}  // namespace
