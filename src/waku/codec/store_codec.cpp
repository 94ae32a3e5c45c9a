#include "waku/codec/store_codec.hpp"

#include <algorithm>
#include <limits>
#include <string>

#include "waku/codec/waku_message_codec.hpp"

// See waku_message_codec.cpp: both include layouts of the generated files are accepted.
#if __has_include("store_v3.pb.h")
#include "store_v3.pb.h"
#else
#include "proto/store_v3.pb.h"
#endif

namespace waku::codec {
namespace {

static_assert(kMaxStoreResponseBytes <= static_cast<std::size_t>(std::numeric_limits<int>::max()));

Result<Bytes32> to_hash(const std::string& bytes, const char* context) {
  if (bytes.size() != 32) return unexpected(Errc::kBadEncoding, context);
  Bytes32 out{};
  std::copy(bytes.begin(), bytes.end(), out.begin());
  return out;
}

std::string hash_string(const Bytes32& hash) { return std::string(as_chars(hash)); }

template <typename Proto>
Bytes serialize(const Proto& proto) {
  Bytes out(proto.ByteSizeLong());
  const bool serialized = proto.SerializeToArray(out.data(), static_cast<int>(out.size()));
  WAKU_ASSERT_MSG(serialized, "serializing a store message into a buffer of its own size");
  return out;
}

}  // namespace

Result<store::StoreQueryRequest> decode_store_request(ByteView body) {
  if (body.size() > kMaxStoreRequestBytes) {
    return unexpected(Errc::kTooLarge, "store request: longer than 64 KiB");
  }
  pb::store::StoreQueryRequest proto;
  if (!proto.ParseFromArray(body.data(), static_cast<int>(body.size()))) {
    return unexpected(Errc::kDecode, "store request: not a valid protobuf message");
  }
  if (static_cast<std::size_t>(proto.message_hashes_size()) > store::kMaxHashesPerQuery) {
    return unexpected(Errc::kLimitExceeded, "store request: more than 100 message hashes");
  }
  if (static_cast<std::size_t>(proto.content_topics_size()) > store::kMaxContentTopicsPerQuery) {
    return unexpected(Errc::kLimitExceeded, "store request: more than 100 content topics");
  }

  store::StoreQueryRequest out;
  out.request_id = proto.request_id();
  out.include_data = proto.include_data();
  if (proto.has_pubsub_topic()) out.pubsub_topic = proto.pubsub_topic();
  out.content_topics.assign(proto.content_topics().begin(), proto.content_topics().end());
  if (proto.has_time_start()) out.time_start_ns = proto.time_start();
  if (proto.has_time_end()) out.time_end_ns = proto.time_end();
  out.message_hashes.reserve(static_cast<std::size_t>(proto.message_hashes_size()));
  for (const auto& hash : proto.message_hashes()) {
    auto parsed = to_hash(hash, "store request: message hash not 32 bytes long");
    if (!parsed) return unexpected(parsed.error());
    out.message_hashes.push_back(*parsed);
  }
  if (proto.has_pagination_cursor()) {
    auto cursor = to_hash(proto.pagination_cursor(), "store request: cursor not 32 bytes long");
    if (!cursor) return unexpected(cursor.error());
    out.pagination_cursor = *cursor;
  }
  out.pagination_forward = proto.pagination_forward();
  if (proto.has_pagination_limit()) out.pagination_limit = proto.pagination_limit();
  return out;
}

Bytes encode_store_request(const store::StoreQueryRequest& request) {
  pb::store::StoreQueryRequest proto;
  proto.set_request_id(request.request_id);
  proto.set_include_data(request.include_data);
  if (request.pubsub_topic) proto.set_pubsub_topic(*request.pubsub_topic);
  for (const auto& topic : request.content_topics) proto.add_content_topics(topic);
  if (request.time_start_ns) proto.set_time_start(*request.time_start_ns);
  if (request.time_end_ns) proto.set_time_end(*request.time_end_ns);
  for (const auto& hash : request.message_hashes) proto.add_message_hashes(hash_string(hash));
  if (request.pagination_cursor)
    proto.set_pagination_cursor(hash_string(*request.pagination_cursor));
  proto.set_pagination_forward(request.pagination_forward);
  if (request.pagination_limit) proto.set_pagination_limit(*request.pagination_limit);
  return serialize(proto);
}

Result<store::StoreQueryResponse> decode_store_response(ByteView body) {
  if (body.size() > kMaxStoreResponseBytes) {
    return unexpected(Errc::kTooLarge, "store response: longer than a full page can be");
  }
  pb::store::StoreQueryResponse proto;
  if (!proto.ParseFromArray(body.data(), static_cast<int>(body.size()))) {
    return unexpected(Errc::kDecode, "store response: not a valid protobuf message");
  }
  if (static_cast<std::size_t>(proto.messages_size()) > store::kMaxPageSize) {
    return unexpected(Errc::kLimitExceeded, "store response: more than 100 messages");
  }

  store::StoreQueryResponse out;
  out.request_id = proto.request_id();
  out.status_code = proto.status_code();
  out.status_desc = proto.status_desc();
  out.messages.reserve(static_cast<std::size_t>(proto.messages_size()));
  for (const auto& entry : proto.messages()) {
    if (!entry.has_message_hash()) {
      return unexpected(Errc::kMissingField, "store response: entry without message hash");
    }
    auto hash = to_hash(entry.message_hash(), "store response: message hash not 32 bytes long");
    if (!hash) return unexpected(hash.error());
    if (entry.has_message() != entry.has_pubsub_topic()) {
      return unexpected(Errc::kInvalidMessage,
                        "store response: message and pubsub topic not set together");
    }
    store::WakuMessageKeyValue value;
    value.message_hash = *hash;
    if (entry.has_message()) {
      auto message = decode_waku_message(as_bytes(entry.message()));
      if (!message) return unexpected(message.error());
      value.message = std::move(*message);
      value.pubsub_topic = entry.pubsub_topic();
    }
    out.messages.push_back(std::move(value));
  }
  if (proto.has_pagination_cursor()) {
    auto cursor = to_hash(proto.pagination_cursor(), "store response: cursor not 32 bytes long");
    if (!cursor) return unexpected(cursor.error());
    out.pagination_cursor = *cursor;
  }
  return out;
}

Bytes encode_store_response(const store::StoreQueryResponse& response) {
  pb::store::StoreQueryResponse proto;
  proto.set_request_id(response.request_id);
  proto.set_status_code(response.status_code);
  proto.set_status_desc(response.status_desc);
  for (const auto& value : response.messages) {
    auto* entry = proto.add_messages();
    entry->set_message_hash(hash_string(value.message_hash));
    if (value.message) {
      const Bytes encoded = encode_waku_message(*value.message);
      entry->set_message(as_chars(encoded).data(), encoded.size());
      entry->set_pubsub_topic(value.pubsub_topic.value_or(std::string()));
    }
  }
  if (response.pagination_cursor) {
    proto.set_pagination_cursor(hash_string(*response.pagination_cursor));
  }
  return serialize(proto);
}

}  // namespace waku::codec
