// Micro-benchmarks of per-message work outside the router: the deterministic message hash (store
// key, computed for every archived message), protected-shard signing and verification (one
// verification per received message on a protected shard), and the cryptography every relayed
// message costs on the wire whatever the implementation: its id (SHA-256 of the encoded
// WakuMessage) and one ChaCha20-Poly1305 seal or open of the Noise frame that carries it. These
// two bound how fast a chain of relay processes can go (docs/benchmarks.md, relay chain).
#include <benchmark/benchmark.h>

#include "waku/base/assert.hpp"
#include "waku/codec/gossipsub_codec.hpp"
#include "waku/codec/waku_message_codec.hpp"
#include "waku/crypto/chacha_poly.hpp"
#include "waku/crypto/secp256k1.hpp"
#include "waku/crypto/sha256.hpp"
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

// The gossipsub message id of a relayed 2 KB message: sha256 of its encoded WakuMessage.
void BM_MessageId_2KB(benchmark::State& state) {
  const Bytes data = waku::codec::encode_waku_message(message_2kb());
  for (auto _ : state) {
    auto id = waku::crypto::sha256(data);
    benchmark::DoNotOptimize(id);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) *
                          static_cast<std::int64_t>(data.size()));
}
BENCHMARK(BM_MessageId_2KB);

// One Noise transport frame carrying a relayed 2 KB message (RPC framing included), sealed and
// opened in place as the connection does.
constexpr std::size_t kRelayFrameBytes = 2048 + 80;

// A largest Noise frame (65,535 bytes with the tag): what a connection seals when several relay
// frames wait for the socket together, so the per-frame cost (nonce, Poly1305 key, tag) is paid
// once.
constexpr std::size_t kLargestNoisePlaintext = 65535 - waku::crypto::kChaChaPolyTagSize;

void noise_seal(benchmark::State& state, std::size_t plaintext_bytes) {
  Bytes32 key{};
  key.fill(0x22);
  waku::crypto::ChaChaPoly cipher(key);
  Bytes frame(plaintext_bytes + waku::crypto::kChaChaPolyTagSize, 0x5a);
  const std::span<std::uint8_t> out(frame);
  std::uint64_t counter = 0;
  for (auto _ : state) {
    cipher.seal(waku::crypto::ChaChaPoly::noise_nonce(counter++), {},
                waku::ByteView(frame).first(plaintext_bytes), out);
    benchmark::DoNotOptimize(frame.data());
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) *
                          static_cast<std::int64_t>(plaintext_bytes));
}

void noise_open(benchmark::State& state, std::size_t plaintext_bytes) {
  Bytes32 key{};
  key.fill(0x22);
  waku::crypto::ChaChaPoly cipher(key);
  const Bytes plain(plaintext_bytes, 0x5a);
  Bytes sealed(plaintext_bytes + waku::crypto::kChaChaPolyTagSize);
  const auto nonce = waku::crypto::ChaChaPoly::noise_nonce(7);
  cipher.seal(nonce, {}, plain, sealed);
  Bytes out(plaintext_bytes);
  for (auto _ : state) {
    const bool ok = cipher.open(nonce, {}, sealed, out);
    benchmark::DoNotOptimize(ok);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) *
                          static_cast<std::int64_t>(plaintext_bytes));
}

void BM_NoiseSeal_2KB(benchmark::State& state) { noise_seal(state, kRelayFrameBytes); }
BENCHMARK(BM_NoiseSeal_2KB);
void BM_NoiseOpen_2KB(benchmark::State& state) { noise_open(state, kRelayFrameBytes); }
BENCHMARK(BM_NoiseOpen_2KB);
void BM_NoiseSeal_64KB(benchmark::State& state) { noise_seal(state, kLargestNoisePlaintext); }
BENCHMARK(BM_NoiseSeal_64KB);
void BM_NoiseOpen_64KB(benchmark::State& state) { noise_open(state, kLargestNoisePlaintext); }
BENCHMARK(BM_NoiseOpen_64KB);

// Decoding the gossipsub RPC that carries one relayed 2 KB message: its id (SHA-256), the
// message's shared buffer and its decoded WakuMessage; decode_rpc walks the published message
// itself, decode_rpc_with_protobuf has the runtime parse everything (two more copies of the data).
void decode_one_message_rpc(benchmark::State& state, bool walked) {
  waku::relay::Rpc rpc;
  rpc.publish.push_back(waku::codec::make_relay_message("/waku/2/rs/16/32", message_2kb()));
  const Bytes frame = waku::codec::encode_rpc(rpc);
  for (auto _ : state) {
    auto decoded = walked ? waku::codec::decode_rpc(frame, {})
                          : waku::codec::decode_rpc_with_protobuf(frame, {});
    WAKU_ASSERT(decoded.has_value() && decoded->publish.size() == 1);
    benchmark::DoNotOptimize(decoded);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) *
                          static_cast<std::int64_t>(frame.size()));
}

void BM_DecodeRpc_2KB(benchmark::State& state) { decode_one_message_rpc(state, true); }
BENCHMARK(BM_DecodeRpc_2KB);
void BM_DecodeRpcWithProtobuf_2KB(benchmark::State& state) { decode_one_message_rpc(state, false); }
BENCHMARK(BM_DecodeRpcWithProtobuf_2KB);

}  // namespace
