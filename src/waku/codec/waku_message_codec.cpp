#include "waku/codec/waku_message_codec.hpp"

#include <limits>

// CMake's protobuf_generate (without APPEND_PATH) puts the generated files under proto/ inside
// the include directory; accept both layouts so a fix to the build does not break this file.
#if __has_include("waku_message.pb.h")
#include "waku_message.pb.h"
#else
#include "proto/waku_message.pb.h"
#endif

namespace waku::codec {
namespace {

// The protobuf 3.21 setters take (const char*, size) for a byte range.
const char* chars(const Bytes& bytes) { return as_chars(bytes).data(); }

}  // namespace

Result<message::WakuMessage> decode_waku_message(ByteView bytes) {
  // Checked before parsing so that an oversized frame costs nothing; this bound also keeps the
  // size within the int that the protobuf runtime takes.
  static_assert(message::kMaxMessageSizeBytes <= std::numeric_limits<int>::max());
  if (bytes.size() > message::kMaxMessageSizeBytes) {
    return unexpected(Errc::kTooLarge, "waku message: longer than 150 KiB");
  }
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
  if (proto.has_meta() && proto.meta().size() > message::kMaxMetaSizeBytes) {
    return unexpected(Errc::kTooLarge, "waku message: meta longer than 64 bytes");
  }

  message::WakuMessage out;
  out.payload = to_bytes(proto.payload());
  out.content_topic = proto.content_topic();
  if (proto.has_version()) out.version = proto.version();
  if (proto.has_timestamp()) out.timestamp = proto.timestamp();
  if (proto.has_meta()) out.meta = to_bytes(proto.meta());
  if (proto.has_rate_limit_proof()) out.rate_limit_proof = to_bytes(proto.rate_limit_proof());
  if (proto.has_ephemeral()) out.ephemeral = proto.ephemeral();
  return out;
}

Bytes encode_waku_message(const message::WakuMessage& message) {
  pb::WakuMessage proto;
  proto.set_payload(chars(message.payload), message.payload.size());
  proto.set_content_topic(message.content_topic);
  if (message.version) proto.set_version(*message.version);
  if (message.timestamp) proto.set_timestamp(*message.timestamp);
  if (message.meta) proto.set_meta(chars(*message.meta), message.meta->size());
  if (message.rate_limit_proof) {
    proto.set_rate_limit_proof(chars(*message.rate_limit_proof), message.rate_limit_proof->size());
  }
  if (message.ephemeral) proto.set_ephemeral(*message.ephemeral);

  // The generated serializer writes fields in field-number order; proto2 `optional` with its
  // has-bit set is written even when it holds the default value, which is what nwaku needs.
  Bytes out(proto.ByteSizeLong());
  const bool serialized = proto.SerializeToArray(out.data(), static_cast<int>(out.size()));
  WAKU_ASSERT_MSG(serialized, "serializing a WakuMessage into a buffer of its own size");
  return out;
}

}  // namespace waku::codec
