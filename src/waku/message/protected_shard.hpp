// Protected (signed) shards: the opt-in message signing of 57/STATUS-SIMPLE-SCALING, as nwaku
// (waku/factory/validator_signed.nim) and go-waku (relay/validators.go) implement it.
//
// A protected pubsub topic has one secp256k1 public key; trusted publishers share its private key
// and put a 64-byte compact ECDSA signature of the "app message hash" into WakuMessage.meta.
// Relays reject (and so penalise the sender of) any message on that topic whose signature, length
// or timestamp is wrong, which keeps spam off shards that carry community control messages. This
// file holds the hash, signing and the check; relay/protected_shard_validator.hpp plugs the check
// into the relay validation pipeline.
#pragma once

#include <cstdint>
#include <string_view>

#include "waku/base/bytes.hpp"
#include "waku/base/time.hpp"
#include "waku/crypto/secp256k1.hpp"
#include "waku/message/waku_message.hpp"

namespace waku::message {

// nwaku MessageWindowInSec: a message is valid only while |now - timestamp| < 5 min (strict).
inline constexpr Duration kProtectedShardWindow = 5min;
// The compact r||s signature that meta must hold, exactly.
inline constexpr std::size_t kProtectedShardSignatureSize = 64;

// sha256(pubsub_topic || payload || content_topic || timestamp as 8-byte LITTLE-endian ||
// one byte 0x01 if ephemeral else 0x00). meta (the signature's home) is not hashed. Note the
// little-endian timestamp: the deterministic message hash uses big-endian.
Bytes32 app_message_hash(std::string_view pubsub_topic, const WakuMessage& message);

// RFC 6979, low-S; the caller puts the result into message.meta before publishing.
crypto::CompactSignature sign_message(const crypto::Secp256k1PrivateKey& key,
                                      std::string_view pubsub_topic, const WakuMessage& message);

enum class SignatureCheck : std::uint8_t {
  kValid,
  kMissingTimestamp,  // timestamp absent or 0
  kOutsideWindow,     // |now - timestamp| >= kProtectedShardWindow
  kBadMetaLength,     // meta absent or not exactly 64 bytes
  kBadSignature,      // does not verify (includes high-S and out-of-range r or s)
};

// The checks in nwaku's order; the first failure is returned. `now` is the host's Unix time.
SignatureCheck check_signed_message(const crypto::Secp256k1PublicKey& key,
                                    std::string_view pubsub_topic, const WakuMessage& message,
                                    UnixNanos now);

}  // namespace waku::message
