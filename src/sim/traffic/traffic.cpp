#include "sim/traffic/traffic.hpp"

#include <algorithm>
#include <cmath>
#include <utility>

#include "sim/engine/simulation_state.hpp"
#include "waku/codec/gossipsub_codec.hpp"
#include "waku/codec/waku_message_codec.hpp"
#include "waku/message/protected_shard.hpp"

namespace waku::sim {

namespace {

// Room for the WakuMessage fields around the payload (topic, timestamp, 64-byte meta).
constexpr std::size_t kHeadroomBytes = 512;

}  // namespace

std::size_t draw_size(const SizeDistribution& size, Rng& rng) {
  const std::size_t cap = message::kMaxMessageSizeBytes - kHeadroomBytes;
  std::size_t bytes = size.mean_bytes;
  switch (size.kind) {
    case SizeDistribution::Kind::kConstant: break;
    case SizeDistribution::Kind::kUniform:
      bytes = static_cast<std::size_t>(rng.uniform_between(
          static_cast<std::int64_t>(size.min_bytes), static_cast<std::int64_t>(size.max_bytes)));
      break;
    case SizeDistribution::Kind::kExponential:
      bytes = static_cast<std::size_t>(
          std::llround(rng.exponential(static_cast<double>(size.mean_bytes))));
      bytes = std::clamp(bytes, size.min_bytes, std::max(size.min_bytes, size.max_bytes));
      break;
  }
  return std::clamp<std::size_t>(bytes, 1, cap);
}

relay::RelayMessagePtr make_message(const std::string& pubsub_topic,
                                    const std::string& content_topic, std::uint32_t publisher,
                                    std::uint64_t counter, std::size_t payload_bytes,
                                    UnixNanos timestamp, Signing signing,
                                    const crypto::Secp256k1PrivateKey* key) {
  message::WakuMessage msg;
  Bytes payload(std::max<std::size_t>(payload_bytes, 16), 0x5a);
  const auto who = u64_be(publisher);
  const auto which = u64_be(counter);
  std::copy(who.begin(), who.end(), payload.begin());
  std::copy(which.begin(), which.end(), payload.begin() + 8);
  msg.payload = std::move(payload);
  msg.content_topic = content_topic;
  msg.timestamp = timestamp.value;
  switch (signing) {
    case Signing::kNone:
    case Signing::kUnsigned: break;
    case Signing::kValid: {
      const auto signature = message::sign_message(*key, pubsub_topic, msg);
      msg.meta = Bytes(signature.begin(), signature.end());
      break;
    }
    case Signing::kBadSignature: {
      // A well-formed-looking signature over nothing: right length, does not verify.
      Bytes meta(message::kProtectedShardSignatureSize, 0x42);
      std::copy(which.begin(), which.end(), meta.begin());
      msg.meta = std::move(meta);
      break;
    }
  }
  return codec::make_relay_message(pubsub_topic, std::move(msg));
}

// --- Engine: publications ---

void Engine::schedule_publish(NodeIndex n, std::uint32_t kind, std::int64_t from_ns) {
  const TrafficKind& traffic = scenario.traffic[kind];
  if (traffic.rate_per_node_per_hour <= 0) return;
  NodeState& node = nodes[n];
  const double mean_ns = 3600e9 / traffic.rate_per_node_per_hour;
  const std::int64_t start = std::max(from_ns, warmup_ns);
  const auto at = start + static_cast<std::int64_t>(node.rng.exponential(mean_ns));
  if (at < publish_end_ns) lane_of(n).queue.push(at, EventKind::kPublish, n, kind);
}

// The record is made between windows (Publication); no other node can receive the message before.
void Engine::publish(Lane& lane, NodeIndex n, std::uint32_t kind) {
  NodeState& node = nodes[n];
  if (!node.online) return;  // the chain restarts when the node rejoins
  schedule_publish(n, kind, lane.now_ns);
  const TrafficKind& traffic = scenario.traffic[kind];
  const std::size_t slot = shard_slot(traffic.shard);
  const bool is_protected = scenario.protected_shard && *scenario.protected_shard == traffic.shard;
  const std::size_t bytes = draw_size(traffic.size, node.rng);
  const UnixNanos timestamp{kUnixTimeAtOriginNs + lane.now_ns};
  auto message = make_message(shard_topics[slot], content_topics[kind], n, ++node.publish_counter,
                              bytes, timestamp, is_protected ? Signing::kValid : Signing::kNone,
                              is_protected ? &*community_key : nullptr);
  lane.effects.push_back(LaneEffect{lane.now_ns, n,
                                    Publication{message, kind, static_cast<std::uint32_t>(slot),
                                                /*valid=*/true}});
  auto outcome = node.router->publish(lane.now(), message);
  if (!outcome) {
    lane.effects.push_back(
        LaneEffect{lane.now_ns, n,
                   Violation{kCheckConvergence, "publish failed at node " + std::to_string(n) +
                                                    ": " + std::string(outcome.error().context)}});
  }
  ++node.record.published;
  pump(lane, n);
}

void Engine::attack(Lane& lane, NodeIndex n) {
  NodeState& node = nodes[n];
  const AttackConfig& config = *scenario.attack;
  const auto next = lane.now_ns + static_cast<std::int64_t>(
                                      node.rng.exponential(1e9 / config.messages_per_second));
  if (next < std::min(end_ns, config.end.count())) lane.queue.push(next, EventKind::kAttack, n);
  if (!node.online) return;
  const std::size_t slot = shard_slot(*scenario.protected_shard);
  const UnixNanos timestamp{kUnixTimeAtOriginNs + lane.now_ns};
  const Signing signing =
      config.kind == AttackConfig::Kind::kUnsigned ? Signing::kUnsigned : Signing::kBadSignature;
  auto message = make_message(shard_topics[slot], "/spam/1/flood/proto", n, ++node.publish_counter,
                              2048, timestamp, signing, nullptr);
  lane.effects.push_back(LaneEffect{
      lane.now_ns, n, Publication{message, 0, static_cast<std::uint32_t>(slot), /*valid=*/false}});
  // The attacker's router has no validator, so it floods its own spam like any publication.
  (void)node.router->publish(lane.now(), message);
  ++node.record.published;
  pump(lane, n);
}

}  // namespace waku::sim
