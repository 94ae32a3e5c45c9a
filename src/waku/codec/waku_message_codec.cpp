#include "waku/codec/waku_message_codec.hpp"

#include <limits>
#include <optional>

#include "waku/base/varint.hpp"
#include "waku/codec/protobuf_walk.hpp"

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
  if (encoded_bytes > kMaxMessageSizeLimitBytes) {
    return unexpected(Errc::kTooLarge, "waku message: longer than 64 MiB");
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

// Splits `bytes` into the payload (the last length-delimited field 1: the one a parser keeps) and
// the other fields, appended to `rest`. False if the walk stops; then the caller parses the whole
// message instead.
bool split_payload(ByteView bytes, std::optional<ByteView>& payload, Bytes& rest) {
  payload.reset();
  return split_field(bytes, 1, rest, [&payload](ByteView value) {
    payload = value;
    return true;
  });
}

// `owner`, when given, holds `bytes`: the payload is then walked past and sliced out of it, and
// the runtime parses only the other fields (a payload it parsed would be copied into a string).
Result<message::WakuMessage> decode(ByteView bytes, const SharedBytes* owner) {
  // Checked before parsing so that an oversized frame costs nothing; this bound also keeps the
  // size within the int that the protobuf runtime takes.
  static_assert(kMaxMessageSizeLimitBytes <= std::numeric_limits<int>::max());
  WAKU_TRY_VOID(check_encoded_size(bytes.size()));
  // One parse target per thread, reused: a parse clears it but keeps its strings' capacity, so
  // decoding every relayed message does not allocate them again (at most one largest message
  // stays allocated per thread).
  thread_local pb::WakuMessage proto;
  thread_local Bytes rest;
  std::optional<ByteView> sliced;
  const bool walked = owner != nullptr && split_payload(bytes, sliced, rest);
  const ByteView parsed = walked ? ByteView(rest) : bytes;
  if (parsed.empty()) {
    proto.Clear();  // what parsing no bytes gives
  } else if (!proto.ParseFromArray(parsed.data(), static_cast<int>(parsed.size()))) {
    return unexpected(Errc::kDecode, "waku message: not a valid protobuf message");
  }
  // nwaku (waku_core/message/codec.nim) fails the decode when either is missing.
  if (walked ? !sliced.has_value() : !proto.has_payload()) {
    return unexpected(Errc::kMissingField, "waku message: payload (field 1) absent");
  }
  if (!proto.has_content_topic()) {
    return unexpected(Errc::kMissingField, "waku message: content_topic (field 2) absent");
  }
  if (proto.has_meta()) WAKU_TRY_VOID(check_meta_size(proto.meta().size()));

  message::WakuMessage out;
  if (walked) {
    out.payload = SharedSlice(*owner, *sliced);
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
