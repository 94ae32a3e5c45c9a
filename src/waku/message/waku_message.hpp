// WakuMessage (14/WAKU2-MESSAGE): the unit every Waku protocol carries.
//
// Optional fields keep their presence, because presence matters on the wire: nwaku requires
// payload and content_topic to be present and always writes version/meta/ephemeral, the
// deterministic hash skips an absent meta, and the relay forwards received bytes verbatim.
// Encoding and decoding live in waku/codec/waku_message_codec.hpp.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "waku/base/bytes.hpp"

namespace waku::message {

// 150 KiB: nwaku's DefaultMaxWakuMessageSize (parseMsgSize uses 1024 for "KiB").
inline constexpr std::size_t kMaxMessageSizeBytes = 153'600;
// nwaku MaxMetaAttrLength.
inline constexpr std::size_t kMaxMetaSizeBytes = 64;

struct WakuMessage {
  SharedSlice payload;  // from a decoded message: a slice of the encoded bytes
  std::string content_topic;
  std::optional<std::uint32_t> version;
  std::optional<std::int64_t> timestamp;  // Unix epoch nanoseconds
  std::optional<Bytes> meta;
  std::optional<Bytes> rate_limit_proof;
  std::optional<bool> ephemeral;

  [[nodiscard]] std::int64_t timestamp_or_zero() const { return timestamp.value_or(0); }
  [[nodiscard]] bool is_ephemeral() const { return ephemeral.value_or(false); }
  friend bool operator==(const WakuMessage&, const WakuMessage&) = default;
};

}  // namespace waku::message
