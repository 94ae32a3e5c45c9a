#include "waku/codec/waku_message_codec.hpp"

#include <limits>
#include <optional>

#include "waku/base/varint.hpp"

// CMake's protobuf_generate (without APPEND_PATH) puts the generated files under proto/ inside
// the include directory; accept both layouts so a fix to the build does not break this file.
#if __has_include("waku_message.pb.h")
#include "waku_message.pb.h"
#else
#include "proto/waku_message.pb.h"
#endif

namespace waku::codec {
namespace {

// Field 1 (payload), wire type 2 (length-delimited).
constexpr std::uint8_t kPayloadTag = (1U << 3U) | 2U;

// The protobuf 3.21 setters take (const char*, size) for a byte range.
const char* chars(const Bytes& bytes) { return as_chars(bytes).data(); }

}  // namespace

Result<void> check_encoded_size(std::size_t encoded_bytes) {
  if (encoded_bytes > message::kMaxMessageSizeBytes) {
    return unexpected(Errc::kTooLarge, "waku message: longer than 150 KiB");
  }
  return {};
}

Result<void> check_meta_size(std::size_t meta_bytes) {
  if (meta_bytes > message::kMaxMetaSizeBytes) {
    return unexpected(Errc::kTooLarge, "waku message: meta longer than 64 bytes");
  }
  return {};
}

namespace {

// The value of the last occurrence of length-delimited top-level field `field` (the one a parser
// keeps) in `message`, a protobuf message that already parsed; nullopt if absent, or if the walk
// meets what it does not follow (a group, a non-minimal varint) and the caller should copy instead.
std::optional<ByteView> last_bytes_field(ByteView message, std::uint64_t field) {
  std::optional<ByteView> found;
  while (!message.empty()) {
    const auto key = decode_uvarint(message);
    if (!key) return std::nullopt;
    message = message.subspan(key->length);
    std::size_t skip = 0;
    switch (key->value & 7U) {
      case 0: {  // varint
        const auto value = decode_uvarint(message);
        if (!value) return std::nullopt;
        skip = value->length;
        break;
      }
      case 1: skip = 8; break;  // fixed64
      case 2: {                 // length-delimited
        const auto length = decode_uvarint(message);
        if (!length || length->value > message.size() - length->length) return std::nullopt;
        message = message.subspan(length->length);
        skip = static_cast<std::size_t>(length->value);
        if ((key->value >> 3U) == field) found = message.first(skip);
        break;
      }
      case 5: skip = 4; break;  // fixed32
      default: return std::nullopt;
    }
    if (skip > message.size()) return std::nullopt;
    message = message.subspan(skip);
  }
  return found;
}

// `owner`, when given, holds `bytes`: the payload is then a slice of it rather than a copy.
Result<message::WakuMessage> decode(ByteView bytes, const SharedBytes* owner) {
  // Checked before parsing so that an oversized frame costs nothing; this bound also keeps the
  // size within the int that the protobuf runtime takes.
  static_assert(message::kMaxMessageSizeBytes <= std::numeric_limits<int>::max());
  WAKU_TRY_VOID(check_encoded_size(bytes.size()));
  // One parse target per thread, reused: a parse clears it but keeps its strings' capacity, so
  // decoding every relayed message does not allocate them again (at most one largest message
  // stays allocated per thread).
  thread_local pb::WakuMessage proto;
  if (!proto.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    return unexpected(Errc::kDecode, "waku message: not a valid protobuf message");
  }
  // nwaku (waku_core/message/codec.nim) fails the decode when either is missing.
  if (!proto.has_payload()) {
    return unexpected(Errc::kMissingField, "waku message: payload (field 1) absent");
  }
  if (!proto.has_content_topic()) {
    return unexpected(Errc::kMissingField, "waku message: content_topic (field 2) absent");
  }
  if (proto.has_meta()) WAKU_TRY_VOID(check_meta_size(proto.meta().size()));

  message::WakuMessage out;
  const std::optional<ByteView> payload =
      owner != nullptr ? last_bytes_field(bytes, 1) : std::nullopt;
  if (payload && payload->size() == proto.payload().size()) {
    out.payload = SharedSlice(*owner, *payload);
  } else {
    out.payload = to_bytes(proto.payload());
  }
  out.content_topic = proto.content_topic();
  if (proto.has_version()) out.version = proto.version();
  if (proto.has_timestamp()) out.timestamp = proto.timestamp();
  if (proto.has_meta()) out.meta = to_bytes(proto.meta());
  if (proto.has_rate_limit_proof()) out.rate_limit_proof = to_bytes(proto.rate_limit_proof());
  if (proto.has_ephemeral()) out.ephemeral = proto.ephemeral();
  return out;
}

}  // namespace

Result<message::WakuMessage> decode_waku_message(ByteView bytes) { return decode(bytes, nullptr); }

Result<message::WakuMessage> decode_waku_message(const SharedBytes& bytes) {
  return decode(bytes.view(), &bytes);
}

Bytes encode_waku_message(const message::WakuMessage& message) {
  // The payload (field 1, the bulk of a message) is written here rather than copied into the
  // protobuf object first; the runtime serialises the other fields in field-number order, so
  // appending its output gives the same bytes as serialising the whole message.
  pb::WakuMessage proto;
  proto.set_content_topic(message.content_topic);
  if (message.version) proto.set_version(*message.version);
  if (message.timestamp) proto.set_timestamp(*message.timestamp);
  if (message.meta) proto.set_meta(chars(*message.meta), message.meta->size());
  if (message.rate_limit_proof) {
    proto.set_rate_limit_proof(chars(*message.rate_limit_proof), message.rate_limit_proof->size());
  }
  if (message.ephemeral) proto.set_ephemeral(*message.ephemeral);

  // proto2 `optional` with its has-bit set is written even when it holds the default value, which
  // is what nwaku needs.
  const std::size_t rest = proto.ByteSizeLong();
  Bytes out;
  out.reserve(1 + uvarint_size(message.payload.size()) + message.payload.size() + rest);
  out.push_back(kPayloadTag);
  append_uvarint(out, message.payload.size());
  out.insert(out.end(), message.payload.begin(), message.payload.end());
  const std::size_t start = out.size();
  out.resize(start + rest);
  const bool serialized = proto.SerializeToArray(out.data() + start, static_cast<int>(rest));
  WAKU_ASSERT_MSG(serialized, "serializing a WakuMessage into a buffer of its own size");
  return out;
}

SharedBytes encode_waku_message_sharing_payload(message::WakuMessage& message) {
  SharedBytes encoded(encode_waku_message(message));
  // encode_waku_message writes the payload first: its tag, its length, then its bytes.
  const std::size_t payload_start = 1 + uvarint_size(message.payload.size());
  message.payload =
      SharedSlice(encoded, encoded.view().subspan(payload_start, message.payload.size()));
  return encoded;
}

}  // namespace waku::codec
