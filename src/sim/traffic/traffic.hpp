// Traffic: the messages simulated nodes publish.
//
// A publication is built once — the WakuMessage encoded, its id hashed and its decoded form kept
// — and shared by every router that relays it, as the real node derives these once per message
// in its codec layer. Payloads start with the publisher's index and counter, so every message has
// a distinct id; the rest is filler, since only sizes matter to the network. On a protected shard
// honest messages carry the community signature in `meta`; attackers send none or a corrupt one.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "sim/scenario/scenario.hpp"
#include "waku/base/rng.hpp"
#include "waku/base/time.hpp"
#include "waku/crypto/secp256k1.hpp"
#include "waku/relay/rpc.hpp"

namespace waku::sim {

// Payload size drawn from the distribution, clamped to [1, max message size - headroom].
std::size_t draw_size(const SizeDistribution& size, Rng& rng);

enum class Signing : std::uint8_t {
  kNone,          // unprotected shard
  kValid,         // signed with the community key
  kBadSignature,  // 64 bytes of meta that do not verify
  kUnsigned,      // protected shard, no signature at all
};

// `key` is required for Signing::kValid only.
relay::RelayMessagePtr make_message(const std::string& pubsub_topic,
                                    const std::string& content_topic, std::uint32_t publisher,
                                    std::uint64_t counter, std::size_t payload_bytes,
                                    UnixNanos timestamp, Signing signing,
                                    const crypto::Secp256k1PrivateKey* key);

}  // namespace waku::sim
