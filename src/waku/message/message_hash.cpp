#include "waku/message/message_hash.hpp"

#include "waku/crypto/sha256.hpp"

namespace waku::message {

Bytes32 deterministic_message_hash(std::string_view pubsub_topic, const WakuMessage& message) {
  crypto::Sha256 hasher;
  hasher.update(pubsub_topic);
  hasher.update(ByteView(message.payload));
  hasher.update(std::string_view(message.content_topic));
  if (message.meta) hasher.update(ByteView(*message.meta));
  // Two's complement reinterpretation, as nwaku's `uint64(msg.timestamp)`.
  const auto timestamp = u64_be(static_cast<std::uint64_t>(message.timestamp_or_zero()));
  hasher.update(ByteView(timestamp));
  return hasher.finish();
}

std::string message_hash_hex(const Bytes32& hash) { return "0x" + to_hex(hash); }

}  // namespace waku::message
