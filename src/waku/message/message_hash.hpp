// The deterministic message hash (14/WAKU2-MESSAGE): the key under which stores index a message,
// the cursor of store queries and the identity used to deduplicate across protocols.
//
// It is not the gossipsub message id (that is sha256 of the encoded bytes, see relay/rpc.hpp).
// We follow nwaku and go-waku, which always append the timestamp as 8 bytes (also when it is 0),
// rather than js-waku, which omits a zero timestamp (waku-wire.md §1).
#pragma once

#include <string>
#include <string_view>

#include "waku/base/bytes.hpp"
#include "waku/message/waku_message.hpp"

namespace waku::message {

// sha256(pubsub_topic || payload || content_topic || meta (only if present) ||
//        timestamp as 8-byte big-endian), with no separators or length prefixes.
Bytes32 deterministic_message_hash(std::string_view pubsub_topic, const WakuMessage& message);

// "0x" followed by 64 lower-case hex digits, as nwaku prints message hashes.
std::string message_hash_hex(const Bytes32& hash);

}  // namespace waku::message
