#include "waku/message/protected_shard.hpp"

#include "waku/crypto/sha256.hpp"

namespace waku::message {

Bytes32 app_message_hash(std::string_view pubsub_topic, const WakuMessage& message) {
  crypto::Sha256 hasher;
  hasher.update(pubsub_topic);
  hasher.update(ByteView(message.payload));
  hasher.update(std::string_view(message.content_topic));
  // Two's complement reinterpretation, as nwaku's `msg.timestamp.uint64`.
  const auto timestamp = u64_le(static_cast<std::uint64_t>(message.timestamp_or_zero()));
  hasher.update(ByteView(timestamp));
  const std::array<std::uint8_t, 1> ephemeral{message.is_ephemeral() ? std::uint8_t{1}
                                                                     : std::uint8_t{0}};
  hasher.update(ByteView(ephemeral));
  return hasher.finish();
}

crypto::CompactSignature sign_message(const crypto::Secp256k1PrivateKey& key,
                                      std::string_view pubsub_topic, const WakuMessage& message) {
  return crypto::sign_compact(key, app_message_hash(pubsub_topic, message));
}

SignatureCheck check_signed_message(const crypto::Secp256k1PublicKey& key,
                                    std::string_view pubsub_topic, const WakuMessage& message,
                                    UnixNanos now) {
  const std::int64_t timestamp = message.timestamp_or_zero();
  if (timestamp == 0) return SignatureCheck::kMissingTimestamp;
  // |now - timestamp| in unsigned arithmetic: both are peer- or host-chosen int64 values whose
  // signed difference can overflow, but their distance always fits 64 unsigned bits.
  const auto a = static_cast<std::uint64_t>(now.value);
  const auto b = static_cast<std::uint64_t>(timestamp);
  const std::uint64_t distance_ns = now.value >= timestamp ? a - b : b - a;
  if (distance_ns >= static_cast<std::uint64_t>(kProtectedShardWindow.count())) {
    return SignatureCheck::kOutsideWindow;
  }
  if (!message.meta || message.meta->size() != kProtectedShardSignatureSize) {
    return SignatureCheck::kBadMetaLength;
  }
  if (!crypto::verify_compact(key, app_message_hash(pubsub_topic, message), *message.meta)) {
    return SignatureCheck::kBadSignature;
  }
  return SignatureCheck::kValid;
}

}  // namespace waku::message
