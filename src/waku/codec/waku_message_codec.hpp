// WakuMessage <-> protobuf bytes (14/WAKU2-MESSAGE), with nwaku's field-presence rules.
//
// This is the only place that sees the generated `waku::pb::WakuMessage`. Decoding is what every
// message received from a peer goes through, so it enforces the limits nwaku enforces (payload and
// content_topic present, meta at most 64 bytes, 150 KiB overall) and never trusts the input.
// Encoding always emits payload and content_topic, because nwaku treats their absence as a
// decode error, and emits the optional fields exactly when they are present in the struct.
// Relayed messages are forwarded as received (their gossip id is sha256 of the bytes), so the
// encoder is for messages this node originates, not for re-encoding what it relays.
#pragma once

#include "waku/base/bytes.hpp"
#include "waku/base/result.hpp"
#include "waku/message/waku_message.hpp"

namespace waku::codec {

// The largest --max-msg-size accepted, and so the most the decoder takes: far above anything a
// Waku network uses (the default is message::kMaxMessageSizeBytes, 150 KiB; Status fleets run
// 1024KiB), low enough that a typo cannot make the relay accept absurd allocations. The configured
// size is the relay's to enforce (RpcLimits, RouterConfig); this bound keeps the decoder's input
// within the protobuf runtime's int.
inline constexpr std::size_t kMaxMessageSizeLimitBytes = std::size_t{64} << 20;

// Rejects: input longer than kMaxMessageSizeLimitBytes (kTooLarge), bytes that are not a protobuf
// message (kDecode), payload (1) or content_topic (2) absent (kMissingField), meta longer than 64
// bytes (kTooLarge). Unknown fields are skipped.
Result<message::WakuMessage> decode_waku_message(ByteView bytes);
// The same; the payload is a slice of `bytes` (which it keeps alive) instead of a copy, and only
// the other fields go through the protobuf runtime (protobuf_walk.hpp). Same result as above on
// every input.
Result<message::WakuMessage> decode_waku_message(const SharedBytes& bytes);

// The decoder's limits on their own, for a message this node builds: the encoded size at most
// kMaxMessageSizeLimitBytes, meta at most message::kMaxMetaSizeBytes (kTooLarge otherwise).
Result<void> check_encoded_size(std::size_t encoded_bytes);
Result<void> check_meta_size(std::size_t meta_bytes);

// Always emits payload and content_topic (even empty), the optional fields iff present, in field
// number order.
Bytes encode_waku_message(const message::WakuMessage& message);
// The same, and `message`'s payload becomes the slice of the encoding that holds it: a message
// this node publishes and its encoding then share one buffer in the relay's caches.
SharedBytes encode_waku_message_sharing_payload(message::WakuMessage& message);

}  // namespace waku::codec
